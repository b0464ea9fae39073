/**
 * FSCTL_REQUEST_OPLOCK's buffers (§21.8, winioctl.h): REQUEST_OPLOCK_INPUT_BUFFER (the Windows 7
 * oplock an application requests, or the acknowledgement of a break) and REQUEST_OPLOCK_OUTPUT_BUFFER
 * (what the parked request completes with when the oplock breaks), as the bytes DeviceIoControl
 * passes; little-endian, laid out as the C structures are.
 */
import { bufferArgument, ulongArgument } from '../kernel/arguments.js';

export const OPLOCK_LEVEL_CACHE_READ = 0x00000001;
export const OPLOCK_LEVEL_CACHE_HANDLE = 0x00000002;
export const OPLOCK_LEVEL_CACHE_WRITE = 0x00000004;
export const REQUEST_OPLOCK_INPUT_FLAG_REQUEST = 0x00000001;
export const REQUEST_OPLOCK_INPUT_FLAG_ACK = 0x00000002;
export const REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED = 0x00000001;
export const REQUEST_OPLOCK_OUTPUT_FLAG_MODES_PROVIDED = 0x00000002;
export const REQUEST_OPLOCK_CURRENT_VERSION = 1;
/** sizeof(REQUEST_OPLOCK_INPUT_BUFFER): WORD, WORD, DWORD, DWORD. */
export const REQUEST_OPLOCK_INPUT_BUFFER_SIZE = 12;
/** sizeof(REQUEST_OPLOCK_OUTPUT_BUFFER): WORD, WORD, DWORD ×3, ACCESS_MASK, WORD, padded to 4. */
export const REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE = 24;

export interface REQUEST_OPLOCK_INPUT_BUFFER {
  readonly StructureVersion: number;
  readonly StructureLength: number;
  readonly RequestedOplockLevel: number;
  readonly Flags: number;
}

export interface REQUEST_OPLOCK_OUTPUT_BUFFER {
  readonly StructureVersion: number;
  readonly StructureLength: number;
  readonly OriginalOplockLevel: number;
  readonly NewOplockLevel: number;
  readonly Flags: number;
  readonly AccessMode: number;
  readonly ShareMode: number;
}

/** The input buffer as bytes; Version and Length default to REQUEST_OPLOCK_CURRENT_VERSION and the structure's size. */
export function encodeRequestOplockInputBuffer(RequestedOplockLevel: number, Flags: number, StructureVersion = REQUEST_OPLOCK_CURRENT_VERSION, StructureLength = REQUEST_OPLOCK_INPUT_BUFFER_SIZE): Uint8Array {
  const routine = 'encodeRequestOplockInputBuffer';
  [RequestedOplockLevel, Flags, StructureVersion, StructureLength] = [ulongArgument(routine, 'RequestedOplockLevel', RequestedOplockLevel), ulongArgument(routine, 'Flags', Flags), ulongArgument(routine, 'StructureVersion', StructureVersion), ulongArgument(routine, 'StructureLength', StructureLength)];
  const bytes = new Uint8Array(REQUEST_OPLOCK_INPUT_BUFFER_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, StructureVersion & 0xffff, true);
  view.setUint16(2, StructureLength & 0xffff, true);
  view.setUint32(4, RequestedOplockLevel >>> 0, true);
  view.setUint32(8, Flags >>> 0, true);
  return bytes;
}

/** The input buffer's fields, or null when fewer bytes than the structure were passed. */
export function decodeRequestOplockInputBuffer(bytes: Uint8Array, length: number): REQUEST_OPLOCK_INPUT_BUFFER | null {
  if (!(length >= REQUEST_OPLOCK_INPUT_BUFFER_SIZE) || bytes.length < REQUEST_OPLOCK_INPUT_BUFFER_SIZE) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, REQUEST_OPLOCK_INPUT_BUFFER_SIZE);
  return { StructureVersion: view.getUint16(0, true), StructureLength: view.getUint16(2, true), RequestedOplockLevel: view.getUint32(4, true), Flags: view.getUint32(8, true) };
}

export function encodeRequestOplockOutputBuffer(out: Omit<REQUEST_OPLOCK_OUTPUT_BUFFER, 'StructureVersion' | 'StructureLength'>): Uint8Array {
  const bytes = new Uint8Array(REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, REQUEST_OPLOCK_CURRENT_VERSION, true);
  view.setUint16(2, REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE, true);
  view.setUint32(4, out.OriginalOplockLevel >>> 0, true);
  view.setUint32(8, out.NewOplockLevel >>> 0, true);
  view.setUint32(12, out.Flags >>> 0, true);
  view.setUint32(16, out.AccessMode >>> 0, true);
  view.setUint16(20, out.ShareMode & 0xffff, true);
  return bytes;
}

/** What a completed FSCTL_REQUEST_OPLOCK returned (GetOverlappedResult's output, `information` bytes), or null if it returned none. */
export function decodeRequestOplockOutputBuffer(bytes: Uint8Array | null, information?: number): REQUEST_OPLOCK_OUTPUT_BUFFER | null {
  bytes = bufferArgument('decodeRequestOplockOutputBuffer', 'bytes', bytes, true);
  information = information === undefined ? (bytes?.length ?? 0) : ulongArgument('decodeRequestOplockOutputBuffer', 'information', information);
  if (bytes === null || information < REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE || bytes.length < REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE);
  return {
    StructureVersion: view.getUint16(0, true),
    StructureLength: view.getUint16(2, true),
    OriginalOplockLevel: view.getUint32(4, true),
    NewOplockLevel: view.getUint32(8, true),
    Flags: view.getUint32(12, true),
    AccessMode: view.getUint32(16, true),
    ShareMode: view.getUint16(20, true),
  };
}
