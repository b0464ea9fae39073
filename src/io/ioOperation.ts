/**
 * FLT_CALLBACK_DATA as filters see it, and the operation record behind it.
 *
 * A filter gets the same `FLT_CALLBACK_DATA` object in every callback of an operation, so it can
 * keep the pointer across a pend, queue it, or compare it, as on Windows. What it sees in `Iopb`
 * follows §7: each pre-operation gets the parameters as the instances above left them (edits count
 * only with FltSetCallbackDataDirty), and each post-operation gets the parameters its own pre-op
 * saw, never the edits made at or below it.
 */
import type { Actor } from 'xstate';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import type { LegacyFilter, StackNode, VolumeObject } from '../fltmgr/volumeObject.js';
import type { FsOutput, FsTagData } from '../fs/types.js';
import type { Waitable } from '../kernel/waitable.js';
import { CALLBACK_OWED } from '../kernel/factFootprint.js';
import { IN_FLIGHT, type callbackDataMachine, type CallbackDataState } from '../machines/callbackData.js';
import { topState } from '../machines/stateValue.js';
import type { FltParameters } from '../wdk/parameters.js';
import { copyIopb } from './iopbCopy.js';
import { FLTFL_CALLBACK_DATA_FAST_IO_OPERATION, FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION } from '../wdk/fltConstants.js';
import type { NTSTATUS } from '../wdk/ntstatus.js';
import type { FileObject } from './fileObject.js';
import type { ThreadObject } from './processes.js';
import type { EcpListObject } from '../fltmgr/ecpObjects.js';
import type { IrpCancel } from './irpCancel.js';
import type { MaybeBlocking } from '../kernel/effects.js';
import type { MdlObject } from '../fltmgr/memoryObjects.js';

export interface FLT_IO_PARAMETER_BLOCK {
  IrpFlags: number;
  /** Set by a filter on data it allocated; read-only on data FltMgr hands to callbacks (§7). */
  MajorFunction: number;
  MinorFunction: number;
  OperationFlags: number;
  /** NULL for the volume-level requests no file object carries: IRP_MJ_PNP and IRP_MJ_SHUTDOWN (src/io/volumeRequests.ts). */
  TargetFileObject: FileObject | null;
  TargetInstance: InstanceObject | null;
  Parameters: FltParameters;
}

export interface IO_STATUS_BLOCK {
  Status: NTSTATUS;
  Information: number;
}

export interface FLT_CALLBACK_DATA {
  Flags: number;
  /** The issuing thread (PETHREAD), or null for an operation no thread issued. */
  readonly Thread: ThreadObject | null;
  Iopb: FLT_IO_PARAMETER_BLOCK;
  IoStatus: IO_STATUS_BLOCK;
  /** Reparse data, in post-create after STATUS_REPARSE only. */
  TagData: FsTagData | null;
  readonly RequestorMode: 'KernelMode' | 'UserMode';
  /** Four slots the filter may use while it owns the operation. */
  FilterContext: unknown[];
  /**
   * Two slots for the filter while the operation sits in its cancel-safe queue (§19.4). On Windows
   * they share memory with FilterContext and QueueLinks; here they are separate, and the queue's
   * links are the filter's own list.
   */
  QueueContext: unknown[];
}

/**
 * An instance's pre-op replaced the operation's data buffers (§20.6): what FltMgr owes after its
 * post-op. Marks on one completion slot, not states of an object with a machine: the callback data's
 * machine has one state for the whole operation, and a swap belongs to one instance's slot.
 */
export interface SwapRecord {
  /**
   * The MDL the pre-op inserted, or null. FltMgr frees it after the post-op unless the post-op
   * retained it: the MDL's machine records that (FltRetainSwappedBufferMdlAddress, src/machines/mdl.ts).
   */
  readonly mdl: MdlObject | null;
  /** A teardown cancelled the operation instead of draining it: logged (SwappedOperationCancelled) and cancelled once per slot. */
  cancelled: boolean;
}

/**
 * A mark on one slot of the completion stack: the walk's position over the stack, slot by slot, as
 * postCursor is the position of the walk. 'waiting': its post-op has not finished (not started, or
 * running or pended now); 'drained': a teardown ran the post-op on a copy (§4); 'done': the walk
 * passed it. Whether a waiting slot's post-op is running or pended is not a mark: the callback-data
 * machine says it (PostOperation with this slot's post-op on a thread, or PostPended at this slot),
 * and `IoOperation.slotState` asks it. Marks stay data because the machine has one state for the
 * whole operation, and a drain or a pass belongs to one instance's slot of it.
 */
export type SlotMark = 'waiting' | 'drained' | 'done';

/** Where one slot is: its mark, or what the machine says of the slot at the post cursor. */
export type SlotState = SlotMark | 'running' | 'pended';

/** One entry of the completion stack: an instance that asked for its post-op, or a legacy filter the IRP passed. */
export type CompletionNode =
  | {
      readonly kind: 'instance';
      readonly instance: InstanceObject;
      readonly context: unknown;
      /** The parameters this instance's pre-op saw (what its post-op sees, §7). Never mutated. */
      readonly iopb: FLT_IO_PARAMETER_BLOCK;
      /** Fingerprint of `iopb`, logged with the post-op (and a drain). */
      readonly fingerprint: string;
      /** Post-op must run on `thread`: the pre-op returned SYNCHRONIZE, or the operation is a create. */
      readonly synchronize: boolean;
      readonly thread: string | null;
      mark: SlotMark;
      /** Set when this instance's pre-op swapped the data buffers: the node is never drained (§20.6). */
      swap?: SwapRecord | null;
    }
  | { readonly kind: 'legacy'; readonly legacy: LegacyFilter };

const OPERATION = Symbol('fltsim.operation');

export interface AsyncCallback {
  readonly routine: (Data: FLT_CALLBACK_DATA, Context: unknown) => unknown;
  readonly context: unknown;
}

/**
 * The record behind one callback-data object. FltMgr-built data runs one operation; data a filter
 * allocated (FltAllocateCallbackData) may run several in turn (FltReuseCallbackData), so the walk
 * state is reset by `begin` for each run.
 */
export class IoOperation {
  readonly data: FLT_CALLBACK_DATA;
  /**
   * The parameters as the next lower instance will see them. Replaced (never mutated in place) when
   * a dirty edit applies, so views taken of it stay valid.
   */
  currentIopb: FLT_IO_PARAMETER_BLOCK;
  /**
   * The parameters as the issuer set them for this run. Each level writes its own view into the one
   * data object while it runs (§7); a filter's own data gets this view back when the run completes,
   * so after FltPerformSynchronousIo (or in its async callback) the initiator reads its own values.
   * Never mutated in place either: a run starts with it and currentIopb the same object.
   */
  issuerIopb: FLT_IO_PARAMETER_BLOCK;
  /** Fingerprint of currentIopb, computed on demand and dropped whenever currentIopb is replaced. */
  currentFingerprint: string | null = null;
  /** Stack nodes the operation passes, top to bottom (a suffix of the stack for generated I/O). */
  path: readonly StackNode[] = [];
  /** Next node of `path` the pre-walk visits. */
  cursor = 0;
  completion: CompletionNode[] = [];
  /** Index in `completion` of the next node the post-walk visits (walks down to -1; -1 before the post walk). */
  postCursor = -1;
  /** The parameters the pending pre-op saw, for its completion node when it resumes with a callback. */
  pendedSeen: FLT_IO_PARAMETER_BLOCK | null = null;
  /**
   * FltCompletePendedPreOperation called while the pre-op was still running (§8): what it said, acted
   * on (and logged) when the pre-op returns PENDING. Held here because its fact comes then. Not a
   * machine state: it lives only while that pre-op's callback frame is on the stack (set inside it,
   * consumed or refused as COMPLETE_NOT_PENDED when it returns), and the log records the call where
   * it takes effect (`early: true`), so no fact exists to move a machine at the call itself.
   */
  earlyPreCompletion: { instance: InstanceObject; result: number; context: unknown } | null = null;
  /**
   * Whose pre-op / post-op callback is running now (set around the call, as the thread's callback
   * frame is): FltCompletePended*Operation may arrive before it returns (§8). Not a machine state:
   * a targeted transition into and out of a callback state on every callback doubled the cost of
   * the callback-data machine's most frequent transitions (measured, the `io` bench group).
   */
  preCallbackRunning: InstanceObject | null = null;
  postCallbackRunning: InstanceObject | null = null;
  /** Likewise for a post-op that will return MORE_PROCESSING_REQUIRED (the same reasons keep it data). */
  earlyPostCompletion: InstanceObject | null = null;
  /**
   * A fast I/O run that ends in STATUS_FLT_DISALLOW_FAST_IO because FltMgr set it (a pre-op returned
   * FLT_PREOP_DISALLOW_FASTIO, or the file system's fast routine returned FALSE): the post-ops above
   * may leave that status, which no filter may set itself (§8). Data, as IoStatus is: who put the
   * status there (the log shows it: FLT_PREOP_DISALLOW_FASTIO's PreOperationReturned, FsFastIoDeclined).
   */
  fastIoRefused = false;
  /** FltRequestOperationStatusCallback requests, called when the send below returns (src/io/operationStatus.ts). */
  statusRequests: OperationStatusRequest[] = [];
  /** What the file system handed back beyond the status (data, information structures). */
  output: FsOutput | null = null;
  /** A create's extra create parameters (§22): from FltCreateFileEx2, or FltSetEcpListIntoCallbackData. */
  ecpList: EcpListObject | null = null;
  /** The IRP's cancel state (§19), once cancellation concerns this run (src/io/irpCancel.ts). */
  irp: IrpCancel | null = null;
  /**
   * Created by the first FltCancellableWaitFor* on this data: signaled with the cancel bit. It keeps
   * its own signal state (not read from the IRP machine, as a KEVENT's waitable is): Irp->Cancel stays
   * set after IoCompleteRequest, which takes the machine to Completed, and a wait must still see it.
   */
  cancelRequested: Waitable | null = null;
  /** The instance whose pre-op a Cbdq refused this data to (STATUS_FLT_CBDQ_DISABLED) while it runs. */
  cbdqRefusedIn: InstanceObject | null = null;
  /** The asynchronous completion routine of this run, if it was issued asynchronously. */
  asyncCallback: AsyncCallback | null = null;
  /** Issued with an OVERLAPPED on an asynchronous handle (src/io/overlappedIo.ts): a parameter of the run, as asyncCallback is. */
  issuedOverlapped = false;
  /**
   * FltPerformAsynchronousIo is still on the caller's stack and will run the callback itself if the
   * run completes. Not a state of the data: it is where the issuing call is (a frame on the issuing
   * thread, as preCallbackRunning is), set and cleared around the call; it only decides who delivers
   * the callback, the issuing call or the completion stream, and no fact marks it.
   */
  issuingInline = false;
  /**
   * The IRQL of whoever completed this run (the thread whose change let a parked request go, the
   * canceller's Irp->CancelIrql, DISPATCH_LEVEL for a completion thread): the asynchronous callback
   * runs there under `semantics.asyncIoCallbackIrql: 'completer'`. Null: completed by its issuer.
   */
  completerIrql: number | null = null;
  /** How many runs this data has started (FltReuseCallbackData starts another). */
  runs = 0;
  /** Called once at completion, in order; cleared for each run. */
  onComplete: ((op: IoOperation) => void)[] = [];
  issuerThread: string | null = null;
  requestorSid = '';
  /** Write data or control input, kept outside Parameters for requests that carry a buffer. */
  buffer: Uint8Array | undefined = undefined;
  /**
   * Signaled when this run completes: the event its issuer sleeps on. Its own signal state, not the
   * callback data machine's: the machine spans every run of a reused callback data, the event is one
   * run's (a reuse takes fresh ones), and nothing asks it what the operation is doing.
   */
  completed: Waitable;
  /** Pulsed when the walk hands a post-op to another thread, a node is drained, or the operation completes. */
  progress: Waitable;
  /** The instance that generates this run (null for I/O from above the stack). */
  initiator: InstanceObject | null;
  /** For I/O that is not the instance's own but starts below it (see OperationSpec.startBelow). */
  startBelow: InstanceObject | null = null;

  constructor(
    readonly id: string,
    readonly volume: VolumeObject,
    /** The instance whose filter allocated this data (FltAllocateCallbackData), or null if FltMgr built it. */
    readonly allocatedBy: InstanceObject | null,
    initiator: InstanceObject | null,
    waitables: { readonly completed: Waitable; readonly progress: Waitable },
    /** @internal */ readonly actor: Actor<typeof callbackDataMachine>,
    data: Omit<FLT_CALLBACK_DATA, 'FilterContext' | 'QueueContext'>,
  ) {
    this.initiator = initiator;
    // A filter's own data (FltAllocateCallbackData: few) is what a free, a reuse or a perform asks about through its `owed` facet.
    if (allocatedBy !== null) volume.fltMgr.kernel.declareFacet(id, CALLBACK_OWED, owedIn);
    this.completed = waitables.completed;
    this.progress = waitables.progress;
    // Field by field, in the order the spread gave: a spread into a literal with more fields takes V8's generic path (a profile's hottest line of building an operation).
    this.data = {
      Flags: data.Flags,
      Thread: data.Thread,
      Iopb: data.Iopb,
      IoStatus: data.IoStatus,
      TagData: data.TagData,
      RequestorMode: data.RequestorMode,
      FilterContext: [null, null, null, null],
      QueueContext: [null, null],
    };
    Object.defineProperty(this.data, OPERATION, { value: this, enumerable: false, writable: true });
    // One copy for both views: neither is ever mutated in place (each is replaced, and callbacks get copies of them).
    this.currentIopb = this.issuerIopb = copyIopb(data.Iopb);
  }

  get state(): CallbackDataState {
    return topState(this.actor.getSnapshot().value) as CallbackDataState;
  }

  /** Ask the machine: is the operation in `state`? */
  matches(state: CallbackDataState): boolean {
    const value = this.actor.getSnapshot().value;
    return (typeof value === 'string' ? value : topState(value)) === state;
  }

  /**
   * The run was issued with a completion routine (asyncCallback) that has not been called yet: the
   * machine has not reached Completed.AsyncIoCallbackCalled. Until then the data may be neither
   * freed nor reused (§11.10), and the initiator's unload waits for the call.
   */
  get callbackOwed(): boolean {
    if (this.asyncCallback === null) return false;
    // The `owed` facet alone (footprint.ts): the file system's completion leaves it, the callback's call changes it.
    // asyncCallback changes only in the step that starts a run, whose IoStart moves the facet from false to true.
    return owedIn(this.owedSnapshot()) === true;
  }

  /** FltFreeCallbackData freed it (the `owed` facet: a free or a reuse asks this before anything else). */
  get freed(): boolean {
    return owedIn(this.owedSnapshot()) === 'freed';
  }

  /** The machine's snapshot as a reader of the `owed` facet only, which a filter's own data declares (the rest: the whole data). */
  private owedSnapshot(): { readonly value: unknown } {
    return this.allocatedBy === null ? this.actor.getSnapshot() : this.volume.fltMgr.kernel.facetSnapshot(this.id, CALLBACK_OWED, this.actor);
  }

  /** A run has started and not completed. */
  get inFlight(): boolean {
    return IN_FLIGHT.has(this.actor.getSnapshot().value as string);
  }

  /**
   * A pre-op or a legacy filter completed it, so the file system never saw it (STATUS_FLT_IO_COMPLETE):
   * the pre walk stopped at a node instead of running past the last one. Asked once the run completed.
   */
  get completedAbove(): boolean {
    return this.cursor < this.path.length;
  }

  /** The instance holding the operation pended (the machine is PrePended or PostPended), if any. */
  get pendedBy(): InstanceObject | null {
    const state = this.state;
    const node = state === 'PrePended' ? this.path[this.cursor] : state === 'PostPended' ? this.completion[this.postCursor] : undefined;
    return node?.kind === 'instance' ? node.instance : null;
  }

  /**
   * Where the walk is, in the words verifier messages have always used (pre, prePended, fs,
   * fsPending, post, postPended, postHandoff, completed): read off the machine and the cursors.
   */
  get walkDescription(): string {
    switch (this.state) {
      case 'PreOperation':
        return this.postCursor >= 0 ? 'postHandoff' : 'pre';
      case 'PrePended':
        return 'prePended';
      case 'Dispatched':
        return 'fs';
      case 'FsPending':
        return 'fsPending';
      case 'PostOperation': {
        const node = this.completion[this.postCursor];
        return this.postCallbackRunning === null && node?.kind === 'instance' && node.mark !== 'done' ? 'postHandoff' : 'post';
      }
      case 'PostPended':
        return 'postPended';
      case 'Allocated':
        return this.runs === 0 ? 'pre' : 'completed';
      case 'Completed':
      case 'Freed':
        return 'completed';
    }
  }

  /**
   * Where a slot of the completion stack is. Only the slot at the post cursor can be running or
   * pended, and the machine says which: PostPended holds there, or PostOperation with that slot's
   * post-op callback on a thread (postCallbackRunning, the frame record kept beside the machine
   * for the reason given there).
   */
  slotState(node: Extract<CompletionNode, { kind: 'instance' }>): SlotState {
    if (node.mark !== 'waiting' || this.completion[this.postCursor] !== node) return node.mark;
    if (this.matches('PostPended')) return 'pended';
    return this.postCallbackRunning === node.instance && this.matches('PostOperation') ? 'running' : 'waiting';
  }

  get major(): number {
    return this.data.Iopb.MajorFunction;
  }

  /** FLT_IS_FASTIO_OPERATION: the I/O manager's fast path, walked synchronously on the issuing thread (§8, §24.2). */
  get isFastIo(): boolean {
    return (this.data.Flags & FLTFL_CALLBACK_DATA_FAST_IO_OPERATION) !== 0;
  }

  /** FLT_IS_FS_FILTER_OPERATION: an FsFilter callback operation (§24.1): no buffers, never pended, walked whole on the issuing thread. */
  get isFsFilter(): boolean {
    return (this.data.Flags & FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION) !== 0;
  }

  /** Reset the walk for a new run of this data. */
  reset(path: readonly StackNode[], waitables: { readonly completed: Waitable; readonly progress: Waitable }): void {
    this.path = path;
    this.cursor = 0;
    this.completion = [];
    this.postCursor = -1;
    this.pendedSeen = null;
    this.earlyPreCompletion = null;
    this.earlyPostCompletion = null;
    this.fastIoRefused = false;
    this.statusRequests = [];
    this.output = null;
    this.onComplete = [];
    this.irp = null;
    this.cancelRequested = null;
    this.cbdqRefusedIn = null;
    this.completed = waitables.completed;
    this.progress = waitables.progress;
    this.currentIopb = this.issuerIopb = copyIopb(this.data.Iopb);
    this.currentFingerprint = null;
  }

  toString(): string {
    return this.id;
  }
}

/** One FltRequestOperationStatusCallback request: the requesting instance and its routine, bound to its objects and snapshot. */
export interface OperationStatusRequest {
  readonly instance: InstanceObject;
  readonly call: (OperationStatus: NTSTATUS) => MaybeBlocking<void>;
}

/** Point a callback-data object at the walk that is processing it now (a reissue nests one). */
export function bindData(data: FLT_CALLBACK_DATA, op: IoOperation): void {
  (data as unknown as Record<symbol, unknown>)[OPERATION] = op;
}

/** The operation behind a callback-data object, or null if it is not one fltsim handed out. */
export function operationOf(data: FLT_CALLBACK_DATA): IoOperation | null {
  const op = (data as unknown as Record<symbol, unknown>)[OPERATION];
  return op instanceof IoOperation ? op : null;
}

/**
 * The `owed` facet of callback data (CALLBACK_OWED): 'freed', or whether a run is in flight or
 * completed short of its asynchronous callback (callbackOwed adds that the run has one).
 * Completed's parts are atomic states: its value says what matches() would, without building a
 * state path per call.
 */
function owedIn(snapshot: { readonly value: unknown }): boolean | 'freed' {
  const value = snapshot.value as string | Record<string, string>;
  if (typeof value === 'string') return value === 'Freed' ? 'freed' : IN_FLIGHT.has(value);
  return value['Completed'] === 'IoCompleted';
}
