import { describe, expect, it } from 'vitest';
import { makeFs } from './helpers.js';
import type { REPARSE_DATA_BUFFER } from '../../src/wdk/parameters.js';
import {
  FILE_ATTRIBUTE_REPARSE_POINT,
  FILE_CREATE,
  FILE_DIRECTORY_FILE,
  FILE_GENERIC_WRITE,
  FILE_OPEN_REPARSE_POINT,
  FILE_READ_DATA,
  FILE_WRITE_ATTRIBUTES,
  FSCTL_DELETE_REPARSE_POINT,
  FSCTL_GET_REPARSE_POINT,
  FSCTL_SET_REPARSE_POINT,
  IO_REPARSE_TAG_MOUNT_POINT,
  IO_REPARSE_TAG_SYMLINK,
  IsReparseTagMicrosoft,
} from '../../src/wdk/fileConstants.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_BUFFER_OVERFLOW,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_DIRECTORY_NOT_EMPTY,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_IO_REPARSE_DATA_INVALID,
  STATUS_IO_REPARSE_TAG_INVALID,
  STATUS_IO_REPARSE_TAG_MISMATCH,
  STATUS_MEDIA_WRITE_PROTECTED,
  STATUS_NOT_A_DIRECTORY,
  STATUS_NOT_A_REPARSE_POINT,
  STATUS_REPARSE,
  STATUS_REPARSE_ATTRIBUTE_CONFLICT,
  STATUS_SUCCESS,
} from '../../src/wdk/ntstatus.js';

const THIRD_PARTY_TAG = 0x00000123;
const GUID_A = '11111111-2222-3333-4444-555555555555';
const GUID_B = '99999999-2222-3333-4444-555555555555';

function buffer(tag: number, guid: string | null, data: number[] = [1, 2, 3]): [REPARSE_DATA_BUFFER, number] {
  const DataBuffer = new Uint8Array(data);
  return [{ ReparseTag: tag, ReparseDataLength: DataBuffer.length, ReparseGuid: guid, DataBuffer }, (guid === null ? 8 : 24) + DataBuffer.length];
}

describe('STATUS_REPARSE on create', () => {
  it('a reparse point opened without FILE_OPEN_REPARSE_POINT completes with STATUS_REPARSE, Information = tag and TagData', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\link', 'x');
    fs.setReparsePoint('\\link', IO_REPARSE_TAG_SYMLINK, null, new Uint8Array([9, 9]));
    const c = io.open('a', '\\link');
    expect(c).toMatchObject({ Status: STATUS_REPARSE, Information: IO_REPARSE_TAG_SYMLINK });
    expect(c.tagData).toEqual({ ReparseTag: IO_REPARSE_TAG_SYMLINK, ReparseGuid: null, data: new Uint8Array([9, 9]), UnparsedNameLength: 0 });
    expect(io.open('b', '\\link', { options: FILE_OPEN_REPARSE_POINT }).Status).toBe(STATUS_SUCCESS);
  });

  it('an intermediate component with a reparse point reparses even with FILE_OPEN_REPARSE_POINT, reporting the unparsed length', () => {
    const { fs, io } = makeFs();
    fs.mkdir('\\mnt');
    fs.setReparsePoint('\\mnt', IO_REPARSE_TAG_MOUNT_POINT, null, new Uint8Array(4));
    const c = io.open('a', '\\mnt\\sub\\file', { options: FILE_OPEN_REPARSE_POINT });
    expect(c.Status).toBe(STATUS_REPARSE);
    expect(c.tagData?.UnparsedNameLength).toBe(2 * '\\sub\\file'.length);
  });
});

describe('FSCTL_SET_REPARSE_POINT / GET / DELETE', () => {
  it('sets, reads back and deletes a Microsoft tag; FILE_ATTRIBUTE_REPARSE_POINT follows', () => {
    const { fs, io } = makeFs();
    io.open('a', '\\f', { disposition: FILE_CREATE, access: FILE_GENERIC_WRITE, options: FILE_OPEN_REPARSE_POINT });
    expect(io.fsctl('a', FSCTL_SET_REPARSE_POINT, ...buffer(IO_REPARSE_TAG_SYMLINK, null)).Status).toBe(STATUS_SUCCESS);
    expect((fs.stat('\\f')?.attributes ?? 0) & FILE_ATTRIBUTE_REPARSE_POINT).toBe(FILE_ATTRIBUTE_REPARSE_POINT);
    const got = io.fsctl('a', FSCTL_GET_REPARSE_POINT);
    expect(got).toMatchObject({ Status: STATUS_SUCCESS, Information: 11, output: { buffer: { ReparseTag: IO_REPARSE_TAG_SYMLINK, ReparseDataLength: 3 } } });
    expect(io.fsctl('a', FSCTL_DELETE_REPARSE_POINT, ...buffer(IO_REPARSE_TAG_SYMLINK, null, [])).Status).toBe(STATUS_SUCCESS);
    expect(fs.stat('\\f')?.reparseTag).toBe(0);
    expect(io.fsctl('a', FSCTL_GET_REPARSE_POINT).Status).toBe(STATUS_NOT_A_REPARSE_POINT);
  });

  // FltTagFile: replacing needs the same tag, and for non-Microsoft tags the same GUID.
  it('replacing needs the same tag (STATUS_IO_REPARSE_TAG_MISMATCH) and GUID (STATUS_REPARSE_ATTRIBUTE_CONFLICT)', () => {
    const { io } = makeFs();
    expect(IsReparseTagMicrosoft(THIRD_PARTY_TAG)).toBe(false);
    io.open('a', '\\f', { disposition: FILE_CREATE, access: FILE_GENERIC_WRITE });
    expect(io.fsctl('a', FSCTL_SET_REPARSE_POINT, ...buffer(THIRD_PARTY_TAG, GUID_A)).Status).toBe(STATUS_SUCCESS);
    expect(io.fsctl('a', FSCTL_SET_REPARSE_POINT, ...buffer(THIRD_PARTY_TAG, GUID_A, [7])).Status).toBe(STATUS_SUCCESS);
    expect(io.fsctl('a', FSCTL_SET_REPARSE_POINT, ...buffer(THIRD_PARTY_TAG, GUID_B)).Status).toBe(STATUS_REPARSE_ATTRIBUTE_CONFLICT);
    expect(io.fsctl('a', FSCTL_SET_REPARSE_POINT, ...buffer(IO_REPARSE_TAG_SYMLINK, null)).Status).toBe(STATUS_IO_REPARSE_TAG_MISMATCH);
    expect(io.fsctl('a', FSCTL_DELETE_REPARSE_POINT, ...buffer(THIRD_PARTY_TAG, GUID_B, [])).Status).toBe(STATUS_REPARSE_ATTRIBUTE_CONFLICT);
    expect(io.fsctl('a', FSCTL_DELETE_REPARSE_POINT, ...buffer(0x124, GUID_A, [])).Status).toBe(STATUS_IO_REPARSE_TAG_MISMATCH);
  });

  it('a third-party tag without a GUID, a bad length or reserved tag is rejected', () => {
    const { io } = makeFs();
    io.open('a', '\\f', { disposition: FILE_CREATE, access: FILE_GENERIC_WRITE });
    expect(io.fsctl('a', FSCTL_SET_REPARSE_POINT, ...buffer(THIRD_PARTY_TAG, null)).Status).toBe(STATUS_IO_REPARSE_DATA_INVALID);
    expect(io.fsctl('a', FSCTL_SET_REPARSE_POINT, buffer(IO_REPARSE_TAG_SYMLINK, null)[0], 5).Status).toBe(STATUS_IO_REPARSE_DATA_INVALID);
    expect(io.fsctl('a', FSCTL_SET_REPARSE_POINT, ...buffer(1, null)).Status).toBe(STATUS_IO_REPARSE_TAG_INVALID);
    expect(io.fsctl('a', FSCTL_SET_REPARSE_POINT, ...buffer(IO_REPARSE_TAG_SYMLINK, null, new Array<number>(16384).fill(0))).Status).toBe(
      STATUS_IO_REPARSE_DATA_INVALID,
    );
    expect(io.fsctl('a', FSCTL_DELETE_REPARSE_POINT, ...buffer(IO_REPARSE_TAG_SYMLINK, null, [])).Status).toBe(STATUS_NOT_A_REPARSE_POINT);
  });

  it('a non-empty directory is STATUS_DIRECTORY_NOT_EMPTY; a mount point on a file STATUS_NOT_A_DIRECTORY', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\d\\x', 'x');
    io.open('d', '\\d', { access: FILE_WRITE_ATTRIBUTES, options: FILE_DIRECTORY_FILE });
    expect(io.fsctl('d', FSCTL_SET_REPARSE_POINT, ...buffer(IO_REPARSE_TAG_MOUNT_POINT, null)).Status).toBe(STATUS_DIRECTORY_NOT_EMPTY);
    io.open('f', '\\d\\x', { access: FILE_WRITE_ATTRIBUTES });
    expect(io.fsctl('f', FSCTL_SET_REPARSE_POINT, ...buffer(IO_REPARSE_TAG_MOUNT_POINT, null)).Status).toBe(STATUS_NOT_A_DIRECTORY);
  });

  // MS-FSA 2.1.5.10.37: FILE_WRITE_DATA or FILE_WRITE_ATTRIBUTES.
  it('needs FILE_WRITE_DATA or FILE_WRITE_ATTRIBUTES; read-only media and FAT refuse', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    io.open('r', '\\f', { access: FILE_READ_DATA });
    expect(io.fsctl('r', FSCTL_SET_REPARSE_POINT, ...buffer(IO_REPARSE_TAG_SYMLINK, null)).Status).toBe(STATUS_ACCESS_DENIED);
    io.open('w', '\\f', { access: FILE_WRITE_ATTRIBUTES });
    expect(io.fsctl('w', FSCTL_SET_REPARSE_POINT, ...buffer(IO_REPARSE_TAG_SYMLINK, null)).Status).toBe(STATUS_SUCCESS);
    const ro = makeFs({ readOnly: true });
    ro.fs.writeFile('\\f', 'x');
    // On read-only media the write access the FSCTL needs cannot even be opened.
    expect(ro.io.open('a', '\\f', { access: FILE_READ_DATA | FILE_WRITE_ATTRIBUTES }).Status).toBe(STATUS_MEDIA_WRITE_PROTECTED);
    const fat = makeFs({ fsType: 'FAT' });
    fat.io.open('a', '\\f', { disposition: FILE_CREATE, access: FILE_GENERIC_WRITE });
    expect(fat.io.fsctl('a', FSCTL_SET_REPARSE_POINT, ...buffer(IO_REPARSE_TAG_SYMLINK, null)).Status).toBe(STATUS_INVALID_DEVICE_REQUEST);
  });

  it('symbolic links need the privilege for UserMode requests', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    io.open('a', '\\f', { access: FILE_GENERIC_WRITE });
    expect(io.send('a', 0x0d, { FileSystemControl: { FsControlCode: FSCTL_SET_REPARSE_POINT, InputBufferLength: 11, OutputBufferLength: 0, InputBuffer: buffer(IO_REPARSE_TAG_SYMLINK, null)[0] } }, { RequestorMode: 'UserMode', requestorSid: 'S-1-5-21-5' }).Status).toBe(STATUS_ACCESS_DENIED);
  });

  // MS-FSA 2.1.5.10.14: header must fit (STATUS_BUFFER_TOO_SMALL); data is truncated (STATUS_BUFFER_OVERFLOW).
  it('GET with a buffer below the header is STATUS_BUFFER_TOO_SMALL, below the data STATUS_BUFFER_OVERFLOW', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    fs.setReparsePoint('\\f', THIRD_PARTY_TAG, GUID_A, new Uint8Array([1, 2, 3, 4]));
    io.open('a', '\\f', { options: FILE_OPEN_REPARSE_POINT });
    expect(io.fsctl('a', FSCTL_GET_REPARSE_POINT, null, 0, 23).Status).toBe(STATUS_BUFFER_TOO_SMALL);
    const partial = io.fsctl('a', FSCTL_GET_REPARSE_POINT, null, 0, 26);
    expect(partial).toMatchObject({ Status: STATUS_BUFFER_OVERFLOW, Information: 26, output: { buffer: { ReparseGuid: GUID_A, ReparseDataLength: 4, DataBuffer: new Uint8Array([1, 2]) } } });
  });
});
