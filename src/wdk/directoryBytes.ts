/**
 * Directory entries in their x64 byte layout (MS-FSCC 2.4): what IRP_MN_QUERY_DIRECTORY leaves in
 * DirectoryBuffer, so a filter that copies or swaps the buffer moves the bytes the application
 * parses, as on Windows. `encode` lays out the file system's entries at their NextEntryOffset chain;
 * `decode` reads them back (the application's side, and a test's).
 *
 * Offsets (FIELD_OFFSET):
 *   FILE_NAMES_INFORMATION        Next 0, FileIndex 4, FileNameLength 8, FileName 12
 *   FILE_DIRECTORY_INFORMATION    Next 0, FileIndex 4, CreationTime 8, LastAccessTime 16, LastWriteTime 24,
 *                                 ChangeTime 32, EndOfFile 40, AllocationSize 48, FileAttributes 56,
 *                                 FileNameLength 60, FileName 64
 *   FILE_BOTH_DIR_INFORMATION     … FileNameLength 60, EaSize 64, ShortNameLength 68 (CCHAR), ShortName 70 (WCHAR[12]), FileName 94
 *   FILE_ID_BOTH_DIR_INFORMATION  … ShortName 70, FileId 96, FileName 104
 */
import { badArgument, bufferArgument, integerArgument, kindOf, ulongArgument } from '../kernel/arguments.js';
import { arrayOfArgument, shapeArgument, type Shape } from '../kernel/dataArguments.js';
import type { DirectoryEntry, FILE_BOTH_DIR_INFORMATION, FILE_DIRECTORY_INFORMATION, FILE_ID_BOTH_DIR_INFORMATION, FILE_NAMES_INFORMATION } from './parameters.js';
import { FILE_INFORMATION_LAYOUT } from './parameters.js';

const NAMES = 12;
const DIRECTORY = 1;
const BOTH = 3;
const ID_BOTH = 37;

/** The classes these routines lay out; any other class has no directory layout. */
export function isDirectoryClass(cls: number): boolean {
  return cls === NAMES || cls === DIRECTORY || cls === BOTH || cls === ID_BOTH;
}

function put64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % 0x100000000 >>> 0, true);
  view.setUint32(at + 4, Math.floor(value / 0x100000000) >>> 0, true);
}

function get64(view: DataView, at: number): number {
  return view.getUint32(at + 4, true) * 0x100000000 + view.getUint32(at, true);
}

function putName(view: DataView, at: number, name: string, room: number): void {
  for (let i = 0; i < name.length && at + 2 * i + 2 <= room; i++) view.setUint16(at + 2 * i, name.charCodeAt(i), true);
}

function getName(view: DataView, at: number, bytes: number): string {
  let name = '';
  for (let i = 0; i + 1 < bytes; i += 2) name += String.fromCharCode(view.getUint16(at + i, true));
  return name;
}

/** The most bytes a directory buffer the helpers build may take (a query's Length is a ULONG; this bounds the allocation). */
const MAX_DIRECTORY_BYTES = 16 * 2 ** 20;
const ENTRY_SHAPE: Shape = { NextEntryOffset: 'integer', FileIndex: 'integer', FileNameLength: 'integer', FileName: 'string' };

/** One of the four directory information classes the helpers lay out. */
function directoryClassArgument(routine: string, cls: unknown): number {
  if (cls === NAMES || cls === DIRECTORY || cls === BOTH || cls === ID_BOTH) return cls;
  throw badArgument(routine, `FileInformationClass is ${kindOf(cls)}, not one of the directory classes (FileDirectoryInformation, FileBothDirectoryInformation, FileIdBothDirectoryInformation, FileNamesInformation)`);
}

/** Lay `entries` of class `cls` out in `length` bytes (the file system's Information). */
export function encodeDirectoryEntries(cls: number, entries: readonly DirectoryEntry[], length: number): Uint8Array {
  directoryClassArgument('encodeDirectoryEntries', cls);
  arrayOfArgument('encodeDirectoryEntries', 'entries', entries, (e, at) => shapeArgument('encodeDirectoryEntries', at, e, ENTRY_SHAPE, 'a directory entry'), 'an array of directory entries');
  integerArgument('encodeDirectoryEntries', 'length', length, 0, MAX_DIRECTORY_BYTES, 'a buffer length (0 to 16 MiB)');
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  const nameOffset = FILE_INFORMATION_LAYOUT[cls]?.nameOffset ?? 0;
  let at = 0;
  for (const entry of entries) {
    view.setUint32(at, entry.NextEntryOffset, true);
    view.setUint32(at + 4, entry.FileIndex, true);
    if (cls === NAMES) {
      view.setUint32(at + 8, entry.FileNameLength, true);
    } else {
      const d = entry as FILE_DIRECTORY_INFORMATION;
      put64(view, at + 8, d.CreationTime);
      put64(view, at + 16, d.LastAccessTime);
      put64(view, at + 24, d.LastWriteTime);
      put64(view, at + 32, d.ChangeTime);
      put64(view, at + 40, d.EndOfFile);
      put64(view, at + 48, d.AllocationSize);
      view.setUint32(at + 56, d.FileAttributes, true);
      view.setUint32(at + 60, d.FileNameLength, true);
      if (cls === BOTH || cls === ID_BOTH) {
        const b = entry as FILE_BOTH_DIR_INFORMATION;
        view.setUint32(at + 64, b.EaSize, true);
        view.setUint8(at + 68, b.ShortNameLength);
        putName(view, at + 70, b.ShortName, at + 94);
        if (cls === ID_BOTH) put64(view, at + 96, (entry as FILE_ID_BOTH_DIR_INFORMATION).FileId);
      }
    }
    putName(view, at + nameOffset, entry.FileName, length);
    if (entry.NextEntryOffset === 0) break;
    at += entry.NextEntryOffset;
  }
  return bytes;
}

/**
 * Read the entries of class `cls` from the first `length` bytes of `buffer`. The last entry's name
 * may be cut short by the buffer (STATUS_BUFFER_OVERFLOW): FileNameLength keeps the full length and
 * FileName holds what fits, as the file system returned it.
 */
export function decodeDirectoryEntries(cls: number, buffer: Uint8Array, length: number): DirectoryEntry[] {
  directoryClassArgument('decodeDirectoryEntries', cls);
  bufferArgument('decodeDirectoryEntries', 'buffer', buffer, false);
  ulongArgument('decodeDirectoryEntries', 'length', length);
  const view = new DataView(buffer.buffer, buffer.byteOffset, Math.min(length, buffer.length));
  const nameOffset = FILE_INFORMATION_LAYOUT[cls]?.nameOffset ?? 0;
  const entries: DirectoryEntry[] = [];
  let at = 0;
  while (at + nameOffset <= view.byteLength) {
    const NextEntryOffset = view.getUint32(at, true);
    const FileIndex = view.getUint32(at + 4, true);
    const FileNameLength = view.getUint32(at + (cls === NAMES ? 8 : 60), true);
    const FileName = getName(view, at + nameOffset, Math.min(FileNameLength, view.byteLength - at - nameOffset));
    const names: FILE_NAMES_INFORMATION = { NextEntryOffset, FileIndex, FileNameLength, FileName };
    if (cls === NAMES) {
      entries.push(names);
    } else {
      const directory: FILE_DIRECTORY_INFORMATION = {
        ...names,
        CreationTime: get64(view, at + 8),
        LastAccessTime: get64(view, at + 16),
        LastWriteTime: get64(view, at + 24),
        ChangeTime: get64(view, at + 32),
        EndOfFile: get64(view, at + 40),
        AllocationSize: get64(view, at + 48),
        FileAttributes: view.getUint32(at + 56, true),
      };
      if (cls === DIRECTORY) {
        entries.push(directory);
      } else {
        const ShortNameLength = view.getUint8(at + 68);
        const both: FILE_BOTH_DIR_INFORMATION = { ...directory, EaSize: view.getUint32(at + 64, true), ShortNameLength, ShortName: getName(view, at + 70, Math.min(ShortNameLength, 24)) };
        entries.push(cls === BOTH ? both : { ...both, FileId: get64(view, at + 96) });
      }
    }
    if (NextEntryOffset === 0) break;
    at += NextEntryOffset;
  }
  return entries;
}
