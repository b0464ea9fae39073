/**
 * IRP_MJ_READ, IRP_MJ_WRITE and IRP_MJ_FLUSH_BUFFERS on the default data stream.
 *
 * Offsets: an explicit ByteOffset is used as given; BYTE_OFFSET_USE_FILE_POINTER_POSITION (-2)
 * means CurrentByteOffset and is only valid on FO_SYNCHRONOUS_IO file objects; -1 on a write is
 * FILE_WRITE_TO_END_OF_FILE. Synchronous, non-paging I/O moves CurrentByteOffset past the bytes
 * transferred. Non-cached I/O (IRP_NOCACHE or FO_NO_INTERMEDIATE_BUFFERING) must be sector aligned.
 * Paging I/O is not access checked, never extends the file and is allowed after cleanup.
 */
import { reportModified } from './directoryNotify.js';
import { FILE_NOTIFY_CHANGE_LAST_WRITE, FILE_NOTIFY_CHANGE_SIZE } from '../wdk/directoryNotify.js';
import type { FsState, OpenContext } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import { STATUS_DISK_FULL, STATUS_FILE_LOCK_CONFLICT } from '../wdk/ntstatus.js';
import { ioConflictsWithLock } from './byteRangeLocks.js';
import { oplockGate } from './oplockGate.js';
import { freeBytes, roundUp, streamOf } from './model.js';
import { complete } from './types.js';
import {
  BYTE_OFFSET_USE_FILE_POINTER_POSITION,
  BYTE_OFFSET_WRITE_TO_END_OF_FILE,
  FILE_APPEND_DATA,
  FILE_ATTRIBUTE_ARCHIVE,
  FILE_EXECUTE,
  FILE_READ_DATA,
  FILE_WRITE_DATA,
  FO_NO_INTERMEDIATE_BUFFERING,
  FO_SYNCHRONOUS_IO,
} from '../wdk/fileConstants.js';
import { IRP_NOCACHE, IRP_PAGING_IO } from '../wdk/irp.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_END_OF_FILE,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_INVALID_PARAMETER,
  STATUS_MEDIA_WRITE_PROTECTED,
  STATUS_SUCCESS,
} from '../wdk/ntstatus.js';
import { parametersMember } from '../wdk/parameters.js';

function isSynchronous(request: FsRequest): boolean {
  return (request.FileObject.flags & FO_SYNCHRONOUS_IO) !== 0;
}

function isNonCached(request: FsRequest): boolean {
  return (request.IrpFlags & IRP_NOCACHE) !== 0 || (request.FileObject.flags & FO_NO_INTERMEDIATE_BUFFERING) !== 0;
}

function validLength(length: unknown): length is number {
  return typeof length === 'number' && Number.isSafeInteger(length) && length >= 0 && length <= 0xffffffff;
}

/** Explicit offset, or the file pointer for synchronous file objects; null = STATUS_INVALID_PARAMETER. */
function resolveOffset(request: FsRequest, byteOffset: number, endOfFile: number, isWrite: boolean): number | null {
  if (typeof byteOffset !== 'number' || !Number.isSafeInteger(byteOffset)) return null;
  if (byteOffset === BYTE_OFFSET_USE_FILE_POINTER_POSITION) return isSynchronous(request) ? request.FileObject.currentByteOffset : null;
  if (byteOffset === BYTE_OFFSET_WRITE_TO_END_OF_FILE && isWrite) return endOfFile;
  return byteOffset >= 0 ? byteOffset : null;
}

export function read(state: FsState, request: FsRequest, ctx: OpenContext): FsCompletion {
  const params = parametersMember(request.Parameters, 'Read');
  if (params === null || !validLength(params.Length)) return complete(STATUS_INVALID_PARAMETER);
  if (ctx.kind === 'volume' || ctx.node.kind === 'directory') return complete(STATUS_INVALID_DEVICE_REQUEST);
  const paging = (request.IrpFlags & IRP_PAGING_IO) !== 0;
  if (!paging && !(ctx.grantedAccess & (FILE_READ_DATA | FILE_EXECUTE))) return complete(STATUS_ACCESS_DENIED);
  const node = streamOf(ctx);
  const offset = resolveOffset(request, params.ByteOffset, node.data.length, false);
  if (offset === null) return complete(STATUS_INVALID_PARAMETER);
  const sector = state.options.sectorSize;
  if (isNonCached(request) && (offset % sector !== 0 || params.Length % sector !== 0)) return complete(STATUS_INVALID_PARAMETER);
  if (!paging && ioConflictsWithLock(state, ctx, request.processId ?? 0, params.Key >>> 0, offset, params.Length, false)) return complete(STATUS_FILE_LOCK_CONFLICT);
  const gate = paging ? null : oplockGate(state, request, ctx, { kind: 'read' });
  if (gate !== null) return gate;
  const moves = isSynchronous(request) && !paging;
  if (params.Length === 0) return { Status: STATUS_SUCCESS, Information: 0, output: { kind: 'data', data: new Uint8Array(0) } };
  if (offset >= node.data.length) return complete(STATUS_END_OF_FILE);
  const count = Math.min(params.Length, node.data.length - offset);
  const completion: FsCompletion = {
    Status: STATUS_SUCCESS,
    Information: count,
    output: { kind: 'data', data: node.data.slice(offset, offset + count) },
  };
  if (moves) completion.currentByteOffset = offset + count;
  return completion;
}

export function write(state: FsState, request: FsRequest, ctx: OpenContext): FsCompletion {
  const params = parametersMember(request.Parameters, 'Write');
  if (params === null || !validLength(params.Length)) return complete(STATUS_INVALID_PARAMETER);
  // The I/O path hands over the bytes it resolved (an MDL's when there is one, §20.1); a bare request uses WriteBuffer.
  const buffer = request.buffer ?? params.WriteBuffer;
  if (params.Length > 0 && (!(buffer instanceof Uint8Array) || buffer.length < params.Length)) return complete(STATUS_INVALID_PARAMETER);
  if (ctx.kind === 'volume' || ctx.node.kind === 'directory') return complete(STATUS_INVALID_DEVICE_REQUEST);
  if (state.options.readOnly) return complete(STATUS_MEDIA_WRITE_PROTECTED);
  const paging = (request.IrpFlags & IRP_PAGING_IO) !== 0;
  const granted = ctx.grantedAccess;
  if (!paging && !(granted & (FILE_WRITE_DATA | FILE_APPEND_DATA))) return complete(STATUS_ACCESS_DENIED);
  // The bytes go to the opened stream (§21.5); the times and attributes are the file's.
  const body = streamOf(ctx);
  const node = ctx.node;
  const endOfFile = body.data.length;
  let offset = resolveOffset(request, params.ByteOffset, endOfFile, true);
  if (offset === null) return complete(STATUS_INVALID_PARAMETER);
  // A handle with FILE_APPEND_DATA but not FILE_WRITE_DATA can only add to the end.
  if (!paging && !(granted & FILE_WRITE_DATA)) offset = endOfFile;
  const sector = state.options.sectorSize;
  if (isNonCached(request) && (offset % sector !== 0 || params.Length % sector !== 0)) return complete(STATUS_INVALID_PARAMETER);
  if (!paging && ioConflictsWithLock(state, ctx, request.processId ?? 0, params.Key >>> 0, offset, params.Length, true)) return complete(STATUS_FILE_LOCK_CONFLICT);
  const gate = paging ? null : oplockGate(state, request, ctx, { kind: 'write' });
  if (gate !== null) return gate;
  const moves = isSynchronous(request) && !paging;
  let count = params.Length;
  if (paging) count = Math.max(0, Math.min(count, endOfFile - offset));
  if (count === 0 || buffer === undefined) {
    const completion = complete(STATUS_SUCCESS, 0);
    if (moves) completion.currentByteOffset = offset;
    return completion;
  }
  const end = offset + count;
  if (end > endOfFile) {
    const allocation = Math.max(body.allocationSize, roundUp(end, state.clusterSize));
    if (allocation - body.allocationSize > freeBytes(state)) return complete(STATUS_DISK_FULL);
    const grown = new Uint8Array(end);
    grown.set(body.data);
    body.data = grown;
    body.allocationSize = allocation;
  }
  body.data.set(buffer.subarray(0, count), offset);
  if (!paging) {
    const now = state.options.now();
    node.lastWriteTime = now;
    node.changeTime = now;
    node.attributes |= FILE_ATTRIBUTE_ARCHIVE;
    reportModified(state, ctx, FILE_NOTIFY_CHANGE_LAST_WRITE | (end > endOfFile ? FILE_NOTIFY_CHANGE_SIZE : 0));
  }
  const completion = complete(STATUS_SUCCESS, count);
  if (moves) completion.currentByteOffset = end;
  return completion;
}

/** FltFlushBuffers: a file needs write access; a volume open flushes everything. */
export function flush(state: FsState, _request: FsRequest, ctx: OpenContext): FsCompletion {
  if (state.options.readOnly) return complete(STATUS_MEDIA_WRITE_PROTECTED);
  if (ctx.kind === 'file' && ctx.node.kind === 'file' && !(ctx.grantedAccess & (FILE_WRITE_DATA | FILE_APPEND_DATA))) {
    return complete(STATUS_ACCESS_DENIED);
  }
  return complete(STATUS_SUCCESS);
}
