import { describe, expect, it } from 'vitest';
import { makeFs } from './helpers.js';
import { EMPTY_SHARE_ACCESS, IoCheckShareAccess, IoRemoveShareAccess } from '../../src/fs/index.js';
import {
  DELETE,
  FILE_APPEND_DATA,
  FILE_EXECUTE,
  FILE_READ_ATTRIBUTES,
  FILE_READ_DATA,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_WRITE_DATA,
  READ_CONTROL,
  SYNCHRONIZE,
} from '../../src/wdk/fileConstants.js';
import { STATUS_SHARING_VIOLATION, STATUS_SUCCESS } from '../../src/wdk/ntstatus.js';

describe('IoCheckShareAccess (pure)', () => {
  it('counts an open that asks for read, write or delete', () => {
    const r = IoCheckShareAccess(FILE_READ_DATA | FILE_WRITE_DATA, FILE_SHARE_READ, EMPTY_SHARE_ACCESS, true);
    expect(r.Status).toBe(STATUS_SUCCESS);
    expect(r.ShareAccess).toEqual({ OpenCount: 1, Readers: 1, Writers: 1, Deleters: 0, SharedRead: 1, SharedWrite: 0, SharedDelete: 0 });
  });

  // IoCheckShareAccess: opens without read/write/delete access never conflict and are not counted.
  it('an attributes-only open neither conflicts nor is counted', () => {
    const exclusive = IoCheckShareAccess(FILE_WRITE_DATA, 0, EMPTY_SHARE_ACCESS, true).ShareAccess;
    const attrs = IoCheckShareAccess(FILE_READ_ATTRIBUTES | SYNCHRONIZE | READ_CONTROL, 0, exclusive, true);
    expect(attrs.Status).toBe(STATUS_SUCCESS);
    expect(attrs.ShareAccess).toEqual(exclusive);
  });

  it('FILE_EXECUTE counts as read and FILE_APPEND_DATA as write', () => {
    const first = IoCheckShareAccess(FILE_EXECUTE, FILE_SHARE_READ, EMPTY_SHARE_ACCESS, true).ShareAccess;
    expect(first.Readers).toBe(1);
    expect(IoCheckShareAccess(FILE_APPEND_DATA, FILE_SHARE_READ, first, true).Status).toBe(STATUS_SHARING_VIOLATION);
  });

  it('without Update the share record is unchanged; IoRemoveShareAccess undoes IoUpdateShareAccess', () => {
    const r = IoCheckShareAccess(FILE_READ_DATA, FILE_SHARE_READ, EMPTY_SHARE_ACCESS, false);
    expect(r.ShareAccess).toBe(EMPTY_SHARE_ACCESS);
    const counted = IoCheckShareAccess(FILE_READ_DATA | DELETE, FILE_SHARE_READ | FILE_SHARE_DELETE, EMPTY_SHARE_ACCESS, true);
    expect(IoRemoveShareAccess(counted.FileObject, counted.ShareAccess)).toEqual(EMPTY_SHARE_ACCESS);
  });
});

describe('share access through IRP_MJ_CREATE', () => {
  // IoCheckShareAccess: a second writer without FILE_SHARE_WRITE fails.
  it('a second writer fails when the first open did not share write', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a', 'x');
    io.open('w1', '\\a', { access: FILE_WRITE_DATA, share: FILE_SHARE_READ });
    expect(io.open('w2', '\\a', { access: FILE_WRITE_DATA, share: FILE_SHARE_READ | FILE_SHARE_WRITE }).Status).toBe(STATUS_SHARING_VIOLATION);
  });

  // IoCheckShareAccess: a new open must share every access an existing open holds.
  it('a reader that refuses to share write fails while a writer is open', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a', 'x');
    io.open('w', '\\a', { access: FILE_WRITE_DATA, share: FILE_SHARE_READ | FILE_SHARE_WRITE });
    expect(io.open('r', '\\a', { access: FILE_READ_DATA, share: FILE_SHARE_READ }).Status).toBe(STATUS_SHARING_VIOLATION);
    expect(io.open('r2', '\\a', { access: FILE_READ_DATA, share: FILE_SHARE_READ | FILE_SHARE_WRITE }).Status).toBe(STATUS_SUCCESS);
  });

  it('DELETE access needs FILE_SHARE_DELETE from every existing open', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a', 'x');
    io.open('r', '\\a', { access: FILE_READ_DATA, share: FILE_SHARE_READ });
    expect(io.open('d', '\\a', { access: DELETE, share: FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE }).Status).toBe(STATUS_SHARING_VIOLATION);
  });

  // IoRemoveShareAccess runs at IRP_MJ_CLEANUP, not at IRP_MJ_CLOSE.
  it('cleanup releases share access even before close', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a', 'x');
    io.open('w1', '\\a', { access: FILE_WRITE_DATA, share: 0 });
    expect(io.open('w2', '\\a', { access: FILE_WRITE_DATA, share: 0 }).Status).toBe(STATUS_SHARING_VIOLATION);
    io.cleanup('w1');
    expect(io.open('w2', '\\a', { access: FILE_WRITE_DATA, share: 0 }).Status).toBe(STATUS_SUCCESS);
    expect(fs.snapshot().root.children?.[0]?.share).toEqual({ OpenCount: 1, Readers: 0, Writers: 1, Deleters: 0 });
  });

  it('overwrite dispositions take part as writers', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a', 'x');
    io.open('r', '\\a', { access: FILE_READ_DATA, share: FILE_SHARE_READ });
    expect(io.open('o', '\\a', { access: FILE_READ_DATA, disposition: 4, share: FILE_SHARE_READ }).Status).toBe(STATUS_SHARING_VIOLATION);
  });

  it('volume opens have their own share record', () => {
    const { io } = makeFs();
    // (Sharing delete keeps v1 from being an implicit lock of the volume, §21.7.)
    io.open('v1', '', { access: FILE_READ_DATA, share: FILE_SHARE_READ | FILE_SHARE_DELETE });
    expect(io.open('v2', '', { access: FILE_WRITE_DATA, share: FILE_SHARE_READ | FILE_SHARE_WRITE }).Status).toBe(STATUS_SHARING_VIOLATION);
    expect(io.open('f', '\\x', { access: FILE_WRITE_DATA, disposition: 2, share: 0 }).Status).toBe(STATUS_SUCCESS);
  });
});
