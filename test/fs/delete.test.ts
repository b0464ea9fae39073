import { describe, expect, it } from 'vitest';
import { makeFs, outputInfo } from './helpers.js';
import { FSCTL_GET_OBJECT_ID, IRP_MJ_QUERY_SECURITY, IRP_MJ_QUERY_VOLUME_INFORMATION, IRP_MJ_SET_SECURITY, IRP_PAGING_IO, OWNER_SECURITY_INFORMATION } from '../../src/index.js';
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
  READ_CONTROL,
} from '../../src/wdk/fileConstants.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_CANNOT_DELETE,
  STATUS_DELETE_PENDING,
  STATUS_DIRECTORY_NOT_EMPTY,
  STATUS_FILE_CLOSED,
  STATUS_FILE_DELETED,
  STATUS_OBJECTID_NOT_FOUND,
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
});

describe('requests after IRP_MJ_CLEANUP, before IRP_MJ_CLOSE (§21.2)', () => {
  const OUT = 64;
  /** Every request class on the cleaned-up file object `a`, by the status it gets. */
  function classes(io: ReturnType<typeof makeFs>['io']) {
    return {
      read: io.read('a', 0, 1).Status,
      pagingRead: io.read('a', 0, 512, { IrpFlags: IRP_PAGING_IO }).Status,
      write: io.write('a', 0, 'y').Status,
      queryStandard: io.query('a', C.FileStandardInformation).Status,
      setBasic: io.set('a', C.FileBasicInformation, { CreationTime: 0, LastAccessTime: 0, LastWriteTime: 0, ChangeTime: 0, FileAttributes: 0 }).Status,
      getObjectId: io.fsctl('a', FSCTL_GET_OBJECT_ID, null, 0, OUT).Status,
      querySecurity: io.send('a', IRP_MJ_QUERY_SECURITY, { QuerySecurity: { SecurityInformation: OWNER_SECURITY_INFORMATION, Length: 4096 } }).Status,
      setSecurity: io.send('a', IRP_MJ_SET_SECURITY, { SetSecurity: { SecurityInformation: OWNER_SECURITY_INFORMATION, SecurityDescriptor: null } }).Status,
      queryVolume: io.send('a', IRP_MJ_QUERY_VOLUME_INFORMATION, { QueryVolumeInformation: { Length: 4096, FsInformationClass: 1 } }).Status,
      flush: io.flush('a').Status,
    };
  }

  it('NTFS, the file still there: its state is served, what acts through the handle is STATUS_FILE_CLOSED', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x'.repeat(600));
    io.open('a', '\\f', { access: FILE_READ_DATA | DELETE | READ_CONTROL });
    io.cleanup('a');
    expect(classes(io)).toEqual({
      read: STATUS_FILE_CLOSED,
      pagingRead: STATUS_SUCCESS,
      write: STATUS_FILE_CLOSED,
      queryStandard: STATUS_SUCCESS,
      setBasic: STATUS_FILE_CLOSED,
      getObjectId: STATUS_OBJECTID_NOT_FOUND,
      querySecurity: STATUS_SUCCESS,
      setSecurity: STATUS_FILE_CLOSED,
      queryVolume: STATUS_SUCCESS,
      flush: STATUS_FILE_CLOSED,
    });
  });

  it('NTFS, the file removed by that cleanup: queries and FSCTLs on it are STATUS_FILE_DELETED (the delete sample relies on it)', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x'.repeat(600));
    io.open('a', '\\f', { access: FILE_READ_DATA | DELETE });
    expect(io.set('a', C.FileDispositionInformation, { DeleteFile: true }).Status).toBe(STATUS_SUCCESS);
    io.cleanup('a');
    expect(fs.exists('\\f')).toBe(false);
    expect(classes(io)).toMatchObject({ pagingRead: STATUS_SUCCESS, queryStandard: STATUS_FILE_DELETED, getObjectId: STATUS_FILE_DELETED, querySecurity: STATUS_FILE_DELETED, read: STATUS_FILE_CLOSED, queryVolume: STATUS_SUCCESS });
    expect(io.close('a').Status).toBe(STATUS_SUCCESS);
  });

  it('NTFS, delete pending while another handle keeps the file: FileStandardInformation succeeds with DeletePending TRUE', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    io.open('a', '\\f', { access: FILE_READ_DATA | DELETE, share: 7 });
    io.open('b', '\\f', { access: FILE_READ_DATA, share: 7 });
    io.set('a', C.FileDispositionInformation, { DeleteFile: true });
    io.cleanup('a');
    const standard = io.query('a', C.FileStandardInformation);
    expect(standard.Status).toBe(STATUS_SUCCESS);
    expect(outputInfo<{ DeletePending: boolean }>(standard).DeletePending).toBe(true);
    io.cleanup('b');
    expect(io.query('a', C.FileStandardInformation).Status).toBe(STATUS_FILE_DELETED);
  });

  it('FAT: FastFat refuses everything but paging I/O, query and set information with STATUS_FILE_CLOSED', () => {
    const { fs, io } = makeFs({ fsType: 'FAT' });
    fs.writeFile('\\f', 'x'.repeat(600));
    io.open('a', '\\f', { access: FILE_READ_DATA | DELETE });
    io.cleanup('a');
    expect(classes(io)).toEqual({
      read: STATUS_FILE_CLOSED,
      pagingRead: STATUS_SUCCESS,
      write: STATUS_FILE_CLOSED,
      queryStandard: STATUS_SUCCESS,
      setBasic: STATUS_ACCESS_DENIED,
      getObjectId: STATUS_FILE_CLOSED,
      querySecurity: STATUS_FILE_CLOSED,
      setSecurity: STATUS_FILE_CLOSED,
      queryVolume: STATUS_FILE_CLOSED,
      flush: STATUS_FILE_CLOSED,
    });
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
