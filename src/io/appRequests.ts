/**
 * Application requests in flight and how an application cancels them (§19.1): the I/O manager
 * keeps, like a thread's IRP list, which thread and process issued each request, on which handle,
 * synchronously or with an OVERLAPPED (the Win32 structure the port routines use too). NtCancelIoFile / CancelIo cancel the calling thread's
 * requests on a handle, CancelIoEx (NtCancelIoFileEx) the calling process's (optionally only the
 * one issued with an OVERLAPPED), CancelSynchronousIo (NtCancelSynchronousIoFile) a thread's
 * synchronous request. None of them waits for the completion: each request still completes
 * exactly once, normally (the cancel came too late) or with STATUS_CANCELLED.
 */
import type { Blocking } from '../kernel/effects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { EventHandle, OVERLAPPED } from '../fltmgr/portObjects.js';
import type { FsOutput } from '../fs/types.js';
import type { IoOperation } from './ioOperation.js';
import { cancelIrp } from './irpCancel.js';

/** What the I/O manager keeps about an OVERLAPPED while its request is in flight and after. */
export interface OverlappedRequest {
  readonly op: IoOperation;
  output: FsOutput | null;
  /** lpOverlapped->hEvent as the request was issued: referenced then (sim.io checked it), so a later change to the OVERLAPPED does not move it. */
  readonly event: EventHandle | null;
}

export interface AppRequest {
  readonly op: IoOperation;
  /** The handle it was issued on (null for a create). */
  readonly handle: string | null;
  readonly thread: string | null;
  readonly process: string | null;
  /** Null for a synchronous request, the caller's OVERLAPPED for an asynchronous one. */
  readonly overlapped: OVERLAPPED | null;
}

/** Cancel each request (IoCancelIrp), oldest first; the list is taken before any cancel routine runs. */
export function* cancelRequests(fltMgr: FilterManager, requests: readonly AppRequest[], by: string): Blocking<number> {
  for (const r of requests.slice()) yield* cancelIrp(fltMgr, r.op, by);
  return requests.length;
}

/** Fill in the OVERLAPPED and set its event (a Win32 event, CreateEventW): the completion of an asynchronous request. */
export function completeOverlapped(fltMgr: FilterManager, overlapped: OVERLAPPED, request: OverlappedRequest): void {
  const op = request.op;
  overlapped.Internal = op.data.IoStatus.Status;
  overlapped.InternalHigh = op.data.IoStatus.Information;
  request.output = op.output;
  if (request.event !== null) fltMgr.kernel.signal(request.event.waitable);
}
