/**
 * Directory change notification's constants and FILE_NOTIFY_INFORMATION in its byte layout
 * (§21.9; winnt.h / ntifs.h values): what IRP_MN_NOTIFY_CHANGE_DIRECTORY leaves in the caller's
 * buffer, so a filter that rewrites the names (NameChanger) works on the bytes the application
 * parses.
 *
 *   FILE_NOTIFY_INFORMATION  NextEntryOffset 0, Action 4, FileNameLength 8 (bytes), FileName 12 (WCHAR[])
 *
 * Each entry but the last starts on a 4-byte boundary (NextEntryOffset is a multiple of 4); the last
 * has NextEntryOffset 0; Information counts the bytes up to the end of the last name.
 */
import { bufferArgument, ulongArgument } from '../kernel/arguments.js';
import { arrayOfArgument, shapeArgument } from '../kernel/dataArguments.js';
export const FILE_NOTIFY_CHANGE_FILE_NAME = 0x00000001;
export const FILE_NOTIFY_CHANGE_DIR_NAME = 0x00000002;
export const FILE_NOTIFY_CHANGE_ATTRIBUTES = 0x00000004;
export const FILE_NOTIFY_CHANGE_SIZE = 0x00000008;
export const FILE_NOTIFY_CHANGE_LAST_WRITE = 0x00000010;
export const FILE_NOTIFY_CHANGE_LAST_ACCESS = 0x00000020;
export const FILE_NOTIFY_CHANGE_CREATION = 0x00000040;
export const FILE_NOTIFY_CHANGE_EA = 0x00000080;
export const FILE_NOTIFY_CHANGE_SECURITY = 0x00000100;
export const FILE_NOTIFY_CHANGE_STREAM_NAME = 0x00000200;
export const FILE_NOTIFY_CHANGE_STREAM_SIZE = 0x00000400;
export const FILE_NOTIFY_CHANGE_STREAM_WRITE = 0x00000800;
export const FILE_NOTIFY_VALID_MASK = 0x00000fff;

export const FILE_ACTION_ADDED = 0x00000001;
export const FILE_ACTION_REMOVED = 0x00000002;
export const FILE_ACTION_MODIFIED = 0x00000003;
export const FILE_ACTION_RENAMED_OLD_NAME = 0x00000004;
export const FILE_ACTION_RENAMED_NEW_NAME = 0x00000005;

export const FILE_ACTION_NAMES: Readonly<Record<number, string>> = {
  [FILE_ACTION_ADDED]: 'FILE_ACTION_ADDED',
  [FILE_ACTION_REMOVED]: 'FILE_ACTION_REMOVED',
  [FILE_ACTION_MODIFIED]: 'FILE_ACTION_MODIFIED',
  [FILE_ACTION_RENAMED_OLD_NAME]: 'FILE_ACTION_RENAMED_OLD_NAME',
  [FILE_ACTION_RENAMED_NEW_NAME]: 'FILE_ACTION_RENAMED_NEW_NAME',
};

/** One FILE_NOTIFY_INFORMATION, decoded: what changed and its name relative to the watched directory. */
export interface FILE_NOTIFY_INFORMATION {
  readonly Action: number;
  readonly FileName: string;
}

const HEADER = 12;

function align4(n: number): number {
  return (n + 3) & ~3;
}

function changesArgument(routine: string, changes: unknown): void {
  arrayOfArgument(routine, 'changes', changes, (c, at) => shapeArgument(routine, at, c, { Action: 'integer', FileName: 'string' }, 'a FILE_NOTIFY_INFORMATION ({ Action, FileName })'), 'an array of FILE_NOTIFY_INFORMATION');
}

/** The bytes a chain of these changes takes: every entry but the last padded to 4 bytes. */
export function fileNotifyInformationBytes(changes: readonly FILE_NOTIFY_INFORMATION[]): number {
  changesArgument('fileNotifyInformationBytes', changes);
  let total = 0;
  changes.forEach((c, i) => {
    const size = HEADER + 2 * c.FileName.length;
    total += i === changes.length - 1 ? size : align4(size);
  });
  return total;
}

/** Lay the chain out in `length` bytes (the caller checked it fits). */
export function encodeFileNotifyInformation(changes: readonly FILE_NOTIFY_INFORMATION[], length: number): Uint8Array {
  changesArgument('encodeFileNotifyInformation', changes);
  ulongArgument('encodeFileNotifyInformation', 'length', length);
  const bytes = new Uint8Array(Math.min(length, fileNotifyInformationBytes(changes)));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  changes.forEach((c, i) => {
    const size = HEADER + 2 * c.FileName.length;
    const last = i === changes.length - 1;
    if (at + size > bytes.length) return;
    view.setUint32(at, last ? 0 : align4(size), true);
    view.setUint32(at + 4, c.Action >>> 0, true);
    view.setUint32(at + 8, 2 * c.FileName.length, true);
    for (let k = 0; k < c.FileName.length; k++) view.setUint16(at + HEADER + 2 * k, c.FileName.charCodeAt(k), true);
    at += align4(size);
  });
  return bytes;
}

/** Read a chain back from the first `length` bytes of `buffer` (the application's side, and a test's). */
export function decodeFileNotifyInformation(buffer: Uint8Array, length: number): FILE_NOTIFY_INFORMATION[] {
  bufferArgument('decodeFileNotifyInformation', 'buffer', buffer, false);
  ulongArgument('decodeFileNotifyInformation', 'length', length);
  const out: FILE_NOTIFY_INFORMATION[] = [];
  const end = Math.min(length, buffer.length);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let at = 0;
  while (at + HEADER <= end) {
    const next = view.getUint32(at, true);
    const nameBytes = view.getUint32(at + 8, true);
    if (at + HEADER + nameBytes > end) break;
    let FileName = '';
    for (let k = 0; k + 1 < nameBytes; k += 2) FileName += String.fromCharCode(view.getUint16(at + HEADER + k, true));
    out.push({ Action: view.getUint32(at + 4, true), FileName });
    if (next === 0) break;
    at += next;
  }
  return out;
}
