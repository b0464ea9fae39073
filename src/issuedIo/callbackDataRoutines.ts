/**
 * Callback data a filter allocates and sends itself (§11.8–11.12): FltAllocateCallbackData[Ex],
 * FltPerformSynchronousIo, FltPerformAsynchronousIo, FltReuseCallbackData, FltFreeCallbackData.
 * The filter fills Data->Iopb (MajorFunction, Parameters, …) between allocation and Perform.
 */
import { fileObjectArgument, instanceArgument, ulongArgument } from './routineArguments.js';
import type { Blocking } from '../kernel/effects.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import { callbackDataMachine } from '../machines/callbackData.js';
import { IoOperation, type AsyncCallback, type FLT_CALLBACK_DATA } from '../io/ioOperation.js';
import { callbackDataRef } from '../io/callbackDataRef.js';
import type { FileObject } from '../io/fileObject.js';
import { beginOperation } from '../io/startOperation.js';
import { FLTFL_CALLBACK_DATA_IRP_OPERATION } from '../wdk/fltConstants.js';
import { FS_FILTER_MAJORS, IRP_MJ_CREATE, irpMajorName } from '../wdk/irp.js';
import {
  STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST,
  STATUS_FLT_IO_COMPLETE,
  STATUS_PENDING,
  STATUS_SUCCESS,
  type NTSTATUS,
} from '../wdk/ntstatus.js';
import type { FltParameters } from '../wdk/parameters.js';
import { callAsyncCallback, checkFileObject, checkInitiator, performAsynchronous, performSynchronous } from './generatedIo.js';
import { fail, requireThread } from '../fltmgr/routineSupport.js';
import { SYSTEM_SID } from '../kernel/sids.js';

export interface AllocateResult {
  readonly status: NTSTATUS;
  readonly data: FLT_CALLBACK_DATA | null;
}

/** The completion routine: a plain function, or a generator function when it takes locks or calls routines that block (the Filter Manager drives what it returns). */
export type PFLT_COMPLETED_ASYNC_IO_CALLBACK = (CallbackData: FLT_CALLBACK_DATA, Context: unknown) => void;

/** FltAllocateCallbackData(Instance, FileObject): FileObject is null for a create. */
export function FltAllocateCallbackData(Instance: InstanceObject, FileObject: FileObject | null): AllocateResult {
  return FltAllocateCallbackDataEx(Instance, FileObject, 0);
}

/** FltAllocateCallbackDataEx(Instance, FileObject, Flags): FLT_ALLOCATE_CALLBACK_DATA_PREALLOCATE_ALL_MEMORY changes nothing observable here. */
export function FltAllocateCallbackDataEx(Instance: InstanceObject, FileObject: FileObject | null, Flags: number): AllocateResult {
  instanceArgument('FltAllocateCallbackData', 'Instance', Instance);
  fileObjectArgument('FltAllocateCallbackData', FileObject);
  ulongArgument('FltAllocateCallbackData', 'Flags', Flags);
  const fltMgr = Instance.filter.fltMgr;
  const refused = checkInitiator(fltMgr, Instance, 'FltAllocateCallbackData');
  if (refused !== null) return { status: refused, data: null };
  if (FileObject !== null) {
    const bad = checkFileObject(fltMgr, Instance, FileObject, 'FltAllocateCallbackData');
    if (bad !== null) return { status: bad, data: null };
  }
  const kernel = fltMgr.kernel;
  const id = kernel.nextId('D');
  kernel.emitFact({ seq: 0, time: 0, object: id, type: 'FltAllocateCallbackData', instance: Instance.id, volume: Instance.volume.id, fileObject: FileObject?.id ?? null, flags: Flags });
  const actor = kernel.startMachine(callbackDataMachine);
  kernel.attachActor(id, actor);
  const op = new IoOperation(
    id,
    Instance.volume,
    Instance,
    Instance,
    { completed: kernel.createWaitable(`${id} completed`, 'notification'), progress: kernel.createWaitable(`${id} progress`, 'pulse') },
    actor,
    {
      Flags: FLTFL_CALLBACK_DATA_IRP_OPERATION,
      Thread: kernel.current === null ? null : fltMgr.processes.threadObject(kernel.current),
      // A create's target file object is filled in by the filter (FltCreateFile is the usual way).
      Iopb: { IrpFlags: 0, MajorFunction: 0, MinorFunction: 0, OperationFlags: 0, TargetFileObject: FileObject as FileObject, TargetInstance: Instance, Parameters: {} as FltParameters },
      IoStatus: { Status: STATUS_SUCCESS, Information: 0 },
      TagData: null,
      RequestorMode: 'KernelMode',
    },
  );
  fltMgr.allocatedData.set(id, op);
  return { status: STATUS_SUCCESS, data: op.data };
}

/** The filter's own data, checked for the rules every CBD routine shares (§14 invariants 12, 13). */
function ownData(routine: string, Data: FLT_CALLBACK_DATA): { fltMgr: FilterManager; op: IoOperation } {
  const ref = callbackDataRef(Data, routine);
  const op = ref.op;
  const fltMgr = op.volume.fltMgr;
  if (ref.kind === 'drainingCopy') {
    throw fltMgr.kernel.violation('FREE_NOT_OWNED', op.id, `${routine} on the copy of ${op.id} FltMgr made for a draining post-op of ${ref.instance}; only data from FltAllocateCallbackData may be (§14 invariant 12)`);
  }
  if (op.allocatedBy === null) {
    throw fltMgr.kernel.violation('FREE_NOT_OWNED', op.id, `${routine} on ${op.id}, callback data FltMgr passed to a callback; only data from FltAllocateCallbackData may be (§14 invariant 12)`);
  }
  if (op.freed) {
    throw fltMgr.kernel.violation('USE_AFTER_FREE', op.id, `${routine} on ${op.id} after FltFreeCallbackData (§14 invariant 13)`);
  }
  const caller = fltMgr.kernel.current?.callbackFilters.at(-1);
  if (caller !== undefined && caller !== op.allocatedBy.filter.id) {
    throw fltMgr.kernel.violation('FREE_NOT_OWNED', op.id, `${routine} on ${op.id} by ${caller}, but ${op.allocatedBy.filter.id} allocated it (§14 invariant 12)`);
  }
  return { fltMgr, op };
}

function checkIdle(fltMgr: FilterManager, op: IoOperation, routine: string): void {
  // The more specific rule first: an asynchronous run owes its callback whether or not it has completed.
  if (op.callbackOwed) {
    throw fltMgr.kernel.violation('FREE_BEFORE_CALLBACK', op.id, `${routine} on ${op.id} before its asynchronous completion callback ran (§14 invariant 13)`);
  }
  if (op.state !== 'Allocated' && op.state !== 'Completed') {
    throw fltMgr.kernel.violation('CALLBACK_DATA_IN_FLIGHT', op.id, `${routine} on ${op.id} while its operation is in flight (${op.state})`);
  }
}

function begin(fltMgr: FilterManager, op: IoOperation, routine: string): NTSTATUS | null {
  checkIdle(fltMgr, op, routine);
  if (op.state === 'Completed') {
    throw fltMgr.kernel.violation('PERFORM_WITHOUT_REUSE', op.id, `${routine} on ${op.id}, which already ran: call FltReuseCallbackData first (§11.11)`);
  }
  if (FS_FILTER_MAJORS.has(op.data.Iopb.MajorFunction)) {
    // §24.1, §24.9 invariant 16: FsFilter callback operations come from the memory and cache managers only.
    throw fltMgr.kernel.violation('FS_FILTER_OPERATION_GENERATED', op.id, `${routine} on ${op.id} for ${irpMajorName(op.data.Iopb.MajorFunction)}, an FsFilter callback operation: filters never issue them, only IRP operations can be performed (§24.1)`);
  }
  const refused = checkInitiator(fltMgr, op.allocatedBy!, routine);
  if (refused !== null) return refused;
  const fo = op.data.Iopb.TargetFileObject as FileObject | null;
  if (fo === null || fo === undefined) throw fltMgr.kernel.violation('NO_TARGET_FILE_OBJECT', op.id, `${routine} on ${op.id} with no Iopb->TargetFileObject`);
  const bad = checkFileObject(fltMgr, op.allocatedBy!, fo, routine);
  if (bad !== null) return bad;
  beginOperation(fltMgr, op, { requestorSid: fltMgr.kernel.current?.token ?? SYSTEM_SID });
  return null;
}

/** FltPerformSynchronousIo(CallbackData): send it below the initiating instance and wait; the result is in IoStatus. */
export function* FltPerformSynchronousIo(CallbackData: FLT_CALLBACK_DATA): Blocking<void> {
  const { fltMgr, op } = ownData('FltPerformSynchronousIo', CallbackData);
  requireThread(fltMgr, 'FltPerformSynchronousIo');
  const refused = begin(fltMgr, op, 'FltPerformSynchronousIo');
  if (refused !== null) {
    CallbackData.IoStatus = { Status: refused, Information: 0 };
    return;
  }
  yield* performSynchronous(fltMgr, op);
}

/**
 * FltPerformAsynchronousIo(CallbackData, CallbackRoutine, CallbackContext) (§11.10): STATUS_PENDING
 * (the callback comes later), STATUS_SUCCESS (it completed and the callback already ran),
 * STATUS_FLT_IO_COMPLETE (a lower pre-op completed it; the callback already ran). A create cannot
 * be asynchronous: STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST. Whenever the request is refused before
 * it is issued, the callback has already run, once, with the refusal in IoStatus (the callback runs
 * on every path; ddi issue 672).
 */
export function* FltPerformAsynchronousIo(CallbackData: FLT_CALLBACK_DATA, CallbackRoutine: PFLT_COMPLETED_ASYNC_IO_CALLBACK, CallbackContext: unknown): Blocking<NTSTATUS> {
  const { fltMgr, op } = ownData('FltPerformAsynchronousIo', CallbackData);
  requireThread(fltMgr, 'FltPerformAsynchronousIo');
  const callback = { routine: CallbackRoutine, context: CallbackContext };
  if (CallbackData.Iopb.MajorFunction === IRP_MJ_CREATE) {
    if (fltMgr.options.semantics.asyncCreate === 'verifier') {
      throw fltMgr.kernel.violation(
        'ASYNC_CREATE',
        op.id,
        `FltPerformAsynchronousIo on ${op.id} for IRP_MJ_CREATE; creates are always synchronous (Windows returns STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST, §14 invariant 11)`,
      );
    }
    checkIdle(fltMgr, op, 'FltPerformAsynchronousIo');
    return yield* refuseAsynchronous(fltMgr, op, callback, STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST, 'IRP_MJ_CREATE is never asynchronous (§11.10)');
  }
  const refused = begin(fltMgr, op, 'FltPerformAsynchronousIo');
  if (refused !== null) return yield* refuseAsynchronous(fltMgr, op, callback, refused, 'refused before it was issued');
  const outcome = yield* performAsynchronous(fltMgr, op, callback, true);
  if (outcome === 'pending') return STATUS_PENDING;
  return op.completedAbove ? STATUS_FLT_IO_COMPLETE : STATUS_SUCCESS;
}

/** A refused asynchronous request: the status in IoStatus, the callback once, right here; the status returned. */
function* refuseAsynchronous(fltMgr: FilterManager, op: IoOperation, callback: AsyncCallback, status: NTSTATUS, why: string): Blocking<NTSTATUS> {
  fail(fltMgr, op.id, 'FltPerformAsynchronousIo', status, `${op.id}: ${why}`);
  op.data.IoStatus = { Status: status, Information: 0 };
  op.asyncCallback = callback;
  yield* callAsyncCallback(fltMgr, op);
  return status;
}

/** FltReuseCallbackData(CallbackData): ready the data for another run; target instance and file object stay. */
export function FltReuseCallbackData(CallbackData: FLT_CALLBACK_DATA): void {
  const { fltMgr, op } = ownData('FltReuseCallbackData', CallbackData);
  checkIdle(fltMgr, op, 'FltReuseCallbackData');
  if (op.state === 'Allocated') return;
  fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'FltReuseCallbackData' });
  CallbackData.IoStatus = { Status: STATUS_SUCCESS, Information: 0 };
  CallbackData.TagData = null;
  CallbackData.Flags = FLTFL_CALLBACK_DATA_IRP_OPERATION;
}

/** FltFreeCallbackData(CallbackData). Any later use is a verifier error. */
export function FltFreeCallbackData(CallbackData: FLT_CALLBACK_DATA): void {
  const { fltMgr, op } = ownData('FltFreeCallbackData', CallbackData);
  checkIdle(fltMgr, op, 'FltFreeCallbackData');
  fltMgr.emitFact({ seq: 0, time: 0, object: op.id, type: 'FltFreeCallbackData' });
  fltMgr.allocatedData.delete(op.id);
  fltMgr.kernel.retireActor(op.id);
}

