/**
 * Calling one instance's pre-operation callback and acting on its result (§8, §7, §14 inv. 3, 9).
 */
import { FltSimError } from '../kernel/errors.js';
import type { Blocking } from '../kernel/effects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import type { FLT_OPERATION_REGISTRATION } from '../fltmgr/registration.js';
import {
  FLT_PREOP_COMPLETE,
  FLT_PREOP_DISALLOW_FASTIO,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FLTFL_CALLBACK_DATA_DIRTY,
} from '../wdk/fltConstants.js';
import { IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION, IRP_MJ_CREATE, irpMajorName } from '../wdk/irp.js';
import { STATUS_FLT_DISALLOW_FAST_IO, STATUS_INSUFFICIENT_RESOURCES } from '../wdk/ntstatus.js';
import { SyncTypeCreateSection } from '../wdk/sectionConstants.js';
import { BUFFER_FIELDS } from '../wdk/buffers.js';
import { isCancelable } from './irpCancel.js';
import { type IoOperation, type SwapRecord } from './ioOperation.js';
import { copyIopb } from './iopbCopy.js';
import { insertedMdl, swappedFields, transferOf } from './buffers.js';
import { describeResult } from '../fltmgr/routineSupport.js';
import { beginPost, checkCompletionStatus, currentFingerprint } from './walkSteps.js';
import { fingerprintIopb, summarizeParameters } from './parametersSummary.js';
import { callbackFrame } from './callbackFrame.js';

const PRE_RESULTS: ReadonlySet<unknown> = new Set([0, 1, 2, 3, 4, 5]);

/**
 * Where the walk goes after a pre-op's result: on down ('next'), to the post walk of the instances
 * above ('complete': it completed the operation), or nowhere for now ('pended'). The caller goes
 * there; the callback-data machine records where the operation is.
 */
export type PreOutcome = 'next' | 'complete' | 'pended';

/** Run the pre-op of `instance` (the node at op.cursor) and move the operation on per its result. */
export function* preOperation(fltMgr: FilterManager, op: IoOperation, instance: InstanceObject, entry: FLT_OPERATION_REGISTRATION): Blocking<PreOutcome> {
  const pre = entry.PreOperation;
  if (pre === undefined) {
    // §13 A15: a post-only registration behaves as if its pre-op returned SUCCESS_WITH_CALLBACK, NULL context.
    pushNode(fltMgr, op, instance, null, false);
    op.cursor++;
    return 'next';
  }
  const data = op.data;
  // The callback gets its own copy to edit; `seen` can share currentIopb, which is never mutated.
  const seen = op.currentIopb;
  data.Iopb = copyIopb(seen);
  data.Iopb.TargetInstance = instance;
  data.Flags &= ~FLTFL_CALLBACK_DATA_DIRTY;
  fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'PreOperation', instance: instance.id, parameters: currentFingerprint(op) });
  const box = { value: null as unknown };
  op.preCallbackRunning = instance;
  instance.rundown.add('callbacksInProgress', 1);
  let raw: unknown;
  try {
    raw = yield* fltMgr.invoke(instance.filter, () => pre(data, fltMgr.relatedObjects(instance, data.Iopb.TargetFileObject), box), callbackFrame(op, instance, 'PreOperation'));
  } finally {
    op.preCallbackRunning = null;
  }
  const result = checkPreResult(fltMgr, op, instance, raw, box.value);
  const dirty = (data.Flags & FLTFL_CALLBACK_DATA_DIRTY) !== 0;
  if (dirty && op.isFsFilter) checkFsFilterHasNoBuffers(fltMgr, op, instance);
  fltMgr.emitFact({
    seq: 0, time: 0, object: op.id,
    type: 'PreOperationReturned',
    instance: instance.id,
    result,
    dirty,
    status: result === FLT_PREOP_COMPLETE ? data.IoStatus.Status : null,
    // An edit of a volume-level request (no file object: PnP, shutdown) is not recorded: no file-object invariant concerns it.
    ...(dirty && data.Iopb.TargetFileObject !== null ? { edit: { fileObject: data.Iopb.TargetFileObject.id, parameters: summarizeParameters(data.Iopb.Parameters, undefined, op.issuerIopb.Parameters) } } : {}),
  });
  checkNoEarlyCompletion(fltMgr, op, instance, result);
  checkRefusedInsertNotPended(fltMgr, op, instance, result);
  const outcome = applyPreResult(fltMgr, op, instance, result, box.value, seen);
  // Only now may a teardown waiting on this instance go on: a PENDING result is counted above and
  // a node asking for a post-op is pushed, so neither slips past the drain (§4 steps 3-4).
  instance.rundown.add('callbacksInProgress', -1);
  return outcome;
}

/**
 * Act on a pre-op result (returned, or given later to FltCompletePendedPreOperation): edits made
 * with FltSetCallbackDataDirty pass down, others are dropped (§7); the walk goes on, stops, or waits.
 */
export function applyPreResult(fltMgr: FilterManager, op: IoOperation, instance: InstanceObject, result: number, context: unknown, seen: ReturnType<typeof copyIopb>): PreOutcome {
  const data = op.data;
  if ((data.Flags & FLTFL_CALLBACK_DATA_DIRTY) !== 0) {
    op.currentIopb = copyIopb(data.Iopb);
    op.currentFingerprint = null;
    data.Flags &= ~FLTFL_CALLBACK_DATA_DIRTY;
  }
  // Judged when the result is final: a pended pre-op's edits count when FltCompletePendedPreOperation says what it returns.
  const swap = result === FLT_PREOP_PENDING || op.currentIopb === seen ? null : recordSwap(fltMgr, op, instance, result, seen, op.currentIopb);
  switch (result) {
    case FLT_PREOP_SUCCESS_WITH_CALLBACK:
    case FLT_PREOP_SYNCHRONIZE:
      pushNode(fltMgr, op, instance, context, result === FLT_PREOP_SYNCHRONIZE, seen, swap);
      op.cursor++;
      return 'next';
    case FLT_PREOP_SUCCESS_NO_CALLBACK:
      op.cursor++;
      return 'next';
    case FLT_PREOP_COMPLETE:
      // The cursor stays at this instance: the pre walk stopped above the file system.
      beginPost(op);
      return 'complete';
    case FLT_PREOP_DISALLOW_FASTIO:
      // §8: as COMPLETE, with the status FltMgr sets; the I/O manager then sends the request as an IRP.
      op.data.IoStatus = { Status: STATUS_FLT_DISALLOW_FAST_IO, Information: 0 };
      op.fastIoRefused = true;
      beginPost(op);
      return 'complete';
    case FLT_PREOP_PENDING: {
      const early = op.earlyPreCompletion;
      if (early !== null && early.instance === instance) {
        // §8: FltCompletePendedPreOperation ran before the pre-op returned PENDING; go on as it said.
        op.earlyPreCompletion = null;
        fltMgr.emitFact({
          seq: 0, time: 0, object: op.id,
          type: 'FltCompletePendedPreOperation',
          instance: instance.id,
          result: early.result,
          status: early.result === FLT_PREOP_COMPLETE ? op.data.IoStatus.Status : null,
          early: true,
        });
        return applyPreResult(fltMgr, op, instance, early.result, early.context, seen);
      }
      // The machine is PrePended (PreOperationReturned); the pending instance is the node at the cursor.
      op.pendedSeen = seen;
      instance.rundown.add('pendedOperations', 1);
      return 'pended';
    }
    default:
      throw new FltSimError(`internal: unchecked pre-op result ${result}`);
  }
}

/**
 * §20.6: dirty edits that replaced the data buffer or put in an MDL of the filter's own are a buffer
 * swap. Lower instances and the file system use the new buffers; this instance's post-op (and every
 * higher one) sees the originals; FltMgr frees the inserted MDL after that post-op. A swap needs
 * that post-op: without one nobody copies the data back or frees the buffer.
 */
function recordSwap(fltMgr: FilterManager, op: IoOperation, instance: InstanceObject, result: number, seen: ReturnType<typeof copyIopb>, edited: ReturnType<typeof copyIopb>): SwapRecord | null {
  const fields = swappedFields(seen.Parameters, edited.Parameters);
  if (fields.length === 0 || result === FLT_PREOP_COMPLETE) return null;
  // What was swapped in must be a buffer or a locked MDL: named here, at the pre-op that did it.
  transferOf(fltMgr, op, edited.Parameters);
  const mdl = insertedMdl(seen.Parameters, edited.Parameters);
  fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'BuffersSwapped', instance: instance.id, fields, mdl: mdl?.id ?? null });
  if (result !== FLT_PREOP_SUCCESS_WITH_CALLBACK && result !== FLT_PREOP_SYNCHRONIZE) {
    throw fltMgr.kernel.violation('SWAP_WITHOUT_POST_OPERATION', instance.id, `${instance.filter.name} swapped the buffers of ${op.id} (${fields.join(', ')}) and returned ${result}: a filter that swaps buffers must get its post-operation callback to restore and free them (§20.6)`);
  }
  if (mdl !== null) fltMgr.memory.swapped.add(mdl);
  return { mdl, cancelled: false };
}

/** An early completion recorded against a pre-op that then did not return PENDING is a misuse (§14 inv. 7). */
export function checkNoEarlyCompletion(fltMgr: FilterManager, op: IoOperation, instance: InstanceObject, result: number): void {
  if (op.earlyPreCompletion !== null && op.earlyPreCompletion.instance === instance && result !== FLT_PREOP_PENDING) {
    op.earlyPreCompletion = null;
    throw fltMgr.kernel.violation('COMPLETE_NOT_PENDED', instance.id, `FltCompletePendedPreOperation on ${op.id} while its pre-op was running, and the pre-op then returned ${result}, not FLT_PREOP_PENDING`);
  }
}

/**
 * §19.5 rule 4: data a Cbdq refused (STATUS_FLT_CBDQ_DISABLED) was never queued, so a pre-op that
 * pends it anyway leaves it with nobody to complete it — unless it armed another way to finish it.
 */
function checkRefusedInsertNotPended(fltMgr: FilterManager, op: IoOperation, instance: InstanceObject, result: number): void {
  const refused = op.cbdqRefusedIn === instance;
  op.cbdqRefusedIn = null;
  if (!refused || result !== FLT_PREOP_PENDING || op.earlyPreCompletion !== null || isCancelable(op)) return;
  throw fltMgr.kernel.violation('CBDQ_PENDED_AFTER_DISABLE', instance.id, `${instance.filter.name}'s pre-operation returned FLT_PREOP_PENDING for ${op.id}, which its FltCbdqInsertIo refused with STATUS_FLT_CBDQ_DISABLED: it is in no queue and nothing will complete it (§19.5 rule 4)`);
}

function pushNode(fltMgr: FilterManager, op: IoOperation, instance: InstanceObject, context: unknown, synchronize: boolean, seen = op.currentIopb, swap: SwapRecord | null = null): void {
  // Post-create always runs at PASSIVE in the thread that issued the create (§8), so a create
  // behaves as if every instance had asked to synchronize with the issuer.
  // Fast I/O is walked whole on the issuing thread, its post-ops at PASSIVE there (§8, §20.2): the same.
  const isCreate = op.major === IRP_MJ_CREATE;
  // So is an FsFilter operation: the memory manager's call into the file system returns only when every post-op ran (§24.1).
  synchronize ||= op.isFastIo || op.isFsFilter;
  op.completion.push({
    kind: 'instance',
    instance,
    context,
    iopb: seen,
    fingerprint: seen === op.currentIopb ? currentFingerprint(op) : fingerprintIopb(seen, op.issuerIopb.Parameters),
    synchronize: synchronize || isCreate,
    thread: isCreate ? op.issuerThread : (fltMgr.kernel.current?.id ?? null),
    mark: 'waiting',
    ...(swap === null ? {} : { swap }),
  });
}

function checkPreResult(fltMgr: FilterManager, op: IoOperation, instance: InstanceObject, raw: unknown, context: unknown): number {
  const where = `PreOperation of ${instance.filter.name} (${instance.id}) for ${op.id} ${irpMajorName(op.major)}`;
  if (!PRE_RESULTS.has(raw)) {
    throw fltMgr.kernel.violation('CALLBACK_RETURN_INVALID', instance.id, `${where} returned ${describeResult(raw)}, not an FLT_PREOP_CALLBACK_STATUS`);
  }
  const result = raw as number;
  const wantsPost = result === FLT_PREOP_SUCCESS_WITH_CALLBACK || result === FLT_PREOP_SYNCHRONIZE;
  if (!wantsPost && context !== null && context !== undefined) {
    throw fltMgr.kernel.violation('COMPLETION_CONTEXT_WITHOUT_CALLBACK', instance.id, `${where} set a CompletionContext but returned ${result} (§14 invariant 9)`);
  }
  const entry = instance.filter.registration.OperationRegistration?.find((e) => e.MajorFunction === op.major);
  if (wantsPost && entry?.PostOperation === undefined) {
    throw fltMgr.kernel.violation('NO_POST_OPERATION', instance.id, `${where} asked for a post-operation callback it did not register`);
  }
  if (result === FLT_PREOP_DISALLOW_FASTIO && !op.isFastIo) {
    // Only a fast I/O operation can be disallowed; an FsFilter callback operation is no IRP, but no fast I/O either.
    throw fltMgr.kernel.violation('DISALLOW_FASTIO_ON_IRP', instance.id, `${where} returned FLT_PREOP_DISALLOW_FASTIO for ${op.isFsFilter ? 'an FsFilter callback operation' : 'an IRP operation'}: only a fast I/O operation can be disallowed`);
  }
  if (result === FLT_PREOP_PENDING && op.isFastIo) {
    throw fltMgr.kernel.violation('PEND_FAST_IO', instance.id, `${where} returned FLT_PREOP_PENDING for a fast I/O operation: only IRP operations can be pended (FLT_IS_IRP_OPERATION); return FLT_PREOP_DISALLOW_FASTIO to have it sent as an IRP (§8)`);
  }
  if (op.isFsFilter) checkFsFilterResult(fltMgr, op, instance, where, result);
  if (result === FLT_PREOP_COMPLETE) checkCompletionStatus(fltMgr, op, instance, where, op.data.IoStatus.Status);
  return result;
}

/**
 * §24.1, §24.9 invariant 16: an FsFilter callback operation cannot be pended, and the only failure a
 * pre-op may give one is STATUS_INSUFFICIENT_RESOURCES for a SyncTypeCreateSection acquire (the
 * section creation then fails with it); SyncTypeOther acquires and every other FsFilter operation
 * cannot fail.
 */
function checkFsFilterResult(fltMgr: FilterManager, op: IoOperation, instance: InstanceObject, where: string, result: number): void {
  if (result === FLT_PREOP_PENDING) {
    throw fltMgr.kernel.violation('FS_FILTER_OPERATION_PENDED', instance.id, `${where} returned FLT_PREOP_PENDING for an FsFilter callback operation: they cannot be pended (§24.1)`);
  }
  if (result !== FLT_PREOP_COMPLETE) return;
  const status = op.data.IoStatus.Status >>> 0;
  const sync = (op.currentIopb.Parameters as { AcquireForSectionSynchronization?: { SyncType: number } }).AcquireForSectionSynchronization;
  if (op.major === IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION && sync?.SyncType === SyncTypeCreateSection && status === STATUS_INSUFFICIENT_RESOURCES) return;
  const what = op.major === IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION && sync?.SyncType === SyncTypeCreateSection ? 'only STATUS_INSUFFICIENT_RESOURCES may fail a SyncTypeCreateSection acquire' : op.major === IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION ? 'a SyncTypeOther acquire cannot be failed' : 'this FsFilter operation cannot be failed';
  throw fltMgr.kernel.violation('FS_FILTER_OPERATION_FAILED', instance.id, `${where} completed it with 0x${status.toString(16).padStart(8, '0')}: ${what} (§24.1, §24.9 invariant 16)`);
}

/** §24.1: FsFilter operations carry no buffers; a dirty edit that puts a buffer or an MDL in their parameters is a swap they cannot have. */
function checkFsFilterHasNoBuffers(fltMgr: FilterManager, op: IoOperation, instance: InstanceObject): void {
  for (const [member, value] of Object.entries(op.data.Iopb.Parameters)) {
    if (value === null || typeof value !== 'object') continue;
    const field = Object.keys(value).find((k) => BUFFER_FIELDS.has(k) && (value as Record<string, unknown>)[k] != null);
    if (field !== undefined) {
      throw fltMgr.kernel.violation('FS_FILTER_OPERATION_BUFFERS', instance.id, `${instance.filter.name} put ${member}.${field} into ${op.id} ${irpMajorName(op.major)}, an FsFilter callback operation: they have no buffers to swap (§24.1, §24.9 invariant 16)`);
    }
  }
}
