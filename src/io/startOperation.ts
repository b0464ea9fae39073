/**
 * Building the callback data for a new operation and the path it will take: the whole volume
 * stack for I/O from above, or the part below the initiating instance for generated I/O (§10).
 */
import type { Blocking } from '../kernel/effects.js';
import type { ThreadObject } from './processes.js';
import type { EcpListObject } from '../fltmgr/ecpObjects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import type { StackNode, VolumeObject } from '../fltmgr/volumeObject.js';
import { compareAltitudes } from '../wdk/altitude.js';
import { IRP_MJ_CLEANUP, IRP_MJ_CLOSE, IRP_MJ_CREATE } from '../wdk/irp.js';
import { countGenerated } from './generatedIoCount.js';
import { callbackDataMachine } from '../machines/callbackData.js';
import { FLTFL_CALLBACK_DATA_FAST_IO_OPERATION, FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION, FLTFL_CALLBACK_DATA_GENERATED_IO, FLTFL_CALLBACK_DATA_IRP_OPERATION } from '../wdk/fltConstants.js';
import type { FltParameters } from '../wdk/parameters.js';
import { STATUS_SUCCESS } from '../wdk/ntstatus.js';
import { IoOperation } from './ioOperation.js';
import type { FileObject } from './fileObject.js';
import { summarizeParameters } from './parametersSummary.js';
import { driveToCompletion } from './dispatch.js';
import { fileObjectClosed } from './fileObjectLifecycle.js';
import { SYSTEM_SID } from '../kernel/sids.js';

export interface OperationSpec {
  readonly volume: VolumeObject;
  /** null for a volume-level request (IRP_MJ_PNP, IRP_MJ_SHUTDOWN: no file object in the IRP). */
  readonly fileObject: FileObject | null;
  readonly MajorFunction: number;
  readonly MinorFunction?: number;
  readonly IrpFlags?: number;
  readonly OperationFlags?: number;
  readonly Parameters: FltParameters;
  readonly RequestorMode: 'KernelMode' | 'UserMode';
  readonly requestorSid: string;
  readonly buffer?: Uint8Array;
  /** The instance generating the I/O; null for I/O from above the stack (applications, the I/O manager). */
  readonly initiator: InstanceObject | null;
  /**
   * Start below this instance without it being the initiator: the I/O manager's cleanup and close
   * for a file object FltCreateFile* opened through an instance (§13 A6). Not generated I/O of that
   * instance, so it does not hold its drain or unload gate.
   */
  readonly startBelow?: InstanceObject | null;
  /** Start at the top of the stack even though an instance issues it (FltCreateFile with Instance = NULL, §10). */
  readonly fromTop?: boolean;
  /** Whether lower filters see FLTFL_CALLBACK_DATA_GENERATED_IO (§13 A5 for creates). */
  readonly markGenerated?: boolean;
  /** More FLTFL_CALLBACK_DATA_* flags for this run (a reissue's REISSUED_IO and the original's kind bits). */
  readonly extraFlags?: number;
  /** A create's ECP list (FltCreateFileEx2, §22). */
  readonly ecpList?: EcpListObject | null;
  /** The I/O manager's fast-I/O path (§24.2): FLTFL_CALLBACK_DATA_FAST_IO_OPERATION instead of IRP_OPERATION. */
  readonly fastIo?: boolean;
  /** An FsFilter callback operation of the memory or cache manager (§24.1): FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION. */
  readonly fsFilter?: boolean;
}


/**
 * The nodes below `initiator` (or the whole stack), top to bottom (§6, §10). Below is decided by
 * position — a lower altitude, or a legacy filter under the initiator's frame — not by the
 * initiator being in the stack: an instance in teardown has left the list of receiving instances
 * but may still issue I/O, and that I/O must still start below it.
 */
export function pathFor(fltMgr: FilterManager, volume: VolumeObject, initiator: InstanceObject | null, fromTop: boolean): StackNode[] {
  const stack = volume.stack(fltMgr.frames.length);
  if (initiator === null || fromTop) return stack;
  return stack.filter((node) =>
    node.kind === 'instance' ? compareAltitudes(node.instance.altitude, initiator.altitude) < 0 : node.legacy.aboveFrame < initiator.frame,
  );
}

/** Create callback data (actor in Allocated) without starting an operation. */
export function createCallbackData(
  fltMgr: FilterManager,
  volume: VolumeObject,
  fileObject: FileObject | null,
  initiator: InstanceObject | null,
  allocatedBy: InstanceObject | null,
  RequestorMode: 'KernelMode' | 'UserMode',
): IoOperation {
  const kernel = fltMgr.kernel;
  const id = kernel.nextId('D');
  const actor = kernel.startMachine(callbackDataMachine);
  kernel.attachActor(id, actor);
  return new IoOperation(id, volume, allocatedBy, initiator, waitablesFor(fltMgr, id), actor, {
    Flags: FLTFL_CALLBACK_DATA_IRP_OPERATION,
    Thread: kernel.current === null ? null : fltMgr.processes.threadObject(kernel.current),
    Iopb: {
      IrpFlags: 0,
      MajorFunction: 0,
      MinorFunction: 0,
      OperationFlags: 0,
      TargetFileObject: fileObject,
      TargetInstance: allocatedBy,
      Parameters: {} as FltParameters,
    },
    IoStatus: { Status: STATUS_SUCCESS, Information: 0 },
    TagData: null,
    RequestorMode,
  });
}

function waitablesFor(fltMgr: FilterManager, id: string) {
  return {
    completed: fltMgr.kernel.createWaitable(`${id} completed`, 'notification'),
    progress: fltMgr.kernel.createWaitable(`${id} progress`, 'pulse'),
  };
}

/**
 * Start a run of `op` with the parameters now in `op.data.Iopb`: log IoStart, compute the path,
 * and count it as generated I/O of its initiator (the unload gate waits for it, §10).
 */
export function beginOperation(fltMgr: FilterManager, op: IoOperation, options: { readonly requestorSid: string; readonly buffer?: Uint8Array | undefined; readonly fromTop?: boolean; readonly markGenerated?: boolean; readonly extraFlags?: number; readonly fastIo?: boolean; readonly fsFilter?: boolean }): void {
  const kernel = fltMgr.kernel;
  const generated = op.initiator !== null && (options.markGenerated ?? true);
  const data = op.data;
  // Exactly one of IRP / FAST_IO / FS_FILTER (§7); only the I/O manager's own requests are ever fast
  // I/O, only the memory and cache managers' ever FsFilter operations (§24.1).
  const kind = options.fastIo === true ? FLTFL_CALLBACK_DATA_FAST_IO_OPERATION : options.fsFilter === true ? FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION : FLTFL_CALLBACK_DATA_IRP_OPERATION;
  data.Flags = (kind | (generated ? FLTFL_CALLBACK_DATA_GENERATED_IO : 0) | (options.extraFlags ?? 0)) >>> 0;
  (data as { Thread: ThreadObject | null }).Thread = kernel.current === null ? null : fltMgr.processes.threadObject(kernel.current);
  data.IoStatus = { Status: STATUS_SUCCESS, Information: 0 };
  data.TagData = null;
  const iopb = data.Iopb;
  // A reused callback data needs fresh waitables: the last run's completion event stays signaled.
  op.reset(pathFor(fltMgr, op.volume, op.initiator ?? op.startBelow, options.fromTop ?? false), op.completed.signaled ? waitablesFor(fltMgr, op.id) : { completed: op.completed, progress: op.progress });
  op.issuerThread = kernel.current?.id ?? null;
  op.requestorSid = options.requestorSid;
  op.buffer = options.buffer;
  op.asyncCallback = null;
  op.completerIrql = null;
  op.runs++;
  kernel.emitFact({
    seq: 0, time: 0, object: op.id,
    type: 'IoStart',
    major: iopb.MajorFunction,
    minor: iopb.MinorFunction,
    fileObject: iopb.TargetFileObject?.id ?? null,
    volume: op.volume.id,
    thread: op.issuerThread,
    initiator: op.initiator?.id ?? null,
    flags: data.Flags,
    irpFlags: iopb.IrpFlags,
    operationFlags: iopb.OperationFlags,
    requestorMode: data.RequestorMode,
    parameters: summarizeParameters(iopb.Parameters, options.buffer),
    ...(op.ecpList === null ? {} : { ecpList: op.ecpList.id }),
  });
  fltMgr.operations.add(op);
  // Every request holds a reference on its file object (as an IRP does), so IRP_MJ_CLOSE waits for
  // it even when the last handle goes while it is in flight. Create, cleanup and close are the
  // object's own lifecycle and take none.
  const fo = iopb.TargetFileObject;
  if (fo !== null && iopb.MajorFunction !== IRP_MJ_CREATE && iopb.MajorFunction !== IRP_MJ_CLEANUP && iopb.MajorFunction !== IRP_MJ_CLOSE) {
    fo.pointerCount++;
    op.onComplete.push(() => releaseRequestReference(fltMgr, fo));
  }
  countGenerated(op);
}

/** Build FltMgr's own callback data for an operation and start it. */
export function startOperation(fltMgr: FilterManager, spec: OperationSpec): IoOperation {
  const op = createCallbackData(fltMgr, spec.volume, spec.fileObject, spec.initiator, null, spec.RequestorMode);
  op.startBelow = spec.startBelow ?? null;
  const iopb = op.data.Iopb;
  iopb.MajorFunction = spec.MajorFunction;
  iopb.MinorFunction = spec.MinorFunction ?? 0;
  iopb.IrpFlags = spec.IrpFlags ?? 0;
  iopb.OperationFlags = spec.OperationFlags ?? 0;
  iopb.TargetInstance = null;
  iopb.Parameters = spec.Parameters;
  op.ecpList = spec.ecpList ?? null;
  beginOperation(fltMgr, op, {
    requestorSid: spec.requestorSid,
    buffer: spec.buffer,
    fromTop: spec.fromTop ?? false,
    markGenerated: spec.markGenerated ?? true,
    extraFlags: spec.extraFlags ?? 0,
    fastIo: spec.fastIo ?? false,
    fsFilter: spec.fsFilter ?? false,
  });
  return op;
}

// ------------------------------------------------------------- the close a last reference sends
// Here rather than in closeFile.ts because a request's own reference (taken in beginOperation) may be
// the last one, and then its completion starts the IRP_MJ_CLOSE: the two belong to one module.

/**
 * Drop the reference a request held on its file object, where the caller cannot block (at
 * completion, possibly at DISPATCH_LEVEL): if it was the last, IRP_MJ_CLOSE goes out on a thread of
 * its own, as the object manager defers the delete.
 */
export function releaseRequestReference(fltMgr: FilterManager, fo: FileObject): void {
  fo.pointerCount--;
  if (fo.pointerCount > 0 || !lastReferenceGone(fo)) return;
  fltMgr.kernel.spawn(`Close(${fo.id})`, closeThread(fltMgr, fo));
}

/** The thread that sends IRP_MJ_CLOSE once the last reference is gone (a module-level generator, not a generator expression: docs/exploration.md, "Memory"). */
function* closeThread(fltMgr: FilterManager, fo: FileObject): Blocking<number> {
  yield* sendClose(fltMgr, fo);
  return 0;
}

/**
 * The last reference is gone. Returns whether the I/O manager now sends IRP_MJ_CLOSE itself: not
 * for an open the file system never granted (IopDeleteFile sends none), and not for a cancelled
 * open, whose close is handed to FltCancelFileOpen (it goes below the canceller).
 */
export function lastReferenceGone(fo: FileObject): boolean {
  if (fo.state === 'OpenFailed') return false;
  if (fo.released !== null) {
    fo.released();
    return false;
  }
  return true;
}

export function* sendClose(fltMgr: FilterManager, fo: FileObject): Blocking<void> {
  const op = startOperation(fltMgr, {
    volume: fo.volume,
    fileObject: fo,
    MajorFunction: IRP_MJ_CLOSE,
    Parameters: { Close: {} },
    RequestorMode: 'KernelMode',
    requestorSid: SYSTEM_SID,
    initiator: null,
    startBelow: fo.targetedInstance,
  });
  yield* driveToCompletion(fltMgr, op);
  // The file object is gone once its close completed: FltMgr deletes its stream-handle contexts (§15.8).
  fltMgr.contexts.fileObjectClosed(fo);
  fileObjectClosed(fltMgr, fo);
  // The last file object of a dismounted mount: FltMgr tears its instances down (§21.7).
  fltMgr.closesOnVolumes.next(fo.volume);
}
