import { describe, expect, it } from 'vitest';
import { makeFs } from './helpers.js';
import {
  DELETE,
  FILE_ATTRIBUTE_READONLY,
  FILE_CREATE,
  FILE_DELETE_ON_CLOSE,
  FILE_DIRECTORY_FILE,
  FILE_DISPOSITION_DELETE,
  FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE,
  FILE_DISPOSITION_ON_CLOSE,
  FILE_DISPOSITION_POSIX_SEMANTICS,
  FILE_INFORMATION_CLASS as C,
  FILE_READ_DATA,
  FO_CLEANUP_COMPLETE,
  FO_DELETE_ON_CLOSE,
} from '../../src/wdk/fileConstants.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_CANNOT_DELETE,
  STATUS_DELETE_PENDING,
  STATUS_DIRECTORY_NOT_EMPTY,
  STATUS_FILE_CLOSED,
  STATUS_SUCCESS,
} from '../../src/wdk/ntstatus.js';

describe('delete-on-close', () => {
  it('the file disappears at the cleanup of its last handle', () => {
    const { fs, io } = makeFs();
    io.open('a', '\\tmp', { disposition: FILE_CREATE, access: DELETE | FILE_READ_DATA, options: FILE_DELETE_ON_CLOSE });
    expect(io.flags('a') & FO_DELETE_ON_CLOSE).toBe(FO_DELETE_ON_CLOSE);
    io.open('b', '\\tmp', { access: FILE_READ_DATA });
    io.cleanup('a');
    // MS-FSA: once delete-pending, new opens fail; the name stays until the last handle goes.
    expect(fs.exists('\\tmp')).toBe(true);
    expect(io.open('c', '\\tmp').Status).toBe(STATUS_DELETE_PENDING);
    io.cleanup('b');
    expect(fs.exists('\\tmp')).toBe(false);
  });

  it('sets FO_CLEANUP_COMPLETE and later non-paging I/O is STATUS_FILE_CLOSED', () => {
    const { io } = makeFs();
    io.open('a', '\\x', { disposition: FILE_CREATE });
    const c = io.cleanup('a');
    expect(c.Status).toBe(STATUS_SUCCESS);
    expect(io.flags('a') & FO_CLEANUP_COMPLETE).toBe(FO_CLEANUP_COMPLETE);
    expect(io.read('a', 0, 1).Status).toBe(STATUS_FILE_CLOSED);
  });

  it('a non-empty directory opened delete-on-close is STATUS_DIRECTORY_NOT_EMPTY; the root is STATUS_CANNOT_DELETE', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\d\\x', 'x');
    expect(io.open('a', '\\d', { access: DELETE, options: FILE_DELETE_ON_CLOSE | FILE_DIRECTORY_FILE }).Status).toBe(STATUS_DIRECTORY_NOT_EMPTY);
    expect(io.open('r', '\\', { access: DELETE, options: FILE_DELETE_ON_CLOSE }).Status).toBe(STATUS_CANNOT_DELETE);
  });
});

describe('FileDispositionInformation', () => {
  // MS-FSA 2.1.5.15.3
  it('needs DELETE access', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a', 'x');
    io.open('a', '\\a', { access: FILE_READ_DATA });
    expect(io.set('a', C.FileDispositionInformation, { DeleteFile: true }).Status).toBe(STATUS_ACCESS_DENIED);
  });

  it('read-only files are STATUS_CANNOT_DELETE unless FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\ro', 'x', { attributes: FILE_ATTRIBUTE_READONLY });
    io.open('a', '\\ro', { access: DELETE });
    expect(io.set('a', C.FileDispositionInformation, { DeleteFile: true }).Status).toBe(STATUS_CANNOT_DELETE);
    expect(io.set('a', C.FileDispositionInformationEx, { Flags: FILE_DISPOSITION_DELETE | FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE }).Status).toBe(STATUS_SUCCESS);
    io.closeHandle('a');
    expect(fs.exists('\\ro')).toBe(false);
  });

  it('a non-empty directory is STATUS_DIRECTORY_NOT_EMPTY', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\d\\x', 'x');
    io.open('a', '\\d', { access: DELETE });
    expect(io.set('a', C.FileDispositionInformation, { DeleteFile: true }).Status).toBe(STATUS_DIRECTORY_NOT_EMPTY);
  });

  it('DeleteFile = FALSE cancels a pending delete; FileStandardInformation shows DeletePending', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a', 'x');
    io.open('a', '\\a', { access: DELETE });
    io.set('a', C.FileDispositionInformation, { DeleteFile: true });
    expect(io.query('a', C.FileStandardInformation).output).toMatchObject({ info: { DeletePending: true } });
    io.set('a', C.FileDispositionInformation, { DeleteFile: false });
    io.closeHandle('a');
    expect(fs.exists('\\a')).toBe(true);
  });

  it('FILE_DISPOSITION_ON_CLOSE sets delete-on-close on the handle instead', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a', 'x');
    io.open('a', '\\a', { access: DELETE });
    io.set('a', C.FileDispositionInformationEx, { Flags: FILE_DISPOSITION_DELETE | FILE_DISPOSITION_ON_CLOSE });
    expect(io.query('a', C.FileStandardInformation).output).toMatchObject({ info: { DeletePending: false } });
    io.cleanup('a');
    expect(fs.exists('\\a')).toBe(false);
  });

  // FILE_DISPOSITION_INFORMATION_EX: with POSIX semantics the name goes when this handle closes,
  // while other handles keep the data.
  it('POSIX semantics remove the name at this handle\'s cleanup while others still read the data', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a', 'data');
    io.open('reader', '\\a', { access: FILE_READ_DATA });
    io.open('deleter', '\\a', { access: DELETE });
    io.set('deleter', C.FileDispositionInformationEx, { Flags: FILE_DISPOSITION_DELETE | FILE_DISPOSITION_POSIX_SEMANTICS });
    io.cleanup('deleter');
    expect(fs.exists('\\a')).toBe(false);
    expect(io.read('reader', 0, 4)).toMatchObject({ Status: STATUS_SUCCESS, Information: 4 });
    expect(fs.snapshot().orphans).toHaveLength(1);
    io.closeHandle('reader');
    io.close('deleter');
    expect(fs.snapshot().orphans).toHaveLength(0);
  });

  it('deleting one hard link keeps the file under its other name', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a', 'x');
    io.open('a', '\\a', { access: DELETE });
    io.set('a', C.FileLinkInformation, { ReplaceIfExists: false, RootDirectory: null, FileName: '\\b' });
    io.set('a', C.FileDispositionInformation, { DeleteFile: true });
    io.closeHandle('a');
    expect(fs.exists('\\a')).toBe(false);
    expect(fs.stat('\\b')?.numberOfLinks).toBe(1);
  });
});
