import { describe, expect, it } from 'vitest';
import { makeFs, outputInfo } from './helpers.js';
import type { FILE_ALL_INFORMATION, FILE_NAME_INFORMATION, FILE_STANDARD_INFORMATION } from '../../src/wdk/parameters.js';
import {
  DELETE,
  FILE_ATTRIBUTE_HIDDEN,
  FILE_ATTRIBUTE_NORMAL,
  FILE_ATTRIBUTE_READONLY,
  FILE_ATTRIBUTE_REPARSE_POINT,
  FILE_CREATE,
  FILE_DIRECTORY_FILE,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_INFORMATION_CLASS as C,
  FILE_NO_INTERMEDIATE_BUFFERING,
  FILE_READ_ATTRIBUTES,
  FILE_READ_DATA,
  FILE_WRITE_ATTRIBUTES,
  IO_REPARSE_TAG_SYMLINK,
  FILE_OPEN_REPARSE_POINT,
} from '../../src/wdk/fileConstants.js';
import { SL_OPEN_TARGET_DIRECTORY } from '../../src/wdk/irp.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_BUFFER_OVERFLOW,
  STATUS_FILE_IS_A_DIRECTORY,
  STATUS_INFO_LENGTH_MISMATCH,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_INVALID_INFO_CLASS,
  STATUS_INVALID_PARAMETER,
  STATUS_OBJECT_NAME_COLLISION,
  STATUS_SUCCESS,
} from '../../src/wdk/ntstatus.js';

describe('IRP_MJ_QUERY_INFORMATION', () => {
  it('FileBasicInformation and FileStandardInformation describe the file', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'hello');
    io.open('a', '\\f', { access: FILE_READ_ATTRIBUTES });
    expect(io.query('a', C.FileBasicInformation)).toMatchObject({ Status: STATUS_SUCCESS, Information: 40 });
    const std = outputInfo<FILE_STANDARD_INFORMATION>(io.query('a', C.FileStandardInformation));
    expect(std).toEqual({ AllocationSize: 4096, EndOfFile: 5, NumberOfLinks: 1, DeletePending: false, Directory: false });
  });

  it('a fixed-size class with a short buffer is STATUS_INFO_LENGTH_MISMATCH', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    io.open('a', '\\f');
    expect(io.query('a', C.FileBasicInformation, 39).Status).toBe(STATUS_INFO_LENGTH_MISMATCH);
    expect(io.query('a', C.FileStandardInformation, 23).Status).toBe(STATUS_INFO_LENGTH_MISMATCH);
  });

  it('unknown class numbers are STATUS_INVALID_INFO_CLASS; known but unsupported ones STATUS_INVALID_PARAMETER', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    io.open('a', '\\f');
    expect(io.query('a', 0).Status).toBe(STATUS_INVALID_INFO_CLASS);
    expect(io.query('a', 200).Status).toBe(STATUS_INVALID_INFO_CLASS);
    expect(io.query('a', C.FileStreamInformation).Status).toBe(STATUS_INVALID_PARAMETER);
  });

  // NTFS: a name that does not fit comes back truncated with STATUS_BUFFER_OVERFLOW, FileNameLength full.
  it('FileNameInformation truncates with STATUS_BUFFER_OVERFLOW and reports the full length', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\dir\\long-name.txt', 'x');
    io.open('a', '\\dir\\long-name.txt');
    const full = io.query('a', C.FileNameInformation);
    expect(full).toMatchObject({ Status: STATUS_SUCCESS, Information: 4 + 2 * 18 });
    expect(outputInfo<FILE_NAME_INFORMATION>(full)).toEqual({ FileNameLength: 36, FileName: '\\dir\\long-name.txt' });
    const cut = io.query('a', C.FileNameInformation, 12);
    expect(cut).toMatchObject({ Status: STATUS_BUFFER_OVERFLOW, Information: 12 });
    expect(outputInfo<FILE_NAME_INFORMATION>(cut)).toEqual({ FileNameLength: 36, FileName: '\\dir' });
  });

  it('FileNameInformation keeps the case the opener typed; FileNormalizedNameInformation the stored case', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\Dir\\File.TXT', 'x');
    io.open('a', '\\dir\\file.txt');
    expect(outputInfo<FILE_NAME_INFORMATION>(io.query('a', C.FileNameInformation)).FileName).toBe('\\dir\\file.txt');
    expect(outputInfo<FILE_NAME_INFORMATION>(io.query('a', C.FileNormalizedNameInformation)).FileName).toBe('\\Dir\\File.TXT');
  });

  it('FileInternalInformation, FileIdInformation and FilePositionInformation', () => {
    const { fs, io } = makeFs({ serialNumber: 0x1234 });
    fs.writeFile('\\f', 'x');
    const id = fs.stat('\\f')?.fileId ?? 0;
    io.open('a', '\\f');
    expect(io.query('a', C.FileInternalInformation).output).toMatchObject({ info: { IndexNumber: id } });
    expect(io.query('a', C.FileIdInformation).output).toMatchObject({ info: { VolumeSerialNumber: 0x1234, FileId: id.toString(16).padStart(2, '0') + '0'.repeat(30) } });
    expect(io.query('a', C.FilePositionInformation).output).toMatchObject({ info: { CurrentByteOffset: 0 } });
  });

  it('FileAttributeTagInformation reports the reparse tag; attributes report FILE_ATTRIBUTE_NORMAL when none', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\plain', 'x', { attributes: 0 });
    fs.writeFile('\\link', 'x');
    fs.setReparsePoint('\\link', IO_REPARSE_TAG_SYMLINK, null, new Uint8Array(4));
    io.open('p', '\\plain');
    io.open('l', '\\link', { options: FILE_OPEN_REPARSE_POINT });
    expect(io.query('p', C.FileAttributeTagInformation).output).toMatchObject({ info: { FileAttributes: FILE_ATTRIBUTE_NORMAL, ReparseTag: 0 } });
    const tag = io.query('l', C.FileAttributeTagInformation).output;
    expect(tag).toMatchObject({ info: { ReparseTag: IO_REPARSE_TAG_SYMLINK } });
    expect(((tag?.kind === 'fileInformation' ? (tag.info as { FileAttributes: number }) : { FileAttributes: 0 }).FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) !== 0).toBe(true);
  });

  it('FileAllInformation combines the classes and truncates only the name', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\abc', 'x');
    io.open('a', '\\abc', { access: FILE_GENERIC_READ });
    const all = io.query('a', C.FileAllInformation);
    expect(all.Information).toBe(100 + 8);
    const info = outputInfo<FILE_ALL_INFORMATION>(all);
    expect(info.StandardInformation.EndOfFile).toBe(1);
    expect(info.AccessInformation.AccessFlags).toBe(FILE_GENERIC_READ);
    expect(io.query('a', C.FileAllInformation, 104).Status).toBe(STATUS_BUFFER_OVERFLOW);
  });

  it('UserMode queries of FileBasicInformation need FILE_READ_ATTRIBUTES; KernelMode ones do not', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    io.open('a', '\\f', { access: FILE_READ_DATA });
    expect(io.query('a', C.FileBasicInformation, 40, { RequestorMode: 'UserMode' }).Status).toBe(STATUS_ACCESS_DENIED);
    expect(io.query('a', C.FileBasicInformation, 40).Status).toBe(STATUS_SUCCESS);
  });
});

describe('IRP_MJ_SET_INFORMATION', () => {
  it('FileBasicInformation sets times and attributes; 0 leaves a field alone; needs FILE_WRITE_ATTRIBUTES', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    io.open('r', '\\f', { access: FILE_READ_DATA });
    const basic = { CreationTime: 7, LastAccessTime: 0, LastWriteTime: 0, ChangeTime: 0, FileAttributes: FILE_ATTRIBUTE_HIDDEN };
    expect(io.set('r', C.FileBasicInformation, basic).Status).toBe(STATUS_ACCESS_DENIED);
    io.open('a', '\\f', { access: FILE_WRITE_ATTRIBUTES });
    expect(io.set('a', C.FileBasicInformation, basic).Status).toBe(STATUS_SUCCESS);
    expect(fs.stat('\\f')).toMatchObject({ creationTime: 7, attributes: FILE_ATTRIBUTE_HIDDEN });
    expect(io.set('a', C.FileBasicInformation, { ...basic, FileAttributes: 0x10 }).Status).toBe(STATUS_INVALID_PARAMETER);
    expect(io.set('a', C.FileBasicInformation, basic, 39).Status).toBe(STATUS_INFO_LENGTH_MISMATCH);
  });

  it('FileEndOfFileInformation truncates and zero-extends; allocation follows in clusters', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'hello');
    io.open('a', '\\f', { access: FILE_GENERIC_WRITE });
    io.set('a', C.FileEndOfFileInformation, { EndOfFile: 2 });
    expect(fs.readFile('\\f')).toEqual(new Uint8Array([104, 101]));
    io.set('a', C.FileEndOfFileInformation, { EndOfFile: 5000 });
    expect(fs.stat('\\f')).toMatchObject({ endOfFile: 5000, allocationSize: 8192 });
    expect(io.set('a', C.FileEndOfFileInformation, { EndOfFile: -1 }).Status).toBe(STATUS_INVALID_PARAMETER);
  });

  it('FileAllocationInformation rounds to clusters and truncates EOF beyond it', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', new Uint8Array(6000));
    io.open('a', '\\f', { access: FILE_GENERIC_WRITE });
    io.set('a', C.FileAllocationInformation, { AllocationSize: 100 });
    expect(fs.stat('\\f')).toMatchObject({ allocationSize: 4096, endOfFile: 4096 });
    io.open('r', '\\f', { access: FILE_READ_DATA });
    expect(io.set('r', C.FileAllocationInformation, { AllocationSize: 100 }).Status).toBe(STATUS_ACCESS_DENIED);
  });

  it('FilePositionInformation moves CurrentByteOffset; unaligned on a no-buffering handle is STATUS_INVALID_PARAMETER', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    io.open('a', '\\f');
    io.set('a', C.FilePositionInformation, { CurrentByteOffset: 77 });
    expect(io.offset('a')).toBe(77);
    io.open('n', '\\f', { options: FILE_NO_INTERMEDIATE_BUFFERING });
    expect(io.set('n', C.FilePositionInformation, { CurrentByteOffset: 77 }).Status).toBe(STATUS_INVALID_PARAMETER);
  });

  it('a null or malformed InfoBuffer is STATUS_INVALID_PARAMETER; unknown classes STATUS_INVALID_INFO_CLASS', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    io.open('a', '\\f', { access: DELETE });
    expect(io.set('a', C.FileDispositionInformation, null).Status).toBe(STATUS_INVALID_PARAMETER);
    expect(io.set('a', 99, { DeleteFile: true }).Status).toBe(STATUS_INVALID_INFO_CLASS);
    expect(io.set('a', C.FileStandardInformation, { DeleteFile: true }).Status).toBe(STATUS_INVALID_PARAMETER);
  });
});

describe('FileRenameInformation and FileLinkInformation', () => {
  const rename = (FileName: string, ReplaceIfExists = false) => ({ ReplaceIfExists, RootDirectory: null, FileName });

  it('renames in the same directory and follows the handle', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a', 'x');
    io.open('h', '\\a', { access: DELETE });
    expect(io.set('h', C.FileRenameInformation, rename('b')).Status).toBe(STATUS_SUCCESS);
    expect(fs.list('\\')).toEqual(['b']);
    expect(outputInfo<FILE_NAME_INFORMATION>(io.query('h', C.FileNameInformation)).FileName).toBe('\\b');
  });

  it('moves across directories, with a full path or through ParentOfTarget', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a', 'x');
    fs.mkdir('\\d1');
    fs.mkdir('\\d2');
    io.open('h', '\\a', { access: DELETE });
    io.set('h', C.FileRenameInformation, rename('\\d1\\b'));
    expect(fs.exists('\\d1\\b')).toBe(true);
    io.open('t', '\\d2\\c', { operationFlags: SL_OPEN_TARGET_DIRECTORY });
    expect(io.set('h', C.FileRenameInformation, rename('\\d2\\c'), 4096, 't').Status).toBe(STATUS_SUCCESS);
    expect(fs.list('\\d2')).toEqual(['c']);
  });

  it('an existing target is STATUS_OBJECT_NAME_COLLISION unless ReplaceIfExists', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a', 'new');
    fs.writeFile('\\b', 'old');
    io.open('h', '\\a', { access: DELETE });
    expect(io.set('h', C.FileRenameInformation, rename('b')).Status).toBe(STATUS_OBJECT_NAME_COLLISION);
    expect(io.set('h', C.FileRenameInformation, rename('b', true)).Status).toBe(STATUS_SUCCESS);
    expect(new TextDecoder().decode(fs.readFile('\\b') ?? undefined)).toBe('new');
  });

  // MS-FSCC 2.4.42: STATUS_ACCESS_DENIED when the target file is open and ReplaceIfExists is set.
  it('replacing an open, read-only or directory target is STATUS_ACCESS_DENIED', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a', 'x');
    fs.writeFile('\\open', 'x');
    fs.writeFile('\\ro', 'x', { attributes: FILE_ATTRIBUTE_READONLY });
    fs.mkdir('\\dir');
    io.open('h', '\\a', { access: DELETE });
    io.open('o', '\\open');
    for (const target of ['open', 'ro', 'dir']) expect(io.set('h', C.FileRenameInformation, rename(target, true)).Status).toBe(STATUS_ACCESS_DENIED);
  });

  it('needs DELETE access; an empty or too long FileName is STATUS_INVALID_PARAMETER', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a', 'x');
    io.open('r', '\\a', { access: FILE_READ_DATA });
    expect(io.set('r', C.FileRenameInformation, rename('b')).Status).toBe(STATUS_ACCESS_DENIED);
    io.open('h', '\\a', { access: DELETE });
    expect(io.set('h', C.FileRenameInformation, rename('')).Status).toBe(STATUS_INVALID_PARAMETER);
    expect(io.set('h', C.FileRenameInformation, rename('abcdef'), 24).Status).toBe(STATUS_INVALID_PARAMETER);
  });

  // NTFS: a directory with open handles below it cannot be renamed.
  it('renaming a directory with an open file below it is STATUS_ACCESS_DENIED', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\d\\sub\\f', 'x');
    io.open('f', '\\d\\sub\\f');
    io.open('d', '\\d', { access: DELETE, options: FILE_DIRECTORY_FILE });
    expect(io.set('d', C.FileRenameInformation, rename('e')).Status).toBe(STATUS_ACCESS_DENIED);
    io.cleanup('f');
    expect(io.set('d', C.FileRenameInformation, rename('e')).Status).toBe(STATUS_SUCCESS);
    expect(fs.exists('\\e\\sub\\f')).toBe(true);
  });

  it('moving a directory below itself is STATUS_INVALID_PARAMETER', () => {
    const { fs, io } = makeFs();
    fs.mkdir('\\d\\sub');
    io.open('d', '\\d', { access: DELETE });
    expect(io.set('d', C.FileRenameInformation, rename('\\d\\sub\\x')).Status).toBe(STATUS_INVALID_PARAMETER);
  });

  it('FileLinkInformation adds a hard link; NumberOfLinks counts it; directories are STATUS_FILE_IS_A_DIRECTORY', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a', 'x');
    fs.mkdir('\\d');
    io.open('h', '\\a', { access: FILE_READ_ATTRIBUTES });
    expect(io.set('h', C.FileLinkInformation, rename('\\d\\b')).Status).toBe(STATUS_SUCCESS);
    expect(fs.stat('\\d\\b')?.fileId).toBe(fs.stat('\\a')?.fileId);
    expect(outputInfo<FILE_STANDARD_INFORMATION>(io.query('h', C.FileStandardInformation)).NumberOfLinks).toBe(2);
    expect(io.set('h', C.FileLinkInformation, rename('\\d\\b')).Status).toBe(STATUS_OBJECT_NAME_COLLISION);
    io.open('dir', '\\d');
    expect(io.set('dir', C.FileLinkInformation, rename('\\e')).Status).toBe(STATUS_FILE_IS_A_DIRECTORY);
  });

  it('FAT has no hard links: STATUS_INVALID_DEVICE_REQUEST', () => {
    const { fs, io } = makeFs({ fsType: 'FAT' });
    fs.writeFile('\\a', 'x');
    io.open('h', '\\a');
    expect(io.set('h', C.FileLinkInformation, rename('b')).Status).toBe(STATUS_INVALID_DEVICE_REQUEST);
  });
});
