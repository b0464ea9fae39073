import { describe, expect, it } from 'vitest';
import { makeFs, USER_SID } from './helpers.js';
import {
  DELETE,
  FILE_ADD_FILE,
  FILE_ALL_ACCESS,
  FILE_ATTRIBUTE_ARCHIVE,
  FILE_ATTRIBUTE_HIDDEN,
  FILE_ATTRIBUTE_READONLY,
  FILE_CREATE,
  FILE_CREATED,
  FILE_DELETE_ON_CLOSE,
  FILE_DIRECTORY_FILE,
  FILE_DOES_NOT_EXIST,
  FILE_EXISTS,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_LIST_DIRECTORY,
  FILE_NO_INTERMEDIATE_BUFFERING,
  FILE_NON_DIRECTORY_FILE,
  FILE_OPEN,
  FILE_OPEN_BY_FILE_ID,
  FILE_OPEN_IF,
  FILE_OPEN_REQUIRING_OPLOCK,
  FILE_RESERVE_OPFILTER,
  FILE_OPENED,
  FILE_OVERWRITE,
  FILE_OVERWRITE_IF,
  FILE_OVERWRITTEN,
  FILE_READ_ATTRIBUTES,
  FILE_READ_DATA,
  FILE_SUPERSEDE,
  FILE_SUPERSEDED,
  FILE_SYNCHRONOUS_IO_ALERT,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FILE_WRITE_DATA,
  FO_ALERTABLE_IO,
  FO_NO_INTERMEDIATE_BUFFERING,
  FO_SYNCHRONOUS_IO,
  FO_VOLUME_OPEN,
  GENERIC_READ,
  GENERIC_WRITE,
  MAXIMUM_ALLOWED,
  ACCESS_SYSTEM_SECURITY,
  FILE_INFORMATION_CLASS as C,
} from '../../src/wdk/fileConstants.js';
import { SL_FORCE_ACCESS_CHECK, SL_OPEN_TARGET_DIRECTORY } from '../../src/wdk/irp.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_CANNOT_DELETE,
  STATUS_DELETE_PENDING,
  STATUS_EAS_NOT_SUPPORTED,
  STATUS_FILE_IS_A_DIRECTORY,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_PARAMETER,
  STATUS_MEDIA_WRITE_PROTECTED,
  STATUS_NOT_A_DIRECTORY,
  STATUS_OBJECT_NAME_COLLISION,
  STATUS_OBJECT_NAME_INVALID,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_OBJECT_PATH_NOT_FOUND,
  STATUS_OPLOCK_NOT_GRANTED,
  STATUS_SUCCESS,
} from '../../src/wdk/ntstatus.js';
import { STATUS_PRIVILEGE_NOT_HELD } from '../../src/wdk/ntstatus.js';
import {  } from '../../src/fs/index.js';
import type { FILE_NAME_INFORMATION } from '../../src/wdk/parameters.js';

describe('IRP_MJ_CREATE dispositions', () => {
  // ZwCreateFile: IoStatus.Information is FILE_CREATED / FILE_OPENED / FILE_OVERWRITTEN / FILE_SUPERSEDED.
  it('FILE_CREATE creates a missing file and reports FILE_CREATED', () => {
    const { fs, io } = makeFs();
    expect(io.open('f', '\\a.txt', { disposition: FILE_CREATE })).toMatchObject({ Status: STATUS_SUCCESS, Information: FILE_CREATED });
    expect(fs.exists('\\A.TXT')).toBe(true);
    expect(fs.stat('\\a.txt')?.attributes).toBe(FILE_ATTRIBUTE_ARCHIVE);
  });

  it('FILE_CREATE on an existing name is STATUS_OBJECT_NAME_COLLISION with Information FILE_EXISTS', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a.txt', 'x');
    expect(io.open('f', '\\a.txt', { disposition: FILE_CREATE })).toEqual({ Status: STATUS_OBJECT_NAME_COLLISION, Information: FILE_EXISTS });
  });

  it('FILE_OPEN opens an existing file (FILE_OPENED) and fails on a missing one with STATUS_OBJECT_NAME_NOT_FOUND', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a.txt', 'x');
    expect(io.open('f', '\\a.txt').Information).toBe(FILE_OPENED);
    expect(io.open('g', '\\b.txt').Status).toBe(STATUS_OBJECT_NAME_NOT_FOUND);
  });

  it('FILE_OPEN_IF opens or creates', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a.txt', 'x');
    expect(io.open('f', '\\a.txt', { disposition: FILE_OPEN_IF }).Information).toBe(FILE_OPENED);
    expect(io.open('g', '\\b.txt', { disposition: FILE_OPEN_IF }).Information).toBe(FILE_CREATED);
  });

  it('FILE_OVERWRITE truncates an existing file (FILE_OVERWRITTEN) and fails on a missing one', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a.txt', 'hello');
    expect(io.open('f', '\\a.txt', { disposition: FILE_OVERWRITE, access: FILE_GENERIC_WRITE }).Information).toBe(FILE_OVERWRITTEN);
    expect(fs.readFile('\\a.txt')?.length).toBe(0);
    expect(io.open('g', '\\b.txt', { disposition: FILE_OVERWRITE }).Status).toBe(STATUS_OBJECT_NAME_NOT_FOUND);
  });

  it('FILE_OVERWRITE_IF overwrites or creates', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a.txt', 'hello');
    expect(io.open('f', '\\a.txt', { disposition: FILE_OVERWRITE_IF, access: GENERIC_WRITE }).Information).toBe(FILE_OVERWRITTEN);
    expect(io.open('g', '\\b.txt', { disposition: FILE_OVERWRITE_IF }).Information).toBe(FILE_CREATED);
  });

  it('FILE_SUPERSEDE replaces an existing file (FILE_SUPERSEDED) and creates a missing one (FILE_CREATED)', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a.txt', 'hello', { attributes: FILE_ATTRIBUTE_ARCHIVE });
    expect(io.open('f', '\\a.txt', { disposition: FILE_SUPERSEDE, access: GENERIC_WRITE }).Information).toBe(FILE_SUPERSEDED);
    expect(fs.readFile('\\a.txt')?.length).toBe(0);
    expect(io.open('g', '\\b.txt', { disposition: FILE_SUPERSEDE }).Information).toBe(FILE_CREATED);
  });

  it('a disposition above FILE_MAXIMUM_DISPOSITION is STATUS_INVALID_PARAMETER', () => {
    const { io } = makeFs();
    expect(io.open('f', '\\a.txt', { disposition: 6 }).Status).toBe(STATUS_INVALID_PARAMETER);
  });

  // CreateFile CREATE_ALWAYS on a hidden file without FILE_ATTRIBUTE_HIDDEN fails with access denied.
  it('overwriting a hidden file without restating FILE_ATTRIBUTE_HIDDEN is STATUS_ACCESS_DENIED', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\h.txt', 'x', { attributes: FILE_ATTRIBUTE_HIDDEN });
    expect(io.open('f', '\\h.txt', { disposition: FILE_OVERWRITE_IF, access: GENERIC_WRITE }).Status).toBe(STATUS_ACCESS_DENIED);
    expect(io.open('g', '\\h.txt', { disposition: FILE_OVERWRITE_IF, access: GENERIC_WRITE, attributes: FILE_ATTRIBUTE_HIDDEN }).Status).toBe(STATUS_SUCCESS);
  });
});

describe('IRP_MJ_CREATE option and name checks', () => {
  it('FILE_DIRECTORY_FILE on a file is STATUS_NOT_A_DIRECTORY; FILE_NON_DIRECTORY_FILE on a directory is STATUS_FILE_IS_A_DIRECTORY', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    fs.mkdir('\\d');
    expect(io.open('a', '\\f', { options: FILE_DIRECTORY_FILE }).Status).toBe(STATUS_NOT_A_DIRECTORY);
    expect(io.open('b', '\\d', { options: FILE_NON_DIRECTORY_FILE }).Status).toBe(STATUS_FILE_IS_A_DIRECTORY);
  });

  it('FILE_DIRECTORY_FILE with FILE_CREATE makes a directory', () => {
    const { fs, io } = makeFs();
    expect(io.open('a', '\\d', { disposition: FILE_CREATE, options: FILE_DIRECTORY_FILE }).Information).toBe(FILE_CREATED);
    expect(fs.stat('\\d')?.isDirectory).toBe(true);
  });

  // NtCreateFile: FILE_DIRECTORY_FILE allows only FILE_CREATE, FILE_OPEN, FILE_OPEN_IF.
  it('FILE_DIRECTORY_FILE with FILE_OVERWRITE_IF is STATUS_INVALID_PARAMETER, as are contradictory options', () => {
    const { io } = makeFs();
    expect(io.open('a', '\\d', { disposition: FILE_OVERWRITE_IF, options: FILE_DIRECTORY_FILE }).Status).toBe(STATUS_INVALID_PARAMETER);
    expect(io.open('b', '\\d', { options: FILE_DIRECTORY_FILE | FILE_NON_DIRECTORY_FILE }).Status).toBe(STATUS_INVALID_PARAMETER);
    expect(io.open('c', '\\d', { options: FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT }).Status).toBe(STATUS_INVALID_PARAMETER);
  });

  // Ext2Fsd/FastFAT: a directory can only be opened, never overwritten.
  it('overwriting a directory is STATUS_OBJECT_NAME_COLLISION', () => {
    const { fs, io } = makeFs();
    fs.mkdir('\\d');
    expect(io.open('a', '\\d', { disposition: FILE_OVERWRITE_IF }).Status).toBe(STATUS_OBJECT_NAME_COLLISION);
  });

  it('a missing parent is STATUS_OBJECT_PATH_NOT_FOUND, a file used as a directory too', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    expect(io.open('a', '\\nope\\x.txt', { disposition: FILE_OPEN_IF }).Status).toBe(STATUS_OBJECT_PATH_NOT_FOUND);
    expect(io.open('b', '\\f\\x.txt', { disposition: FILE_OPEN_IF }).Status).toBe(STATUS_OBJECT_PATH_NOT_FOUND);
  });

  it.each([['no\\leading'], ['\\a\\\\b'], ['\\wild*.txt'], ['\\q?.txt'], ['\\a:'], ['\\a:s:$BITMAP'], ['\\a:s:$DATA:x'], ['\\.'], ['\\..\\x'], ['\\' + 'n'.repeat(256)]])(
    'the name %s is STATUS_OBJECT_NAME_INVALID',
    (name) => {
      const { io } = makeFs();
      expect(io.open('a', name, { disposition: FILE_OPEN_IF }).Status).toBe(STATUS_OBJECT_NAME_INVALID);
    },
  );

  it('a trailing backslash on a file name is STATUS_OBJECT_NAME_INVALID but opens a directory', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    fs.mkdir('\\d');
    expect(io.open('a', '\\f\\').Status).toBe(STATUS_OBJECT_NAME_INVALID);
    expect(io.open('b', '\\d\\').Status).toBe(STATUS_SUCCESS);
    expect(io.open('c', '\\new\\', { disposition: FILE_CREATE }).Status).toBe(STATUS_OBJECT_NAME_INVALID);
  });

  it('names are case-insensitive and case-preserving', () => {
    const { fs, io } = makeFs();
    io.open('a', '\\MixedCase.TXT', { disposition: FILE_CREATE });
    expect(io.open('b', '\\mixedcase.txt').Status).toBe(STATUS_SUCCESS);
    expect(fs.list('\\')).toEqual(['MixedCase.TXT']);
  });

  it('relative opens resolve against the related directory; a leading backslash there is STATUS_OBJECT_NAME_INVALID', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\d\\x.txt', 'x');
    io.open('dir', '\\d');
    expect(io.open('a', 'x.txt', { related: 'dir' }).Status).toBe(STATUS_SUCCESS);
    expect(io.open('b', '\\x.txt', { related: 'dir' }).Status).toBe(STATUS_OBJECT_NAME_INVALID);
    expect(io.open('c', 'x.txt', { related: 'missing' }).Status).toBe(STATUS_INVALID_HANDLE);
    const name = io.query('a', C.FileNameInformation);
    expect((name.output?.kind === 'fileInformation' ? (name.output.info as FILE_NAME_INFORMATION) : null)?.FileName).toBe('\\d\\x.txt');
  });

  it('EaLength > 0 is STATUS_EAS_NOT_SUPPORTED; FILE_OPEN_REQUIRING_OPLOCK opens when it breaks no oplock; FILE_RESERVE_OPFILTER asking more than FILE_READ_ATTRIBUTES is STATUS_OPLOCK_NOT_GRANTED (§21.8)', () => {
    const { io } = makeFs();
    expect(io.open('a', '\\x', { disposition: FILE_CREATE, eaLength: 8 }).Status).toBe(STATUS_EAS_NOT_SUPPORTED);
    expect(io.open('b', '\\x', { disposition: FILE_CREATE, options: FILE_OPEN_REQUIRING_OPLOCK }).Status).toBe(STATUS_SUCCESS);
    expect(io.open('c', '\\y', { disposition: FILE_CREATE, access: FILE_READ_DATA, options: FILE_RESERVE_OPFILTER }).Status).toBe(STATUS_OPLOCK_NOT_GRANTED);
  });

  it('a second create on an already-open file object is STATUS_INVALID_PARAMETER', () => {
    const { io } = makeFs();
    io.open('a', '\\x', { disposition: FILE_CREATE });
    expect(io.send('a', 0, { Create: { SecurityContext: { DesiredAccess: 0 }, Options: 0x01000000, FileAttributes: 0, ShareAccess: 0, EaLength: 0 } }).Status).toBe(
      STATUS_INVALID_PARAMETER,
    );
  });
});

describe('IRP_MJ_CREATE file object flags', () => {
  it('FILE_SYNCHRONOUS_IO_NONALERT sets FO_SYNCHRONOUS_IO; _ALERT adds FO_ALERTABLE_IO', () => {
    const { io } = makeFs();
    io.open('a', '\\x', { disposition: FILE_CREATE, options: FILE_SYNCHRONOUS_IO_NONALERT });
    expect(io.flags('a') & (FO_SYNCHRONOUS_IO | FO_ALERTABLE_IO)).toBe(FO_SYNCHRONOUS_IO);
    io.open('b', '\\x', { options: FILE_SYNCHRONOUS_IO_ALERT });
    expect(io.flags('b') & (FO_SYNCHRONOUS_IO | FO_ALERTABLE_IO)).toBe(FO_SYNCHRONOUS_IO | FO_ALERTABLE_IO);
  });

  it('FILE_NO_INTERMEDIATE_BUFFERING sets FO_NO_INTERMEDIATE_BUFFERING', () => {
    const { io } = makeFs();
    io.open('a', '\\x', { disposition: FILE_CREATE, options: FILE_NO_INTERMEDIATE_BUFFERING });
    expect(io.flags('a') & FO_NO_INTERMEDIATE_BUFFERING).toBe(FO_NO_INTERMEDIATE_BUFFERING);
  });

  it('an empty name with no related file object opens the volume (FO_VOLUME_OPEN)', () => {
    const { io } = makeFs();
    expect(io.open('v', '', { access: FILE_READ_DATA }).Information).toBe(FILE_OPENED);
    expect(io.flags('v') & FO_VOLUME_OPEN).toBe(FO_VOLUME_OPEN);
  });

  // FastFAT FatOpenVolume: only FILE_OPEN/FILE_OPEN_IF; FILE_DIRECTORY_FILE → STATUS_NOT_A_DIRECTORY.
  it('a volume open with FILE_CREATE is STATUS_ACCESS_DENIED, with FILE_DIRECTORY_FILE STATUS_NOT_A_DIRECTORY', () => {
    const { io } = makeFs();
    expect(io.open('v', '', { disposition: FILE_CREATE }).Status).toBe(STATUS_ACCESS_DENIED);
    expect(io.open('w', '', { options: FILE_DIRECTORY_FILE }).Status).toBe(STATUS_NOT_A_DIRECTORY);
  });
});

describe('IRP_MJ_CREATE access', () => {
  it('GENERIC_READ maps to FILE_GENERIC_READ in the granted access', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a', 'x');
    io.open('a', '\\a', { access: GENERIC_READ });
    expect(io.query('a', C.FileAccessInformation).output).toMatchObject({ info: { AccessFlags: FILE_GENERIC_READ } });
  });

  it('the read-only attribute denies write access (STATUS_ACCESS_DENIED) and delete-on-close (STATUS_CANNOT_DELETE)', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\ro', 'x', { attributes: FILE_ATTRIBUTE_READONLY });
    expect(io.open('a', '\\ro', { access: FILE_WRITE_DATA }).Status).toBe(STATUS_ACCESS_DENIED);
    expect(io.open('b', '\\ro', { access: DELETE, options: FILE_DELETE_ON_CLOSE }).Status).toBe(STATUS_CANNOT_DELETE);
    expect(io.open('c', '\\ro', { access: FILE_READ_DATA }).Status).toBe(STATUS_SUCCESS);
  });

  it('MAXIMUM_ALLOWED on a read-only file grants everything but write data', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\ro', 'x', { attributes: FILE_ATTRIBUTE_READONLY });
    io.open('a', '\\ro', { access: MAXIMUM_ALLOWED });
    expect(io.query('a', C.FileAccessInformation).output).toMatchObject({ info: { AccessFlags: FILE_ALL_ACCESS & ~(FILE_WRITE_DATA | 4) } });
  });

  it('UserMode opens are checked against the DACL; KernelMode opens are not unless SL_FORCE_ACCESS_CHECK', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\secret', 'x', { security: { Owner: 'S-1-5-18', Group: 'S-1-5-18', Dacl: [{ type: 'allow', sid: 'S-1-5-18', mask: FILE_ALL_ACCESS }], Sacl: null } });
    expect(io.open('u', '\\secret', { access: FILE_READ_DATA, mode: 'UserMode', sid: USER_SID }).Status).toBe(STATUS_ACCESS_DENIED);
    expect(io.open('k', '\\secret', { access: FILE_READ_DATA, mode: 'KernelMode', sid: USER_SID }).Status).toBe(STATUS_SUCCESS);
    expect(io.open('f', '\\secret', { access: FILE_READ_DATA, sid: USER_SID, operationFlags: SL_FORCE_ACCESS_CHECK }).Status).toBe(STATUS_ACCESS_DENIED);
    expect(io.open('s', '\\secret', { access: FILE_READ_DATA, mode: 'UserMode', sid: 'S-1-5-18' }).Status).toBe(STATUS_SUCCESS);
  });

  it('a deny ACE before an allow ACE wins; the owner always gets READ_CONTROL', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\d', 'x', {
      security: {
        Owner: USER_SID,
        Group: null,
        Dacl: [
          { type: 'deny', sid: USER_SID, mask: FILE_WRITE_DATA },
          { type: 'allow', sid: 'S-1-1-0', mask: FILE_ALL_ACCESS },
        ],
        Sacl: null,
      },
    });
    const user = { mode: 'UserMode' as const, sid: USER_SID };
    expect(io.open('a', '\\d', { ...user, access: FILE_WRITE_DATA }).Status).toBe(STATUS_ACCESS_DENIED);
    expect(io.open('b', '\\d', { ...user, access: FILE_READ_DATA }).Status).toBe(STATUS_SUCCESS);
  });

  it('creating a file needs FILE_ADD_FILE on the parent for UserMode', () => {
    const { fs, io } = makeFs();
    fs.mkdir('\\locked');
    fs.setSecurity('\\locked', { Owner: 'S-1-5-18', Group: null, Dacl: [{ type: 'allow', sid: 'S-1-1-0', mask: FILE_LIST_DIRECTORY }], Sacl: null });
    expect(io.open('a', '\\locked\\x', { disposition: FILE_CREATE, mode: 'UserMode', sid: USER_SID }).Status).toBe(STATUS_ACCESS_DENIED);
    fs.setSecurity('\\locked', { Owner: 'S-1-5-18', Group: null, Dacl: [{ type: 'allow', sid: 'S-1-1-0', mask: FILE_ADD_FILE }], Sacl: null });
    expect(io.open('b', '\\locked\\x', { disposition: FILE_CREATE, mode: 'UserMode', sid: USER_SID }).Status).toBe(STATUS_SUCCESS);
  });

  it('a new file inherits its parent DACL and is owned by its creator', () => {
    const { fs, io } = makeFs();
    io.open('a', '\\new', { disposition: FILE_CREATE, sid: USER_SID });
    const sd = fs.stat('\\new')?.security;
    expect(sd?.Owner).toBe(USER_SID);
    expect(sd?.Dacl).toEqual(fs.stat('\\')?.security?.Dacl);
  });

  it('ACCESS_SYSTEM_SECURITY without SeSecurityPrivilege is STATUS_PRIVILEGE_NOT_HELD for UserMode', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a', 'x');
    expect(io.open('a', '\\a', { access: ACCESS_SYSTEM_SECURITY, mode: 'UserMode', sid: USER_SID }).Status).toBe(STATUS_PRIVILEGE_NOT_HELD);
    expect(io.open('b', '\\a', { access: ACCESS_SYSTEM_SECURITY, mode: 'UserMode', sid: 'S-1-5-18' }).Status).toBe(STATUS_SUCCESS);
  });

  it('a read-only volume refuses creation and write access with STATUS_MEDIA_WRITE_PROTECTED', () => {
    const { fs, io } = makeFs({ readOnly: true });
    fs.writeFile('\\a', 'x');
    expect(io.open('a', '\\b', { disposition: FILE_CREATE }).Status).toBe(STATUS_MEDIA_WRITE_PROTECTED);
    expect(io.open('b', '\\a', { access: FILE_WRITE_DATA }).Status).toBe(STATUS_MEDIA_WRITE_PROTECTED);
    expect(io.open('c', '\\a', { access: FILE_READ_DATA }).Status).toBe(STATUS_SUCCESS);
  });

  // MS-FSA 2.1.5.1: FILE_DELETE_ON_CLOSE without DELETE in DesiredAccess.
  it('FILE_DELETE_ON_CLOSE without DELETE access is STATUS_INVALID_PARAMETER', () => {
    const { io } = makeFs();
    expect(io.open('a', '\\x', { disposition: FILE_CREATE, access: FILE_READ_DATA, options: FILE_DELETE_ON_CLOSE }).Status).toBe(STATUS_INVALID_PARAMETER);
  });

  it('opening a delete-pending file is STATUS_DELETE_PENDING', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a', 'x');
    io.open('a', '\\a', { access: DELETE });
    io.set('a', C.FileDispositionInformation, { DeleteFile: true });
    expect(io.open('b', '\\a', { access: FILE_READ_ATTRIBUTES }).Status).toBe(STATUS_DELETE_PENDING);
  });
});

describe('SL_OPEN_TARGET_DIRECTORY', () => {
  it('opens the parent directory and reports FILE_EXISTS or FILE_DOES_NOT_EXIST for the final component', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\d\\x', 'x');
    expect(io.open('a', '\\d\\x', { operationFlags: SL_OPEN_TARGET_DIRECTORY })).toMatchObject({ Status: STATUS_SUCCESS, Information: FILE_EXISTS });
    expect(io.open('b', '\\d\\y', { operationFlags: SL_OPEN_TARGET_DIRECTORY })).toMatchObject({ Status: STATUS_SUCCESS, Information: FILE_DOES_NOT_EXIST });
    expect(io.query('b', C.FileStandardInformation).output).toMatchObject({ info: { Directory: true } });
    expect(io.open('c', '\\nope\\y', { operationFlags: SL_OPEN_TARGET_DIRECTORY }).Status).toBe(STATUS_OBJECT_PATH_NOT_FOUND);
  });
});

describe('FILE_OPEN_BY_FILE_ID', () => {
  it('opens by the 64-bit file id carried as 16 hex digits; unknown ids are STATUS_INVALID_PARAMETER', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\d\\x', 'x');
    const id = fs.stat('\\d\\x')?.fileId ?? 0;
    expect(io.open('a', id.toString(16).padStart(16, '0'), { options: FILE_OPEN_BY_FILE_ID }).Status).toBe(STATUS_SUCCESS);
    const name = io.query('a', C.FileNameInformation).output;
    expect(name).toMatchObject({ info: { FileName: '\\d\\x' } });
    expect(io.open('b', 'ffffffffffffffff', { options: FILE_OPEN_BY_FILE_ID }).Status).toBe(STATUS_INVALID_PARAMETER);
    expect(io.open('c', id.toString(16).padStart(16, '0'), { options: FILE_OPEN_BY_FILE_ID, disposition: FILE_CREATE }).Status).toBe(STATUS_ACCESS_DENIED);
  });
});
