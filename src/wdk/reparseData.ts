/**
 * The name-surrogate reparse buffers the I/O manager follows (§21.11): the DataBuffer part of a
 * REPARSE_DATA_BUFFER for IO_REPARSE_TAG_SYMLINK (SymbolicLinkReparseBuffer) and
 * IO_REPARSE_TAG_MOUNT_POINT (MountPointReparseBuffer), laid out as ntifs.h lays them out:
 * SubstituteNameOffset, SubstituteNameLength, PrintNameOffset, PrintNameLength (USHORTs, bytes into
 * PathBuffer), for a symbolic link a ULONG Flags, then PathBuffer in UTF-16LE.
 */
import { badArgument, bufferArgument, stringArgument, ulongArgument } from '../kernel/arguments.js';
import { IO_REPARSE_TAG_MOUNT_POINT, IO_REPARSE_TAG_SYMLINK } from './fileObjectConstants.js';

/** SymbolicLinkReparseBuffer.Flags: SubstituteName is relative to the link's directory. */
export const SYMLINK_FLAG_RELATIVE = 0x00000001;

export interface NameSurrogate {
  readonly SubstituteName: string;
  readonly PrintName: string;
  /** SYMLINK_FLAG_RELATIVE or 0; always 0 for a mount point. */
  readonly Flags: number;
}

/** The DataBuffer of an IO_REPARSE_TAG_SYMLINK reparse point (FSCTL_SET_REPARSE_POINT / setReparsePoint). */
export function symbolicLinkReparseData(SubstituteName: string, PrintName: string, Flags = 0): Uint8Array {
  reparseNamesArgument('symbolicLinkReparseData', SubstituteName, PrintName);
  ulongArgument('symbolicLinkReparseData', 'Flags', Flags);
  return encode(SubstituteName, PrintName, Flags, true);
}

/** The DataBuffer of an IO_REPARSE_TAG_MOUNT_POINT reparse point (a junction or volume mount point). */
export function mountPointReparseData(SubstituteName: string, PrintName: string): Uint8Array {
  reparseNamesArgument('mountPointReparseData', SubstituteName, PrintName);
  return encode(SubstituteName, PrintName, 0, false);
}

/** The two names share a USHORT-sized buffer in REPARSE_DATA_BUFFER (MAXIMUM_REPARSE_DATA_BUFFER_SIZE, 16 KiB). */
function reparseNamesArgument(routine: string, substitute: unknown, print: unknown): void {
  const s = stringArgument(routine, 'SubstituteName', substitute);
  const p = stringArgument(routine, 'PrintName', print);
  if (2 * (s.length + p.length) + 20 > 16 * 1024) throw badArgument(routine, `SubstituteName and PrintName take ${2 * (s.length + p.length)} bytes, more than a reparse point holds (16 KiB)`);
}

function encode(substitute: string, print: string, flags: number, symlink: boolean): Uint8Array {
  const header = symlink ? 12 : 8;
  // Each name is followed by a UTF-16 NUL the lengths do not count, as mklink writes them.
  const bytes = new Uint8Array(header + 2 * (substitute.length + 1) + 2 * (print.length + 1));
  const view = new DataView(bytes.buffer);
  view.setUint16(0, 0, true);
  view.setUint16(2, 2 * substitute.length, true);
  view.setUint16(4, 2 * (substitute.length + 1), true);
  view.setUint16(6, 2 * print.length, true);
  if (symlink) view.setUint32(8, flags >>> 0, true);
  writeUtf16(view, header, substitute);
  writeUtf16(view, header + 2 * (substitute.length + 1), print);
  return bytes;
}

function writeUtf16(view: DataView, at: number, text: string): void {
  for (let i = 0; i < text.length; i++) view.setUint16(at + 2 * i, text.charCodeAt(i), true);
}

/** Decode a symbolic link's or mount point's DataBuffer; null for another tag or a malformed buffer. */
export function parseNameSurrogate(ReparseTag: number, data: Uint8Array): NameSurrogate | null {
  ulongArgument('parseNameSurrogate', 'ReparseTag', ReparseTag);
  bufferArgument('parseNameSurrogate', 'data', data, false);
  const symlink = ReparseTag >>> 0 === IO_REPARSE_TAG_SYMLINK;
  if (!symlink && ReparseTag >>> 0 !== IO_REPARSE_TAG_MOUNT_POINT) return null;
  const header = symlink ? 12 : 8;
  if (data.length < header) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const read = (offset: number, length: number): string | null => {
    if (offset % 2 !== 0 || length % 2 !== 0 || header + offset + length > data.length) return null;
    let out = '';
    for (let i = 0; i < length; i += 2) out += String.fromCharCode(view.getUint16(header + offset + i, true));
    return out;
  };
  const SubstituteName = read(view.getUint16(0, true), view.getUint16(2, true));
  const PrintName = read(view.getUint16(4, true), view.getUint16(6, true));
  if (SubstituteName === null || PrintName === null || SubstituteName === '') return null;
  return { SubstituteName, PrintName, Flags: symlink ? view.getUint32(8, true) : 0 };
}
