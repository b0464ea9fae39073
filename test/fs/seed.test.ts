import { describe, expect, it } from 'vitest';
import { makeFs, text } from './helpers.js';
import { MemoryFileSystem } from '../../src/fs/index.js';
import { FILE_ATTRIBUTE_DIRECTORY, FILE_CREATE, FILE_GENERIC_WRITE, IO_REPARSE_TAG_SYMLINK } from '../../src/wdk/fileConstants.js';

describe('seeding and inspection', () => {
  it('mkdir, writeFile, readFile, list, exists and stat see the same tree the IRPs do', () => {
    const { fs, io } = makeFs();
    fs.mkdir('\\a\\b');
    fs.writeFile('/a/b/file.txt', 'hello');
    expect(fs.list('\\a')).toEqual(['b']);
    expect(text(fs.readFile('\\A\\B\\FILE.TXT'))).toBe('hello');
    expect(fs.exists('\\a\\b\\nope')).toBe(false);
    expect(fs.stat('\\a')?.attributes).toBe(FILE_ATTRIBUTE_DIRECTORY);
    expect(fs.readFile('\\a')).toBeNull();
    expect(fs.list('\\a\\b\\file.txt')).toBeNull();
    io.open('f', '\\a\\b\\file.txt', { access: FILE_GENERIC_WRITE });
    io.write('f', 5, '!');
    expect(text(fs.readFile('\\a\\b\\file.txt'))).toBe('hello!');
  });

  it('seeding a bad path or over a directory throws (a scenario bug, not a modelled outcome)', () => {
    const { fs } = makeFs();
    fs.mkdir('\\d');
    expect(() => fs.writeFile('\\d', 'x')).toThrow();
    expect(() => fs.mkdir('\\a*b')).toThrow();
    expect(() => fs.setReparsePoint('\\missing', IO_REPARSE_TAG_SYMLINK, null, new Uint8Array())).toThrow();
    expect(() => makeFs({ fsType: 'FAT' }).fs.setSecurity('\\', { Owner: null, Group: null, Dacl: null, Sacl: null })).toThrow();
    expect(() => new MemoryFileSystem({ volumeName: 'v', fsType: 'NTFS', sectorSize: 500, now: () => 0 })).toThrow();
  });

  it('snapshot is plain JSON and identical for identical histories', () => {
    const run = () => {
      const { fs, io } = makeFs();
      fs.writeFile('\\b', 'two');
      fs.writeFile('\\A\\c', 'one');
      io.open('f', '\\new', { disposition: FILE_CREATE, access: FILE_GENERIC_WRITE });
      io.write('f', 0, 'data');
      return fs.snapshot();
    };
    const first = run();
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
    expect(run()).toEqual(first);
    expect(first.root.children?.map((c) => c.name)).toEqual(['A', 'b', 'new']);
    expect(first.root.children?.[2]?.data).toBe('64617461');
    expect(first.fileObjects).toEqual([{ id: 'f', kind: 'file', fileId: first.root.children?.[2]?.fileId, path: '\\new', grantedAccess: FILE_GENERIC_WRITE, state: 'open', deleteOnClose: false }]);
  });

  it('file ids are deterministic counters; the root is file id 5', () => {
    const { fs } = makeFs();
    fs.writeFile('\\a', 'x');
    fs.writeFile('\\b', 'x');
    expect(fs.stat('\\')?.fileId).toBe(5);
    expect([fs.stat('\\a')?.fileId, fs.stat('\\b')?.fileId]).toEqual([64, 65]);
  });
});
