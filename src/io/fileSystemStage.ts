/**
 * The bottom of the stack: the request goes to the volume's in-memory file system. The file
 * system completes inline (in the sending thread) or, with `fileSystemCompletion: 'deferred'`,
 * returns STATUS_PENDING and completes later on an I/O completion thread — a point the scheduler
 * can interleave with everything else, which is where post-operation races come from.
 */
import { preempt, sleep, waitFor, type Blocking } from '../kernel/effects.js';
import { fixedLatency, hostDecides, type PendingFsRequest, type RequestCompletion } from './heldRequests.js';
import type { FsHold } from '../fs/holds.js';
import { clearCancelRoutine, isCancelRequested, setCancelRoutine } from './irpCancel.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { FsCompletion, FsRequest } from '../fs/types.js';
import { IRP_MJ_CLEANUP, IRP_MJ_CREATE, IRP_MJ_READ, IRP_MJ_SET_INFORMATION, IRP_MJ_WRITE, IRP_NOCACHE, IRP_PAGING_IO } from '../wdk/irp.js';
import { FO_NO_INTERMEDIATE_BUFFERING } from '../wdk/fileObjectConstants.js';
import { fastIoStage } from './fastIoStage.js';
import { FILE_INFORMATION_CLASS } from '../wdk/fileConstants.js';
import { NT_SUCCESS, STATUS_CANCELLED, STATUS_INVALID_USER_BUFFER, STATUS_REPARSE, type NTSTATUS } from '../wdk/ntstatus.js';
import type { IoOperation } from './ioOperation.js';
import { fileObjectOpened, updateFileObject } from './fileObjectLifecycle.js';
import { beginPost, currentFingerprint } from './walkSteps.js';
import { checkedTransfer, deliverData } from './buffers.js';
import { SYSTEM_PID } from './processes.js';
import { DISPATCH_LEVEL, PASSIVE_LEVEL } from '../sync/irql.js';
import type { FileObject } from './fileObject.js';
import type { Waitable } from '../kernel/waitable.js';

/** The request as the file system gets it; `buffer` is the bytes a write takes (its MDL's, else WriteBuffer, else the issuer's data). */
export function fsRequestOf(op: IoOperation, fo: FileObject, transferBytes?: Uint8Array): FsRequest {
  const iopb = op.currentIopb;
  const request: FsRequest = {
    MajorFunction: iopb.MajorFunction,
    MinorFunction: iopb.MinorFunction,
    IrpFlags: iopb.IrpFlags,
    OperationFlags: iopb.OperationFlags,
    FileObject: fo.fsRef(),
    Parameters: iopb.Parameters,
    RequestorMode: op.data.RequestorMode,
    requestorSid: op.requestorSid,
    operation: op.id,
    processId: op.data.Thread?.Cid.UniqueProcess ?? SYSTEM_PID,
    synchronousApi: op.asyncCallback === null && !op.issuedOverlapped,
    ...(op.isFastIo ? { fastIo: true } : {}),
  };
  const buffer = transferBytes ?? op.buffer;
  return buffer === undefined ? request : { ...request, buffer };
}

/** One request to the file system: the transfer checked, the request sent, the data delivered into the buffer (§20.1). */
function dispatchToFileSystem(fltMgr: FilterManager, op: IoOperation): FsCompletion {
  const fo = op.currentIopb.TargetFileObject;
  // IRP_MJ_PNP and IRP_MJ_SHUTDOWN reach the volume device itself, with no file object (src/fs/volumeRequests.ts).
  if (fo === null) return op.volume.fileSystem.volumeRequest(op.currentIopb.MajorFunction, op.currentIopb.MinorFunction);
  const transfer = checkedTransfer(fltMgr, op);
  if (transfer === 'invalidUserBuffer') return { Status: STATUS_INVALID_USER_BUFFER, Information: 0 };
  const result = op.volume.fileSystem.dispatch(fsRequestOf(op, fo, transfer?.bytes));
  deliverData(transfer, result);
  return result;
}

/** Send the operation to the file system; on return it is in 'post' (inline) or 'fsPending'. */
export function* fileSystemStage(fltMgr: FilterManager, op: IoOperation, runPostWalk: (op: IoOperation) => Blocking<void>): Blocking<void> {
  if (op.isFastIo) {
    // The file system's fast routine: inline on this thread whatever fileSystemCompletion says (§24.2).
    fastIoStage(fltMgr, op, () => dispatchToFileSystem(fltMgr, op), () => fsRequestOf(op, op.currentIopb.TargetFileObject!), (result) => {
      applyCompletion(fltMgr, op, result);
      completeReleased(fltMgr, op);
    });
    return;
  }
  fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'FsDispatch', parameters: currentFingerprint(op) });
  if (op.isFsFilter) {
    // The file system's FsFilter callback (its AcquireForCreateSection, AcquireForModWrite, ...):
    // called on this thread and answered now; never held, deferred or parked (§24.1).
    applyCompletion(fltMgr, op, dispatchToFileSystem(fltMgr, op));
    completeReleased(fltMgr, op);
    beginPost(op);
    return;
  }
  const fs = op.volume.fileSystem;
  const fo = op.currentIopb.TargetFileObject;
  // A hold picks requests by file (path, file object): a volume-level request (PnP, shutdown) has none.
  if (fs.holds.length > 0 && fo !== null) {
    // DispatchCleanup: the requests the file system queued for this file object end first (§19.2).
    if (op.major === IRP_MJ_CLEANUP) for (const h of fs.holds) h.cleanup(fo.id, STATUS_CANCELLED);
    const hold = fs.holdFor({ operation: op.id, MajorFunction: op.major, fileName: fo.FileName, fileObject: fo.id });
    if (hold !== null) {
      parkCancellably(fltMgr, op, fo, hold, runPostWalk);
      return;
    }
  }
  if (fltMgr.options.fileSystemCompletion === 'inline') {
    if (settle(fltMgr, op, dispatchToFileSystem(fltMgr, op), runPostWalk)) beginPost(op);
    return;
  }
  const latency = fltMgr.options.fileSystemLatency;
  const timing = fltMgr.options.fileSystemCompletion === 'host' ? hostDecides : fixedLatency(latency);
  const request = heldRequestOf(fltMgr, op);
  const decided = timing.decide(request);
  const released = decided === 'hold' ? fltMgr.held.hold(request, () => isCancelRequested(op)) : null;
  fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'FsPending', completesAt: decided === 'hold' ? null : (decided.at ?? request.since) });
  fltMgr.kernel.spawn(`IoCompletion(${op.id})`, deferredCompletion(fltMgr, op, request, decided, released, runPostWalk));
}

/**
 * The I/O completion thread of a request the file system completes later: decided at dispatch
 * (`decided`, the delay counted from when this thread first runs) or held until the host releases
 * it (`released`); then the completion and the post walk at DISPATCH_LEVEL.
 *
 * This and completeLater's thread are module-level generators, not generator expressions: a called
 * generator closure gets its own initial map, which V8 allocates in the old generation pointing back
 * at the closure and its context — the operation, the Filter Manager, the whole simulation — so every
 * simulation survived young-generation collections until the next full one (docs/exploration.md,
 * "Memory").
 */
function* deferredCompletion(
  fltMgr: FilterManager,
  op: IoOperation,
  request: PendingFsRequest,
  decided: RequestCompletion | 'hold',
  released: Waitable | null,
  runPostWalk: (op: IoOperation) => Blocking<void>,
): Blocking<number> {
  let decision: RequestCompletion;
  if (released === null) {
    // Decided at dispatch: the delay counts from when this thread first runs, as it always has.
    decision = decided as RequestCompletion;
    yield* sleep((decision.at ?? request.since) - request.since);
  } else {
    yield* waitFor(released, `the host completes ${op.id}`);
    decision = fltMgr.held.take(op.id);
    const at = decision.at ?? fltMgr.kernel.now;
    if (at > fltMgr.kernel.now) yield* sleep(at - fltMgr.kernel.now);
  }
  if (!settle(fltMgr, op, completionOf(() => dispatchToFileSystem(fltMgr, op), op, decision), runPostWalk)) return 0;
  beginPost(op);
  // Completion routines run in an arbitrary thread at DISPATCH_LEVEL: that is who completed it.
  op.completerIrql = DISPATCH_LEVEL;
  const thread = fltMgr.kernel.current!;
  thread.irql = 2;
  yield* runPostWalk(op);
  thread.irql = 0;
  return 0;
}

/**
 * A held request (src/fs/holds.ts) waits in the file system with the file system's cancel routine
 * armed (§19.2 (c)): a release takes the routine back and completes it; a cancel completes it with
 * STATUS_CANCELLED, Information 0. Either way the completion runs on an I/O completion thread.
 */
function parkCancellably(fltMgr: FilterManager, op: IoOperation, fo: FileObject, hold: FsHold, runPostWalk: (op: IoOperation) => Blocking<void>): void {
  fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'FsPending', completesAt: null });
  const unhold = (): void => {
    const at = hold.held.indexOf(request);
    if (at >= 0) hold.held.splice(at, 1);
  };
  const request = {
    operation: op.id,
    MajorFunction: op.major,
    fileName: fo.FileName,
    fileObject: fo.id,
    complete: (status: NTSTATUS | null, by = 'FileSystem'): boolean => {
      if (!clearCancelRoutine(fltMgr, op, by)) return false;
      unhold();
      completeLater(fltMgr, op, status === null ? null : { Status: status, Information: 0 }, runPostWalk, currentIrql(fltMgr));
      return true;
    },
  };
  hold.held.push(request);
  const cancelled = (): void => {
    unhold();
    completeLater(fltMgr, op, { Status: STATUS_CANCELLED, Information: 0 }, runPostWalk, cancellerIrql(fltMgr, op));
  };
  if (setCancelRoutine(fltMgr, op, 'FileSystem', null, cancelled) === 'cancelled') cancelled();
}

/**
 * Complete a request the file system held or parked, on an I/O completion thread: run it now
 * (`result` null: a hold's release, which may park it in the file system after all) or end it with
 * `result`; then the post walk.
 */
function completeLater(fltMgr: FilterManager, op: IoOperation, result: FsCompletion | null, runPostWalk: (op: IoOperation) => Blocking<void>, completerIrql: number): void {
  op.completerIrql = completerIrql;
  fltMgr.kernel.spawn(`IoCompletion(${op.id})`, laterCompletion(fltMgr, op, result, runPostWalk));
}

/** completeLater's I/O completion thread (a module-level generator: see deferredCompletion). */
function* laterCompletion(fltMgr: FilterManager, op: IoOperation, result: FsCompletion | null, runPostWalk: (op: IoOperation) => Blocking<void>): Blocking<number> {
  yield* preempt();
  if (result?.output !== undefined) {
    // What a parked request was let go with (a change notification's entries) lands in its buffer now (§20.1).
    const transfer = checkedTransfer(fltMgr, op);
    if (transfer !== 'invalidUserBuffer') deliverData(transfer, result);
  }
  if (!settle(fltMgr, op, result ?? dispatchToFileSystem(fltMgr, op), runPostWalk)) return 0;
  beginPost(op);
  const thread = fltMgr.kernel.current!;
  thread.irql = 2;
  yield* runPostWalk(op);
  thread.irql = 0;
  return 0;
}

/**
 * What the file system answered: the operation completes (its post walk follows), or the file
 * system parked it (§21.10: a waiting lock). Then the requests this dispatch let go are completed.
 * True when the operation completed.
 */
function settle(fltMgr: FilterManager, op: IoOperation, result: FsCompletion, runPostWalk: (op: IoOperation) => Blocking<void>): boolean {
  if (result.parked === true) parkInFileSystem(fltMgr, op, runPostWalk);
  else applyCompletion(fltMgr, op, result);
  completeReleased(fltMgr, op);
  return result.parked !== true;
}

/**
 * A request the file system keeps (STATUS_PENDING) waits with the file system's cancel routine
 * armed (§19.2 (c)): the file system lets it go later (completeReleased), or a cancel takes it back
 * from the file system and completes it with STATUS_CANCELLED. If the cancel bit was set before it
 * parked, it is cancelled at once, as a file system checking Irp->Cancel when it queues does.
 */
function parkInFileSystem(fltMgr: FilterManager, op: IoOperation, runPostWalk: (op: IoOperation) => Blocking<void>): void {
  // The machine says whether it already pended (a deferred completion that the file system then parked).
  if (!op.matches('FsPending')) fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'FsPending', completesAt: null });
  const fs = op.volume.fileSystem;
  fltMgr.fsParked.set(op.id, { op, runPostWalk });
  const cancelled = (): void => {
    fs.cancelParked(op.id);
    fltMgr.fsParked.delete(op.id);
    completeLater(fltMgr, op, { Status: STATUS_CANCELLED, Information: 0 }, runPostWalk, cancellerIrql(fltMgr, op));
  };
  if (setCancelRoutine(fltMgr, op, 'FileSystem', null, cancelled) === 'cancelled') cancelled();
}

/** The parked requests the file system let go during the last dispatch: each completes on its own I/O completion thread. */
function completeReleased(fltMgr: FilterManager, op: IoOperation): void {
  for (const { operation, completion } of op.volume.fileSystem.takeReleased()) {
    const parked = fltMgr.fsParked.get(operation);
    if (parked === undefined) continue;
    fltMgr.fsParked.delete(operation);
    // The routine is always still armed here: a cancel takes the request out of the file system in the same step.
    if (!clearCancelRoutine(fltMgr, parked.op, 'FileSystem')) continue;
    // The thread whose request made the change completes it (FsRtlNotifyFullReportChange, an unlock), at its IRQL.
    completeLater(fltMgr, parked.op, completion, parked.runPostWalk, currentIrql(fltMgr));
  }
}

/** The IRQL the running thread is at (PASSIVE_LEVEL outside any thread: a host's call). */
function currentIrql(fltMgr: FilterManager): number {
  return fltMgr.kernel.current?.irql ?? PASSIVE_LEVEL;
}

/**
 * A cancel routine of the file system runs under the cancel spin lock, but completes the request
 * after IoReleaseCancelSpinLock(Irp->CancelIrql): at the canceller's IRQL (§19.3).
 */
function cancellerIrql(fltMgr: FilterManager, op: IoOperation): number {
  return op.irp?.CancelIrql ?? currentIrql(fltMgr);
}

/** What a timing is told about a request: major function, file, offset and length, arrival, the cancel bit. */
function heldRequestOf(fltMgr: FilterManager, op: IoOperation): PendingFsRequest {
  const iopb = op.currentIopb;
  const params = iopb.Parameters as { Read?: { Length: number; ByteOffset: number }; Write?: { Length: number; ByteOffset: number } };
  const transfer = params.Read ?? params.Write ?? null;
  return {
    id: op.id,
    major: iopb.MajorFunction,
    fileObject: iopb.TargetFileObject?.id ?? null,
    fileName: iopb.TargetFileObject?.FileName ?? '',
    offset: transfer?.ByteOffset ?? null,
    length: transfer?.Length ?? null,
    since: fltMgr.kernel.now,
    cancelRequested: isCancelRequested(op),
  };
}

/**
 * The file system's answer under `decision`: performed as asked, or a fault — an error status
 * instead of performing it, or a transfer cut short (a short read hands back only the bytes it
 * reports; a short write reports fewer bytes done).
 */
function completionOf(dispatch: () => FsCompletion, op: IoOperation, decision: RequestCompletion): FsCompletion {
  if (decision.status !== undefined) return { Status: decision.status, Information: 0 };
  const result = dispatch();
  if (decision.information === undefined || decision.information >= result.Information) return result;
  const output = result.output;
  const short = { ...result, Information: decision.information };
  return output?.kind === 'data' ? { ...short, output: { kind: 'data', data: output.data.subarray(0, decision.information) } } : short;
}

/** Record what the file system did: status, output, and the file object changes it made. */
function applyCompletion(fltMgr: FilterManager, op: IoOperation, result: FsCompletion): void {
  const fo = op.currentIopb.TargetFileObject;
  fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'FsComplete', status: result.Status, information: result.Information });
  op.data.IoStatus = { Status: result.Status, Information: result.Information };
  op.output = result.output ?? null;
  op.data.TagData = result.tagData ?? null;
  if (result.streamTornDown !== undefined) fltMgr.contexts.streamTornDown(op.volume, result.streamTornDown);
  if (op.major === IRP_MJ_SET_INFORMATION && NT_SUCCESS(result.Status)) namespaceChangedBy(fltMgr, op);
  if (fo === null) return; // a volume-level request (PnP, shutdown) changes no file object
  if (op.major === IRP_MJ_CREATE && NT_SUCCESS(result.Status) && result.Status !== STATUS_REPARSE && fo.state === 'Opening') {
    fileObjectOpened(fltMgr, fo, result.fileObjectFlags ?? fo.Flags);
  } else if (result.currentByteOffset !== undefined || result.fileObjectFlags !== undefined) {
    updateFileObject(fltMgr, fo, result.currentByteOffset ?? fo.CurrentByteOffset, result.fileObjectFlags ?? fo.Flags);
  }
  // The fact moves the file object's machine to its CacheMapInitialized part (FILE_OBJECT.PrivateCacheMap).
  if (fltMgr.options.semantics.fastIo === 'whereWindows' && initiatesCaching(op, result)) fltMgr.emitFact({ seq: 0, time: 0, object: fo.id, type: 'CcInitializeCacheMap' });
}

/**
 * §24.2: a file system initiates caching on a file object (CcInitializeCacheMap) at the first cached
 * read or write it serves there — an IRP one, non-paging, without IRP_NOCACHE, on a file object
 * opened with intermediate buffering — as FastFat's FatCommonRead/FatCommonWrite do.
 */
function initiatesCaching(op: IoOperation, result: FsCompletion): boolean {
  const fo = op.currentIopb.TargetFileObject;
  if (fo === null || fo.PrivateCacheMap || op.isFastIo || (op.major !== IRP_MJ_READ && op.major !== IRP_MJ_WRITE) || !NT_SUCCESS(result.Status)) return false;
  return (op.currentIopb.IrpFlags & (IRP_NOCACHE | IRP_PAGING_IO)) === 0 && (fo.Flags & FO_NO_INTERMEDIATE_BUFFERING) === 0;
}

/**
 * §16.5: a successful rename or link invalidates the cached names of the file (and of everything
 * below a renamed directory) before any post-operation callback runs, so a post-rename query gets
 * the new name — unless `semantics.renameNameCache` is 'stale' (the network-redirector behaviour).
 */
function namespaceChangedBy(fltMgr: FilterManager, op: IoOperation): void {
  const params = op.currentIopb.Parameters as { SetFileInformation?: { FileInformationClass?: number } };
  const cls = params.SetFileInformation?.FileInformationClass;
  const reason = cls === undefined ? null : RENAME_CLASSES.has(cls) ? 'rename' : LINK_CLASSES.has(cls) ? 'link' : null;
  if (reason === null || fltMgr.options.semantics.renameNameCache === 'stale' || fltMgr.names.cache.size === 0) return;
  const fs = op.volume.fileSystem;
  const identity = fs.fsContextOf(op.currentIopb.TargetFileObject!.id); // a rename or link has a file object
  if (identity !== null) fltMgr.names.namespaceChanged(fs, op.volume.id, identity.fileId, identity.directory, reason);
}

const RENAME_CLASSES: ReadonlySet<number> = new Set([
  FILE_INFORMATION_CLASS.FileRenameInformation,
  FILE_INFORMATION_CLASS.FileRenameInformationEx,
  FILE_INFORMATION_CLASS.FileRenameInformationBypassAccessCheck,
  FILE_INFORMATION_CLASS.FileRenameInformationExBypassAccessCheck,
]);
const LINK_CLASSES: ReadonlySet<number> = new Set([
  FILE_INFORMATION_CLASS.FileLinkInformation,
  FILE_INFORMATION_CLASS.FileLinkInformationEx,
  FILE_INFORMATION_CLASS.FileLinkInformationBypassAccessCheck,
  FILE_INFORMATION_CLASS.FileLinkInformationExBypassAccessCheck,
]);
