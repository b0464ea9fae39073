// Directory entries in their byte layout (§20.1, MS-FSCC 2.4): what the file system leaves in
// DirectoryBuffer decodes back to the entries it returned, for every class and any names, and the
// fields sit at the documented offsets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDirectoryEntries, encodeDirectoryEntries, FILE_INFORMATION_LAYOUT, type DirectoryEntry } from '../../src/index.js';

const CLASSES = [1, 3, 12, 37] as const;

/** Entries laid out as the file system chains them: each at FIELD_OFFSET(FileName) + name bytes, 8-byte aligned. */
function chain(cls: number, names: readonly string[], shortName: string): { entries: DirectoryEntry[]; length: number } {
  const nameOffset = FILE_INFORMATION_LAYOUT[cls]!.nameOffset!;
  const entries: DirectoryEntry[] = [];
  let at = 0;
  names.forEach((FileName, i) => {
    const size = nameOffset + FileName.length * 2;
    const next = i === names.length - 1 ? 0 : size + ((8 - (size % 8)) % 8);
    const base = { NextEntryOffset: next, FileIndex: 0, FileNameLength: FileName.length * 2, FileName };
    const dir = { ...base, CreationTime: 1 + i, LastAccessTime: 2 ** 40 + i, LastWriteTime: 3, ChangeTime: 4, EndOfFile: 5000 + i, AllocationSize: 8192, FileAttributes: 0x20 };
    const both = { ...dir, EaSize: 0, ShortNameLength: shortName.length * 2, ShortName: shortName };
    entries.push(cls === 12 ? base : cls === 1 ? dir : cls === 3 ? both : { ...both, FileId: 64 + i });
    at += next === 0 ? size : next;
  });
  return { entries, length: at };
}

describe('directory entries as bytes (§20.1)', () => {
  it('decode(encode(entries)) is the entries, for each class and any names', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CLASSES), fc.array(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 6 }), fc.string({ maxLength: 12 }), (cls, names, shortName) => {
        const { entries, length } = chain(cls, names, shortName);
        expect(decodeDirectoryEntries(cls, encodeDirectoryEntries(cls, entries, length), length)).toEqual(entries);
      }),
      { numRuns: 100 },
    );
  });

  it('FILE_ID_BOTH_DIR_INFORMATION: the fields at their FIELD_OFFSETs', () => {
    const { entries, length } = chain(37, ['abc.txt'], 'ABC~1.TXT');
    const view = new DataView(encodeDirectoryEntries(37, entries, length).buffer);
    expect([view.getUint32(40, true), view.getUint32(56, true), view.getUint32(60, true), view.getUint8(68), view.getUint32(96, true), view.getUint16(104, true)]).toEqual([
      5000, 0x20, 14, 18, 64, 'a'.charCodeAt(0),
    ]);
  });
});
