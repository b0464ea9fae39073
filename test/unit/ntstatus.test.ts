import { describe, expect, it } from 'vitest';
import {
  NT_ERROR,
  NT_SUCCESS,
  NT_WARNING,
  ntStatusName,
  STATUS_FLT_DO_NOT_ATTACH,
  STATUS_FLT_INSTANCE_ALTITUDE_COLLISION,
  STATUS_FLT_IO_COMPLETE,
  STATUS_NO_MORE_ENTRIES,
  STATUS_PENDING,
  STATUS_SUCCESS,
} from '../../src/wdk/ntstatus.js';

describe('NTSTATUS', () => {
  it('classifies by severity like the WDK macros', () => {
    expect(NT_SUCCESS(STATUS_SUCCESS)).toBe(true);
    expect(NT_SUCCESS(STATUS_PENDING)).toBe(true);
    expect(NT_SUCCESS(STATUS_FLT_IO_COMPLETE)).toBe(true);
    expect(NT_SUCCESS(STATUS_NO_MORE_ENTRIES)).toBe(false);
    expect(NT_WARNING(STATUS_NO_MORE_ENTRIES)).toBe(true);
    expect(NT_ERROR(STATUS_FLT_DO_NOT_ATTACH)).toBe(true);
  });

  it('keeps the header values exactly', () => {
    expect(STATUS_FLT_INSTANCE_ALTITUDE_COLLISION).toBe(0xc01c0011);
    expect(STATUS_FLT_DO_NOT_ATTACH).toBe(0xc01c000f);
  });

  it('names known values and prints unknown ones as hex', () => {
    expect(ntStatusName(0xc01c000f)).toBe('STATUS_FLT_DO_NOT_ATTACH');
    expect(ntStatusName(-1073741790)).toBe('STATUS_ACCESS_DENIED');
    expect(ntStatusName(0xc0ffee00)).toBe('0xC0FFEE00');
  });
});
