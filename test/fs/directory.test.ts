import { describe, expect, it } from 'vitest';
import { makeFs } from './helpers.js';
import type { FsCompletion } from '../../src/fs/index.js';
import { matchesPattern } from '../../src/fs/index.js';
import type { FILE_BOTH_DIR_INFORMATION, FILE_ID_BOTH_DIR_INFORMATION } from '../../src/wdk/parameters.js';
import { FILE_INFORMATION_CLASS as C, FILE_READ_ATTRIBUTES, IO_REPARSE_TAG_MOUNT_POINT } from '../../src/wdk/fileConstants.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_BUFFER_OVERFLOW,
  STATUS_INFO_LENGTH_MISMATCH,
  STATUS_INVALID_INFO_CLASS,
  STATUS_INVALID_PARAMETER,
  STATUS_NO_MORE_FILES,
  STATUS_NO_SUCH_FILE,
  STATUS_SUCCESS,
} from '../../src/wdk/ntstatus.js';

function names(c: FsCompletion): string[] {
  return c.output?.kind === 'directory' ? c.output.entries.map((e) => e.FileName) : [];
}

describe('FsRtlIsNameInExpression-style matching', () => {
  it('* and ? match case-insensitively', () => {
    expect(matchesPattern('Report.TXT', '*.txt')).toBe(true);
    expect(matchesPattern('a.b', 'a?b')).toBe(true);
    expect(matchesPattern('ab', 'a?b')).toBe(false);
    expect(matchesPattern('anything', '*')).toBe(true);
    expect(matchesPattern('x', '')).toBe(false);
  });
});

describe('IRP_MN_QUERY_DIRECTORY', () => {
  it('lists ".", ".." then names sorted case-insensitively, and then STATUS_NO_MORE_FILES', () => {
    const { fs, io } = makeFs();
    for (const n of ['b', 'A', 'c', '_x']) fs.writeFile(`\\d\\${n}`, 'x');
    io.open('d', '\\d');
    expect(names(io.dir('d', C.FileNamesInformation))).toEqual(['.', '..', 'A', 'b', 'c', '_x']);
    expect(io.dir('d', C.FileNamesInformation).Status).toBe(STATUS_NO_MORE_FILES);
  });

  it('the root directory has no "." and ".." entries', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\z', 'x');
    io.open('r', '\\');
    expect(names(io.dir('r', C.FileDirectoryInformation))).toEqual(['z']);
  });

  it('the pattern from the first query sticks until SL_RESTART_SCAN; no match at first is STATUS_NO_SUCH_FILE', () => {
    const { fs, io } = makeFs();
    for (const n of ['a.txt', 'b.log', 'c.TXT']) fs.writeFile(`\\${n}`, 'x');
    io.open('r', '\\');
    expect(names(io.dir('r', C.FileNamesInformation, { pattern: '*.txt', single: true }))).toEqual(['a.txt']);
    expect(names(io.dir('r', C.FileNamesInformation, { pattern: '*' }))).toEqual(['c.TXT']);
    expect(names(io.dir('r', C.FileNamesInformation, { pattern: 'b*', restart: true }))).toEqual(['b.log']);
    expect(io.dir('r', C.FileNamesInformation, { pattern: 'zzz', restart: true }).Status).toBe(STATUS_NO_SUCH_FILE);
  });

  it('SL_RETURN_SINGLE_ENTRY returns one entry per call and the cursor advances', () => {
    const { fs, io } = makeFs();
    for (const n of ['a', 'b']) fs.writeFile(`\\${n}`, 'x');
    io.open('r', '\\');
    expect(names(io.dir('r', C.FileNamesInformation, { single: true }))).toEqual(['a']);
    expect(names(io.dir('r', C.FileNamesInformation, { single: true }))).toEqual(['b']);
    expect(io.dir('r', C.FileNamesInformation, { single: true }).Status).toBe(STATUS_NO_MORE_FILES);
  });

  it('entries are packed at 8-byte alignment and stop at the buffer length', () => {
    const { fs, io } = makeFs();
    for (const n of ['aaa', 'bbb', 'ccc']) fs.writeFile(`\\${n}`, 'x');
    io.open('r', '\\');
    // FILE_NAMES_INFORMATION: 12-byte header + 6 bytes of name = 18, padded to 24.
    const first = io.dir('r', C.FileNamesInformation, { length: 24 + 18 });
    expect(first).toMatchObject({ Status: STATUS_SUCCESS, Information: 42 });
    expect(names(first)).toEqual(['aaa', 'bbb']);
    expect(first.output?.kind === 'directory' ? first.output.entries[0]?.NextEntryOffset : -1).toBe(24);
    expect(names(io.dir('r', C.FileNamesInformation))).toEqual(['ccc']);
  });

  it('a first entry longer than the buffer comes back truncated with STATUS_BUFFER_OVERFLOW', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\a-rather-long-name', 'x');
    io.open('r', '\\');
    const c = io.dir('r', C.FileNamesInformation, { length: 16 });
    expect(c.Status).toBe(STATUS_BUFFER_OVERFLOW);
    expect(names(c)).toEqual(['a-']);
  });

  it('FileBothDirectoryInformation and FileIdBothDirectoryInformation carry sizes, ids and the reparse tag in EaSize', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'hello');
    fs.mkdir('\\mnt');
    fs.setReparsePoint('\\mnt', IO_REPARSE_TAG_MOUNT_POINT, null, new Uint8Array(8));
    io.open('r', '\\');
    const both = io.dir('r', C.FileBothDirectoryInformation);
    const entries = (both.output?.kind === 'directory' ? both.output.entries : []) as FILE_BOTH_DIR_INFORMATION[];
    expect(entries.map((e) => [e.FileName, e.EndOfFile, e.EaSize])).toEqual([
      ['f', 5, 0],
      ['mnt', 0, IO_REPARSE_TAG_MOUNT_POINT],
    ]);
    const ids = io.dir('r', C.FileIdBothDirectoryInformation, { restart: true });
    const idEntries = (ids.output?.kind === 'directory' ? ids.output.entries : []) as FILE_ID_BOTH_DIR_INFORMATION[];
    expect(idEntries[0]?.FileId).toBe(fs.stat('\\f')?.fileId);
  });

  it('a file handle is STATUS_INVALID_PARAMETER, missing FILE_LIST_DIRECTORY STATUS_ACCESS_DENIED, bad class STATUS_INVALID_INFO_CLASS, short buffer STATUS_INFO_LENGTH_MISMATCH', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\d\\f', 'x');
    io.open('f', '\\d\\f');
    expect(io.dir('f', C.FileNamesInformation).Status).toBe(STATUS_INVALID_PARAMETER);
    io.open('n', '\\d', { access: FILE_READ_ATTRIBUTES });
    expect(io.dir('n', C.FileNamesInformation).Status).toBe(STATUS_ACCESS_DENIED);
    io.open('d', '\\d');
    expect(io.dir('d', C.FileBasicInformation).Status).toBe(STATUS_INVALID_INFO_CLASS);
    expect(io.dir('d', C.FileDirectoryInformation, { length: 10 }).Status).toBe(STATUS_INFO_LENGTH_MISMATCH);
  });

  it('names created after the cursor passed them are not returned; names ahead of it are', () => {
    const { fs, io } = makeFs();
    for (const n of ['b', 'd']) fs.writeFile(`\\${n}`, 'x');
    io.open('r', '\\');
    expect(names(io.dir('r', C.FileNamesInformation, { single: true }))).toEqual(['b']);
    fs.writeFile('\\a', 'x');
    fs.writeFile('\\c', 'x');
    expect(names(io.dir('r', C.FileNamesInformation))).toEqual(['c', 'd']);
  });
});
