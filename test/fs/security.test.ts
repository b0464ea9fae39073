import { describe, expect, it } from 'vitest';
import { makeFs } from './helpers.js';
import { isValidSid, mapGenericMask, selfRelativeSize } from '../../src/fs/index.js';
import type { SecurityDescriptor } from '../../src/wdk/parameters.js';
import {
  ACCESS_SYSTEM_SECURITY,
  DACL_SECURITY_INFORMATION,
  FILE_ALL_ACCESS,
  FILE_GENERIC_READ,
  FILE_READ_DATA,
  GENERIC_ALL,
  GENERIC_READ,
  GROUP_SECURITY_INFORMATION,
  OWNER_SECURITY_INFORMATION,
  READ_CONTROL,
  SACL_SECURITY_INFORMATION,
  WRITE_DAC,
  WRITE_OWNER,
} from '../../src/wdk/fileConstants.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_ACCESS_VIOLATION,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_INVALID_ACL,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_INVALID_SID,
  STATUS_SUCCESS,
} from '../../src/wdk/ntstatus.js';

const SD: SecurityDescriptor = {
  Owner: 'S-1-5-32-544',
  Group: 'S-1-5-18',
  Dacl: [
    { type: 'allow', sid: 'S-1-5-18', mask: FILE_ALL_ACCESS },
    { type: 'allow', sid: 'S-1-1-0', mask: FILE_GENERIC_READ },
  ],
  Sacl: null,
};
const OGD = OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;

describe('security descriptor helpers', () => {
  // SECURITY_DESCRIPTOR_RELATIVE is 20 bytes; a SID is 8 + 4 per sub-authority; ACL 8 + ACEs (8 + SID).
  it('self-relative size follows the real layout', () => {
    expect(selfRelativeSize({ Owner: null, Group: null, Dacl: null, Sacl: null })).toBe(20);
    expect(selfRelativeSize(SD)).toBe(20 + 16 + 12 + 8 + (8 + 12) + (8 + 12));
  });

  it('generic rights map through the file GENERIC_MAPPING', () => {
    expect(mapGenericMask(GENERIC_READ)).toBe(FILE_GENERIC_READ);
    expect(mapGenericMask(GENERIC_ALL)).toBe(FILE_ALL_ACCESS);
  });

  it('SID strings are validated', () => {
    expect(isValidSid('S-1-5-21-1-2-3-1001')).toBe(true);
    expect(isValidSid('S-1-5-18')).toBe(true);
    expect(isValidSid('S-2-5-18')).toBe(false);
    expect(isValidSid('bogus')).toBe(false);
    expect(isValidSid('S-1-5-99999999999')).toBe(false);
  });
});

describe('IRP_MJ_QUERY_SECURITY', () => {
  it('needs READ_CONTROL; returns only the parts asked for', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x', { security: SD });
    io.open('n', '\\f', { access: FILE_READ_DATA });
    expect(io.querySecurity('n', OGD).Status).toBe(STATUS_ACCESS_DENIED);
    io.open('a', '\\f', { access: READ_CONTROL });
    const owner = io.querySecurity('a', OWNER_SECURITY_INFORMATION);
    expect(owner).toMatchObject({ Status: STATUS_SUCCESS, Information: 20 + 16, output: { descriptor: { Owner: 'S-1-5-32-544', Group: null, Dacl: null } } });
  });

  // FltQuerySecurityObject: STATUS_BUFFER_TOO_SMALL, nothing copied, LengthNeeded set.
  it('a short buffer is STATUS_BUFFER_TOO_SMALL with Information = the length needed and no output', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x', { security: SD });
    io.open('a', '\\f', { access: READ_CONTROL });
    const needed = selfRelativeSize(SD);
    expect(io.querySecurity('a', OGD, needed - 1)).toEqual({ Status: STATUS_BUFFER_TOO_SMALL, Information: needed });
    expect(io.querySecurity('a', OGD, needed).Status).toBe(STATUS_SUCCESS);
  });

  it('the SACL needs ACCESS_SYSTEM_SECURITY', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x', { security: SD });
    io.open('a', '\\f', { access: READ_CONTROL });
    expect(io.querySecurity('a', SACL_SECURITY_INFORMATION).Status).toBe(STATUS_ACCESS_DENIED);
    io.open('b', '\\f', { access: ACCESS_SYSTEM_SECURITY });
    expect(io.querySecurity('b', SACL_SECURITY_INFORMATION).Status).toBe(STATUS_SUCCESS);
  });

  it('FAT keeps no security: STATUS_INVALID_DEVICE_REQUEST', () => {
    const { io } = makeFs({ fsType: 'FAT' });
    io.open('a', '\\f', { disposition: 2, access: READ_CONTROL | WRITE_DAC });
    expect(io.querySecurity('a', OGD).Status).toBe(STATUS_INVALID_DEVICE_REQUEST);
    expect(io.setSecurity('a', DACL_SECURITY_INFORMATION, SD).Status).toBe(STATUS_INVALID_DEVICE_REQUEST);
  });
});

describe('IRP_MJ_SET_SECURITY', () => {
  it('the DACL needs WRITE_DAC, the owner WRITE_OWNER; the new DACL governs later UserMode opens', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    io.open('r', '\\f', { access: READ_CONTROL });
    expect(io.setSecurity('r', DACL_SECURITY_INFORMATION, SD).Status).toBe(STATUS_ACCESS_DENIED);
    io.open('d', '\\f', { access: WRITE_DAC });
    expect(io.setSecurity('d', OWNER_SECURITY_INFORMATION, SD).Status).toBe(STATUS_ACCESS_DENIED);
    const empty: SecurityDescriptor = { ...SD, Dacl: [] };
    expect(io.setSecurity('d', DACL_SECURITY_INFORMATION, empty).Status).toBe(STATUS_SUCCESS);
    expect(fs.stat('\\f')?.security?.Dacl).toEqual([]);
    expect(io.open('u', '\\f', { access: FILE_READ_DATA, mode: 'UserMode', sid: 'S-1-5-21-9' }).Status).toBe(STATUS_ACCESS_DENIED);
    io.open('o', '\\f', { access: WRITE_OWNER });
    expect(io.setSecurity('o', OWNER_SECURITY_INFORMATION, { ...SD, Owner: 'S-1-5-21-9' }).Status).toBe(STATUS_SUCCESS);
    expect(fs.stat('\\f')?.security?.Owner).toBe('S-1-5-21-9');
  });

  // FltSetSecurityObject: NULL descriptor → STATUS_ACCESS_VIOLATION; bad SID → STATUS_INVALID_SID.
  it('a null descriptor is STATUS_ACCESS_VIOLATION, a bad SID STATUS_INVALID_SID, a bad ACE STATUS_INVALID_ACL', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    io.open('a', '\\f', { access: WRITE_DAC | WRITE_OWNER });
    expect(io.setSecurity('a', DACL_SECURITY_INFORMATION, null).Status).toBe(STATUS_ACCESS_VIOLATION);
    expect(io.setSecurity('a', OWNER_SECURITY_INFORMATION, { ...SD, Owner: 'not-a-sid' }).Status).toBe(STATUS_INVALID_SID);
    expect(io.setSecurity('a', DACL_SECURITY_INFORMATION, { ...SD, Dacl: [{ type: 'allow', sid: 'S-1-x', mask: 1 }] }).Status).toBe(STATUS_INVALID_SID);
    expect(io.setSecurity('a', DACL_SECURITY_INFORMATION, { ...SD, Dacl: [{ type: 'audit' as 'allow', sid: 'S-1-1-0', mask: 1 }] }).Status).toBe(STATUS_INVALID_ACL);
  });
});
