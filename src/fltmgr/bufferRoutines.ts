/**
 * The routines a filter uses to reach an operation's data (§20.2–§20.6): FltLockUserBuffer,
 * MmGetSystemAddressForMdlSafe, FltDecodeParameters, IoAllocateMdl / MmBuildMdlForNonPagedPool /
 * IoFreeMdl, FltGetSwappedBufferMdlAddress / FltRetainSwappedBufferMdlAddress, and
 * FltDoCompletionProcessingWhenSafe.
 *
 * The data members the model lays out are Read, Write and DirectoryControl.QueryDirectory (§20.1);
 * for another major these routines answer as for an operation with no buffer.
 */
import { kernelCall, type Blocking, type MaybeBlocking } from '../kernel/effects.js';
import { UsageError } from '../kernel/errors.js';
import type { Kernel } from '../kernel/kernel.js';
import { callbackDataRef } from '../io/callbackDataRef.js';
import { dataMemberOf } from '../io/buffers.js';
import type { CompletionNode, FLT_CALLBACK_DATA, IoOperation } from '../io/ioOperation.js';
import { FltCompletePendedPostOperation } from '../io/pending.js';
import { IoReadAccess, IoWriteAccess, type LOCK_OPERATION, type MDL } from '../wdk/buffers.js';
import {
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_POSTOP_MORE_PROCESSING_REQUIRED,
  FLTFL_CALLBACK_DATA_DIRTY,
  FLTFL_CALLBACK_DATA_IRP_OPERATION,
  FLTFL_POST_OPERATION_DRAINING,
  type FLT_POSTOP_CALLBACK_STATUS,
} from '../wdk/fltConstants.js';
import { IRP_MJ_READ, IRP_MJ_WRITE, IRP_MN_MDL, IRP_PAGING_IO } from '../wdk/irp.js';
import { STATUS_ACCESS_VIOLATION, STATUS_INVALID_PARAMETER, STATUS_SUCCESS, type NTSTATUS } from '../wdk/ntstatus.js';
import type { FilterManager } from './filterManager.js';
import type { FilterObject } from './filterObject.js';
import { mdlObject, type MdlObject } from './memoryObjects.js';
import type { FLT_RELATED_OBJECTS, PFLT_POST_OPERATION_CALLBACK } from './registration.js';
import { fail } from './routineSupport.js';
import { checkIrql } from '../sync/irql.js';

const APC_LEVEL = 1;

function operationOfData(Data: FLT_CALLBACK_DATA, routine: string): IoOperation {
  return callbackDataRef(Data, routine).op;
}

/**
 * FltLockUserBuffer(CallbackData) (§20.3): an MDL for the operation's buffer, its pages locked,
 * stored in MdlAddress; from a pre-op FltMgr sets the data dirty itself so lower instances get it.
 * FltMgr frees the MDL when the operation completes; the caller never frees it.
 */
export function FltLockUserBuffer(CallbackData: FLT_CALLBACK_DATA): NTSTATUS {
  const routine = 'FltLockUserBuffer';
  const op = operationOfData(CallbackData, routine);
  const fltMgr = op.volume.fltMgr;
  const thread = fltMgr.kernel.current;
  if (thread !== null) checkIrql(fltMgr.kernel, thread, routine);
  const iopb = CallbackData.Iopb;
  const member = dataMemberOf(iopb.Parameters);
  if (member === null) return fail(fltMgr, op.id, routine, STATUS_INVALID_PARAMETER, `${op.id}: the operation has no buffer the model lays out (§20.1)`);
  if ((iopb.MajorFunction === IRP_MJ_READ || iopb.MajorFunction === IRP_MJ_WRITE) && (iopb.MinorFunction & IRP_MN_MDL) !== 0) {
    return fail(fltMgr, op.id, routine, STATUS_INVALID_PARAMETER, `${op.id}: IRP_MN_MDL operations carry the cache's MDL`);
  }
  const existing = member.holder['MdlAddress'];
  if (existing !== undefined && existing !== null) return STATUS_SUCCESS;
  const buffer = member.holder[member.bufferKey];
  const length = member.holder['Length'];
  if (!(buffer instanceof Uint8Array) || typeof length !== 'number') return fail(fltMgr, op.id, routine, STATUS_INVALID_PARAMETER, `${op.id}: no ${member.bufferKey} to lock`);
  // Probing a buffer shorter than Length faults: the routine returns the exception's code.
  if (length > buffer.length) return fail(fltMgr, op.id, routine, STATUS_ACCESS_VIOLATION, `${op.id}: ${member.bufferKey} holds ${buffer.length} bytes, Length is ${length}`);
  const mdl = fltMgr.memory.allocateMdl(routine, null, buffer, length === buffer.length ? buffer : buffer.subarray(0, length), op.id);
  fltMgr.memory.lock(mdl, routine);
  member.holder['MdlAddress'] = mdl;
  // From a pre-op (running or pended) the new MDL must reach lower instances: FltMgr marks the data dirty.
  if (op.matches('PreOperation') || op.matches('PrePended')) CallbackData.Flags = (CallbackData.Flags | FLTFL_CALLBACK_DATA_DIRTY) >>> 0;
  op.onComplete.push(() => {
    if (mdl.state !== 'Freed') fltMgr.memory.freeMdl(mdl, 'FltMgr');
  });
  return STATUS_SUCCESS;
}

/** The MDL object behind an argument, or the typed error for anything else. */
function mdlArgument(Mdl: unknown, routine: string): MdlObject {
  const mdl = mdlObject(Mdl);
  if (mdl === null) throw new UsageError('NOT_AN_MDL', `${routine}: the argument is not an MDL (IoAllocateMdl and FltLockUserBuffer make them)`);
  if (mdl.state === 'Freed') throw mdl.kernel.violation('BUFFER_USED_AFTER_FREE', mdl.id, `${routine} on ${mdl}, which was freed`);
  return mdl;
}

/**
 * MmGetSystemAddressForMdlSafe(Mdl, Priority) (§20.4): the system address of the MDL's bytes — a
 * view of the same bytes, so what the caller writes there is what the buffer holds. The pages must be locked.
 */
export function MmGetSystemAddressForMdlSafe(Mdl: MDL, _Priority: number): Uint8Array | null {
  const mdl = mdlArgument(Mdl, 'MmGetSystemAddressForMdlSafe');
  if (mdl.state !== 'Locked') throw mdl.kernel.violation('MDL_NOT_LOCKED', mdl.id, `MmGetSystemAddressForMdlSafe on ${mdl}, whose pages were never locked (§20.4)`);
  return mdl.view;
}

/**
 * IoAllocateMdl(VirtualAddress, Length, SecondaryBuffer, ChargeQuota, Irp): an MDL for the first
 * Length bytes of VirtualAddress, not yet locked; NULL for a length it cannot describe.
 */
export function IoAllocateMdl(VirtualAddress: Uint8Array, Length: number, _SecondaryBuffer = false, _ChargeQuota = false, _Irp: unknown = null): Blocking<MDL | null> {
  return kernelCall((kernel, thread) => {
    if (!(VirtualAddress instanceof Uint8Array) || !Number.isSafeInteger(Length) || Length <= 0 || Length > 0xffffffff) return null;
    const fltMgr = fltMgrOfKernel(kernel);
    const callerId = thread.callbackFilters.at(-1);
    const owner = callerId === undefined ? null : (fltMgr.filters.find((f) => f.id === callerId) ?? null);
    // An MDL longer than its buffer describes memory past it: the transfer that uses it is BUFFER_TOO_SHORT.
    return fltMgr.memory.allocateMdl('IoAllocateMdl', owner, VirtualAddress, VirtualAddress.subarray(0, Length), null);
  });
}

function fltMgrOfKernel(kernel: Kernel): FilterManager {
  const fltMgr = kernel.owners.get('FilterManager');
  if (fltMgr === undefined) throw new UsageError('NO_SIMULATION', 'MDL routines need a simulation with a Filter Manager');
  return fltMgr as FilterManager;
}

/** MmBuildMdlForNonPagedPool(Mdl): the MDL's pages are resident (nonpaged pool), so it counts as locked. */
export function MmBuildMdlForNonPagedPool(Mdl: MDL): void {
  const mdl = mdlArgument(Mdl, 'MmBuildMdlForNonPagedPool');
  fltMgrOfKernel(mdl.kernel).memory.lock(mdl, 'MmBuildMdlForNonPagedPool');
}

/** IoFreeMdl(Mdl): for MDLs the filter allocated; an MDL FltLockUserBuffer made is FltMgr's to free. */
export function IoFreeMdl(Mdl: MDL): void {
  const mdl = mdlArgument(Mdl, 'IoFreeMdl');
  if (mdl.operation !== null) throw mdl.kernel.violation('BUFFER_INVALID', mdl.id, `IoFreeMdl on ${mdl}, which FltLockUserBuffer built for ${mdl.operation}: FltMgr frees it when the operation completes (§20.3)`);
  fltMgrOfKernel(mdl.kernel).memory.freeMdl(mdl, 'filter');
}

/** A pointer to one field of FLT_PARAMETERS: read it, or write through it (FltDecodeParameters hands these out). */
export interface FieldPointer<T> {
  get(): T;
  set(value: T): void;
}

export interface DecodedParameters {
  readonly status: NTSTATUS;
  /** &MdlAddress, or null when the operation has no MDL field. */
  readonly MdlAddressPointer: FieldPointer<MDL | null> | null;
  readonly Buffer: FieldPointer<Uint8Array | null> | null;
  readonly Length: FieldPointer<number> | null;
  readonly DesiredAccess: LOCK_OPERATION;
}

function pointer<T>(holder: Record<string, unknown>, key: string, fallback: T): FieldPointer<T> {
  return {
    get: () => (holder[key] ?? fallback) as T,
    set: (value: T) => void (holder[key] = value),
  };
}

/**
 * FltDecodeParameters(CallbackData, &MdlAddressPointer, &Buffer, &Length, &DesiredAccess) (§20.5):
 * pointers to the buffer fields of the data's own parameter block, so the caller can change them.
 * READ and QUERY_DIRECTORY: the filter may write the buffer (IoWriteAccess); WRITE: only read it.
 */
export function FltDecodeParameters(CallbackData: FLT_CALLBACK_DATA): DecodedParameters {
  const op = operationOfData(CallbackData, 'FltDecodeParameters');
  const member = dataMemberOf(CallbackData.Iopb.Parameters);
  if (member === null) {
    const status = fail(op.volume.fltMgr, op.id, 'FltDecodeParameters', STATUS_INVALID_PARAMETER, `${op.id}: the operation has no buffer the model lays out (§20.1)`);
    return { status, MdlAddressPointer: null, Buffer: null, Length: null, DesiredAccess: IoReadAccess };
  }
  return {
    status: STATUS_SUCCESS,
    MdlAddressPointer: pointer<MDL | null>(member.holder, 'MdlAddress', null),
    Buffer: pointer<Uint8Array | null>(member.holder, member.bufferKey, null),
    Length: pointer<number>(member.holder, 'Length', 0),
    DesiredAccess: member.name === 'Write' ? IoReadAccess : IoWriteAccess,
  };
}

type InstanceNode = Extract<CompletionNode, { kind: 'instance' }>;

/** The completion node of the post-op now running (or pended) for the data's target instance. */
function postNodeOf(op: IoOperation, Data: FLT_CALLBACK_DATA): InstanceNode | null {
  for (const node of op.completion) {
    if (node.kind !== 'instance' || node.instance !== Data.Iopb.TargetInstance) continue;
    const where = op.slotState(node);
    if (where === 'running' || where === 'pended') return node;
  }
  return null;
}

/** FltGetSwappedBufferMdlAddress(CallbackData) (§20.6): in a post-op, the MDL its pre-op swapped in, else NULL. */
export function FltGetSwappedBufferMdlAddress(CallbackData: FLT_CALLBACK_DATA): MDL | null {
  const op = operationOfData(CallbackData, 'FltGetSwappedBufferMdlAddress');
  return postNodeOf(op, CallbackData)?.swap?.mdl ?? null;
}

/** FltRetainSwappedBufferMdlAddress(CallbackData) (§20.6): FltMgr will not free the swapped-in MDL; the filter frees it (IoFreeMdl). */
export function FltRetainSwappedBufferMdlAddress(CallbackData: FLT_CALLBACK_DATA): void {
  const op = operationOfData(CallbackData, 'FltRetainSwappedBufferMdlAddress');
  const node = postNodeOf(op, CallbackData);
  const mdl = node?.swap?.mdl ?? null;
  // Only an inserted MDL is FltMgr's to free; a swapped plain buffer is the filter's already.
  if (node === null || mdl === null || mdl.retained) return;
  op.volume.fltMgr.emitFact({ seq: 0, time: 0, object: mdl.id, type: 'FltRetainSwappedBufferMdlAddress', operation: op.id, instance: node.instance.id });
}

export interface WhenSafeResult {
  /** TRUE: SafePostCallback ran, or will run on a worker thread; FALSE: it cannot be run safely. */
  readonly value: boolean;
  readonly RetPostOperationStatus: FLT_POSTOP_CALLBACK_STATUS;
}

/**
 * FltDoCompletionProcessingWhenSafe(Data, FltObjects, CompletionContext, Flags, SafePostCallback,
 * &RetPostOperationStatus) (§20.2): from a post-op. At ≤ APC_LEVEL SafePostCallback runs now and its
 * result is returned. At DISPATCH_LEVEL it is posted to a worker thread, the post-op must return
 * FLT_POSTOP_MORE_PROCESSING_REQUIRED, and FltMgr completes the pended post-op after the callback.
 * FALSE (nothing ran) for a draining post-op, a fast-I/O operation, or paging I/O (it cannot be posted).
 */
export function* FltDoCompletionProcessingWhenSafe(
  Data: FLT_CALLBACK_DATA,
  FltObjects: FLT_RELATED_OBJECTS,
  CompletionContext: unknown,
  Flags: number,
  SafePostCallback: PFLT_POST_OPERATION_CALLBACK,
): Blocking<WhenSafeResult> {
  const routine = 'FltDoCompletionProcessingWhenSafe';
  const op = operationOfData(Data, routine);
  const fltMgr = op.volume.fltMgr;
  const instance = Data.Iopb.TargetInstance;
  const refuse = (why: string): WhenSafeResult => {
    fail(fltMgr, op.id, routine, STATUS_INVALID_PARAMETER, `${op.id}: ${why}`);
    return { value: false, RetPostOperationStatus: FLT_POSTOP_FINISHED_PROCESSING };
  };
  if (instance === null) return refuse('no target instance');
  if ((Flags & FLTFL_POST_OPERATION_DRAINING) !== 0) return refuse('the post-op is draining');
  if ((Data.Flags & FLTFL_CALLBACK_DATA_IRP_OPERATION) === 0) return refuse('not an IRP operation');
  const filter = instance.filter;
  const thread = fltMgr.kernel.current;
  if (thread === null || thread.irql <= APC_LEVEL) {
    const status = yield* fltMgr.invoke(filter, () => SafePostCallback(Data, FltObjects, CompletionContext, Flags));
    return { value: true, RetPostOperationStatus: status };
  }
  if ((Data.Iopb.IrpFlags & IRP_PAGING_IO) !== 0) return refuse('paging I/O cannot be posted');
  filter.rundown.add('workItems', 1);
  fltMgr.kernel.spawn(`WhenSafe(${filter.name}, ${op.id})`, postedWhenSafe(fltMgr, filter, SafePostCallback, Data, FltObjects, CompletionContext, Flags));
  return { value: true, RetPostOperationStatus: FLT_POSTOP_MORE_PROCESSING_REQUIRED };
}

/** The worker thread FltDoCompletionProcessingWhenSafe posts SafePostCallback to (a module-level generator, not a generator expression: docs/exploration.md, "Memory"). */
function* postedWhenSafe(
  fltMgr: FilterManager,
  filter: FilterObject,
  SafePostCallback: PFLT_POST_OPERATION_CALLBACK,
  Data: FLT_CALLBACK_DATA,
  FltObjects: FLT_RELATED_OBJECTS,
  CompletionContext: unknown,
  Flags: number,
): Blocking<number> {
  try {
    yield* fltMgr.invoke(filter, () => SafePostCallback(Data, FltObjects, CompletionContext, Flags));
    yield* FltCompletePendedPostOperation(Data);
  } finally {
    filter.rundown.add('workItems', -1);
  }
  return 0;
}
