// §16.1: FLT_FILE_NAME_OPTIONS is one ULONG of three fields; FltGetFileNameFormat and
// FltGetFileNameQueryMethod read the first two, whatever flags sit in the third.
import { describe, expect, it } from 'vitest';
import {
  FLT_FILE_NAME_ALLOW_QUERY_ON_REPARSE,
  FLT_FILE_NAME_DO_NOT_CACHE,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP,
  FLT_FILE_NAME_QUERY_CACHE_ONLY,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY,
  FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER,
  FLT_FILE_NAME_SHORT,
  FltGetFileNameFormat,
  FltGetFileNameQueryMethod,
} from '../../src/index.js';

describe('FltGetFileNameFormat / FltGetFileNameQueryMethod (§16.1)', () => {
  it('take the format byte and the query-method byte, ignoring the flags', () => {
    const flags = FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER | FLT_FILE_NAME_DO_NOT_CACHE | FLT_FILE_NAME_ALLOW_QUERY_ON_REPARSE;
    const rows = [
      [FLT_FILE_NAME_NORMALIZED, FLT_FILE_NAME_QUERY_DEFAULT],
      [FLT_FILE_NAME_OPENED, FLT_FILE_NAME_QUERY_CACHE_ONLY],
      [FLT_FILE_NAME_SHORT, FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY],
      [FLT_FILE_NAME_NORMALIZED, FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP],
    ] as const;
    for (const [format, method] of rows) {
      expect(FltGetFileNameFormat(format | method | flags)).toBe(format);
      expect(FltGetFileNameQueryMethod(format | method | flags)).toBe(method);
    }
    expect([FltGetFileNameFormat(0x07000402), FltGetFileNameQueryMethod(0x07000402)]).toEqual([0x02, 0x0400]);
  });
});
