/**
 * The application's asynchronous I/O and its cancel calls (§19.1), behind `sim.io`: ReadFile /
 * WriteFile with an OVERLAPPED, GetOverlappedResult, NtCancelIoFile (CancelIo), CancelIoEx,
 * CancelSynchronousIo. The requests in flight are the I/O manager's list (src/io/appRequests.ts).
 *
 * On a handle opened for synchronous I/O (FILE_SYNCHRONOUS_IO_*) the I/O manager waits even for a
 * call with an OVERLAPPED, as Windows does: the call returns the final status.
 */
import { waitFor, type Blocking } from '../kernel/effects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import { FO_SYNCHRONOUS_IO } from '../wdk/fileConstants.js';
import { IRP_MJ_READ, IRP_MJ_WRITE } from '../wdk/irp.js';
import { STATUS_INVALID_HANDLE, STATUS_NOT_FOUND, STATUS_PENDING, STATUS_SUCCESS, type NTSTATUS } from '../wdk/ntstatus.js';
import { cancelRequests, completeOverlapped, type AppRequest, type OverlappedRequest } from './appRequests.js';
import type { OVERLAPPED } from '../fltmgr/portObjects.js';
import { UsageError } from '../kernel/errors.js';
import { DEFAULT_USER_SID } from '../kernel/sids.js';
import type { FltParameters } from '../wdk/parameters.js';
import { drive } from './dispatch.js';
import { releaseRequestReference, startOperation } from './startOperation.js';
import type { IoManager, IoResult } from './ioManager.js';

/**
 * Build and send one operation on an open handle without waiting for it (an asynchronous
 * request): the issuing thread takes the walk as far as it goes (a pend, the file system), then
 * returns STATUS_PENDING; the completion fills in the OVERLAPPED and sets its event.
 */
export function* requestOverlapped(
  fltMgr: FilterManager,
  io: IoManager,
  handle: string,
  MajorFunction: number,
  Parameters: FltParameters,
  overlapped: OVERLAPPED,
  buffer?: Uint8Array,
  extra: { readonly MinorFunction?: number; readonly OperationFlags?: number } = {},
): Blocking<NTSTATUS> {
  const fo = io.fileObject(handle);
  if (fo === undefined) return STATUS_INVALID_HANDLE;
  const previous = io.overlappedRequests.get(overlapped);
  if (previous !== undefined && previous.op.inFlight) {
    throw new UsageError('BAD_ARGUMENT', `an OVERLAPPED still in use by ${previous.op.id} was passed again`, fltMgr.kernel.place(previous.op.id));
  }
  fo.pointerCount++;
  const op = startOperation(fltMgr, {
    volume: fo.volume,
    fileObject: fo,
    MajorFunction,
    ...(extra.MinorFunction === undefined ? {} : { MinorFunction: extra.MinorFunction }),
    ...(extra.OperationFlags === undefined ? {} : { OperationFlags: extra.OperationFlags }),
    Parameters,
    RequestorMode: 'UserMode',
    requestorSid: fltMgr.kernel.current?.token ?? DEFAULT_USER_SID,
    initiator: fo.targetedInstance,
    markGenerated: false,
    ...(buffer === undefined ? {} : { buffer }),
  });
  op.issuedOverlapped = true;
  const thread = fltMgr.kernel.current;
  const entry: AppRequest = { op, handle, overlapped, thread: thread?.id ?? null, process: thread?.process ?? null };
  const request: OverlappedRequest = { op, output: null, event: overlapped.hEvent };
  overlapped.Internal = STATUS_PENDING;
  overlapped.InternalHigh = 0;
  io.overlappedRequests.set(overlapped, request);
  io.inFlight.push(entry);
  op.onComplete.push(() => {
    const at = io.inFlight.indexOf(entry);
    if (at >= 0) io.inFlight.splice(at, 1);
    completeOverlapped(fltMgr, overlapped, request);
    releaseRequestReference(fltMgr, fo);
  });
  yield* drive(fltMgr, op);
  return op.inFlight ? STATUS_PENDING : op.data.IoStatus.Status;
}

export function* readFileOverlapped(io: IoManager, handle: string, Length: number, overlapped: OVERLAPPED): Blocking<NTSTATUS> {
  const fo = io.fileObject(handle);
  if (fo !== undefined && (fo.Flags & FO_SYNCHRONOUS_IO) !== 0) {
    const r = yield* io.NtReadFile(handle, Length, overlapped.Offset ?? 0);
    Object.assign(overlapped, { Internal: r.status, InternalHigh: r.information });
    return r.status;
  }
  // The application's buffer (§20.1), as NtReadFile passes one; a length no application could have allocated goes down without.
  const ReadBuffer = Number.isSafeInteger(Length) && Length >= 0 && Length <= 64 * 1024 * 1024 ? new Uint8Array(Length) : null;
  return yield* requestOverlapped(io.fltMgrOf(), io, handle, IRP_MJ_READ, { Read: { Length, Key: 0, ByteOffset: overlapped.Offset ?? 0, ReadBuffer, MdlAddress: null } }, overlapped);
}

export function* writeFileOverlapped(io: IoManager, handle: string, data: Uint8Array | string, overlapped: OVERLAPPED): Blocking<NTSTATUS> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const fo = io.fileObject(handle);
  if (fo !== undefined && (fo.Flags & FO_SYNCHRONOUS_IO) !== 0) {
    const r = yield* io.NtWriteFile(handle, bytes, overlapped.Offset ?? 0);
    Object.assign(overlapped, { Internal: r.status, InternalHigh: r.information });
    return r.status;
  }
  return yield* requestOverlapped(io.fltMgrOf(), io, handle, IRP_MJ_WRITE, { Write: { Length: bytes.length, Key: 0, ByteOffset: overlapped.Offset ?? 0, WriteBuffer: bytes, MdlAddress: null } }, overlapped, bytes);
}

export function* getOverlappedResult(io: IoManager, _handle: string, overlapped: OVERLAPPED, bWait: boolean): Blocking<IoResult<Uint8Array | null>> {
  const request = io.overlappedRequests.get(overlapped);
  if (overlapped.Internal === STATUS_PENDING && request !== undefined) {
    if (!bWait) return { status: STATUS_PENDING, information: 0, output: null };
    while (overlapped.Internal === STATUS_PENDING) yield* waitFor(request.op.completed, `GetOverlappedResult: ${request.op.id} completion`);
  }
  const output = request?.output ?? null;
  return { status: overlapped.Internal, information: overlapped.InternalHigh, output: output?.kind === 'data' ? output.data : null };
}

export function* cancelIoFile(fltMgr: FilterManager, io: IoManager, handle: string): Blocking<NTSTATUS> {
  if (!io.hasHandle(handle)) return STATUS_INVALID_HANDLE;
  const me = fltMgr.kernel.current?.id ?? null;
  yield* cancelRequests(fltMgr, io.inFlight.filter((r) => r.handle === handle && r.thread === me), 'NtCancelIoFile');
  return STATUS_SUCCESS;
}

export function* cancelIoEx(fltMgr: FilterManager, io: IoManager, handle: string, overlapped: OVERLAPPED | null): Blocking<NTSTATUS> {
  if (!io.hasHandle(handle)) return STATUS_INVALID_HANDLE;
  const process = fltMgr.kernel.current?.process ?? null;
  const mine = io.inFlight.filter((r) => r.handle === handle && r.process === process && (overlapped === null || r.overlapped === overlapped));
  if (mine.length === 0) return STATUS_NOT_FOUND;
  yield* cancelRequests(fltMgr, mine, 'CancelIoEx');
  return STATUS_SUCCESS;
}

export function* cancelSynchronousIo(fltMgr: FilterManager, io: IoManager, thread: string): Blocking<NTSTATUS> {
  const sync = io.inFlight.filter((r) => r.thread === thread && r.overlapped === null);
  if (sync.length === 0) return STATUS_NOT_FOUND;
  yield* cancelRequests(fltMgr, sync, 'CancelSynchronousIo');
  return STATUS_SUCCESS;
}
