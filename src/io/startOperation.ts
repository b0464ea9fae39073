/**
 * Building the callback data for a new operation and the path it will take: the whole volume
 * stack for I/O from above, or the part below the initiating instance for generated I/O (§10).
 */
import { createActor } from 'xstate';
import type { Blocking } from '../kernel/effects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import type { StackNode, VolumeObject } from '../fltmgr/volumeObject.js';
import { offerNewVolume } from '../fltmgr/volumeRoutines.js';
import { callbackDataMachine } from '../machines/callbackData.js';
import { FLTFL_CALLBACK_DATA_GENERATED_IO, FLTFL_CALLBACK_DATA_IRP_OPERATION } from '../wdk/fltConstants.js';
import type { FltParameters } from '../wdk/parameters.js';
import { STATUS_SUCCESS } from '../wdk/ntstatus.js';
import { IoOperation } from './callbackData.js';
import type { FileObject } from './fileObject.js';
import { summarizeParameters } from './parametersSummary.js';

export interface OperationSpec {
  readonly volume: VolumeObject;
  readonly fileObject: FileObject;
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
  /** Start at the top of the stack even though an instance issues it (FltCreateFile with Instance = NULL, §10). */
  readonly fromTop?: boolean;
  /** Whether lower filters see FLTFL_CALLBACK_DATA_GENERATED_IO (§13 A5 for creates). */
  readonly markGenerated?: boolean;
}

/**
 * Automatic attachment before the first operation reaches a newly mounted volume (§13 A7,
 * default). Runs on the issuing thread, before the operation is built.
 */
export function* beforeFirstOperation(mgr: FilterManager, volume: VolumeObject): Blocking<void> {
  if (volume.firstOperationSeen) return;
  volume.firstOperationSeen = true;
  if (mgr.options.instanceSetupOnMount === 'firstOperation') yield* offerNewVolume(mgr, volume);
}

/** The nodes below `initiator` (or the whole stack), top to bottom. */
export function pathFor(mgr: FilterManager, volume: VolumeObject, initiator: InstanceObject | null, fromTop: boolean): StackNode[] {
  const stack = volume.stack(mgr.frames.length);
  if (initiator === null || fromTop) return stack;
  const at = stack.findIndex((n) => n.kind === 'instance' && n.instance === initiator);
  // An initiator on another volume than the target (or no longer in the stack) sees from the top
  // of the target volume's stack down: it is not part of that stack.
  return at < 0 ? stack : stack.slice(at + 1);
}

export function startOperation(mgr: FilterManager, spec: OperationSpec): IoOperation {
  const kernel = mgr.kernel;
  const id = kernel.nextId('D');
  const generated = spec.initiator !== null && (spec.markGenerated ?? true);
  const flags = FLTFL_CALLBACK_DATA_IRP_OPERATION | (generated ? FLTFL_CALLBACK_DATA_GENERATED_IO : 0);
  const thread = kernel.current?.id ?? null;
  const iopb = {
    IrpFlags: spec.IrpFlags ?? 0,
    MajorFunction: spec.MajorFunction,
    MinorFunction: spec.MinorFunction ?? 0,
    OperationFlags: spec.OperationFlags ?? 0,
    TargetFileObject: spec.fileObject,
    TargetInstance: null,
    Parameters: spec.Parameters,
  };
  kernel.emit(id, {
    type: 'IoStart',
    major: spec.MajorFunction,
    minor: iopb.MinorFunction,
    fileObject: spec.fileObject.id,
    volume: spec.volume.id,
    thread,
    initiator: spec.initiator?.id ?? null,
    flags,
    irpFlags: iopb.IrpFlags,
    operationFlags: iopb.OperationFlags,
    requestorMode: spec.RequestorMode,
    parameters: summarizeParameters(spec.Parameters, spec.buffer),
  });
  const actor = createActor(callbackDataMachine, { input: { reject: kernel.rejectEvent } }).start();
  kernel.attachActor(id, actor);
  const op = new IoOperation(
    id,
    spec.volume,
    pathFor(mgr, spec.volume, spec.initiator, spec.fromTop ?? false),
    spec.initiator,
    thread,
    spec.requestorSid,
    spec.buffer,
    kernel.createWaitable(`${id} completed`, 'notification'),
    kernel.createWaitable(`${id} progress`, 'pulse'),
    actor,
    {
      Flags: flags,
      Thread: thread,
      Iopb: iopb,
      IoStatus: { Status: STATUS_SUCCESS, Information: 0 },
      TagData: null,
      RequestorMode: spec.RequestorMode,
    },
  );
  mgr.operations.add(op);
  return op;
}
