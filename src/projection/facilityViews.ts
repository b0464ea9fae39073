/**
 * The views of the facilities' objects in SimState (src/projection/simState.ts), §15–§24: IRPs whose
 * cancel state matters, cancel-safe queues, processes, contexts, ECPs, pool blocks and MDLs, file name
 * information, ports and messages, byte-range locks, change notifications, oplocks, transactions,
 * sections and a driver's own device objects. Plain data, as a person or a checker reads it.
 */
import type { DeviceObjectState } from '../machines/deviceObject.js';
import type { CancelRoutineKind } from '../kernel/facts.js';
import type { IrpState } from '../machines/irp.js';
import type { CbdqState } from '../machines/cbdq.js';
import type { ContextState } from '../machines/context.js';
import type { ProcessState } from '../machines/process.js';
import type { EcpListState, EcpState } from '../machines/ecp.js';
import type { CommunicationPortState } from '../machines/communicationPort.js';
import type { ClientPortState } from '../machines/clientPort.js';
import type { FilterMessageState, WithdrawnPart } from '../machines/filterMessage.js';
import type { MdlState } from '../machines/mdl.js';
import type { PoolBlockState } from '../machines/poolBlock.js';
import type { SectionState } from '../machines/section.js';
import type { TransactionState } from '../machines/transaction.js';
import type { FileNameInformationState } from '../machines/fileNameInformation.js';
import type { ByteRangeLockState } from '../machines/byteRangeLock.js';
import type { NotifyChangeState } from '../machines/notifyChange.js';
import type { OplockState } from '../machines/oplock.js';
import type { OplockBreakTarget, OplockLevel } from '../kernel/facts.js';

/** The IRP of an in-flight operation whose cancel state matters (§19): born with its first cancel fact, gone at completion. */
export interface IrpView {
  /** The callback data it carries, or null for an IRP sent to a driver's own device. */
  readonly operation: string | null;
  /** IRPs sent to a driver's own device (§23.6): the device and the major function. */
  readonly device?: string;
  readonly major?: number;
  /** NotCancelable, Cancelable (a routine armed), CancelRequested / CancelRoutineCalled (the cancel bit is set). */
  readonly state: IrpState;
  /** Who armed the cancel routine, while one is armed. */
  readonly routine: CancelRoutineKind | null;
}

/** A cancel-safe callback-data queue (§19.4). */
export interface CbdqView {
  readonly name: string;
  readonly instance: string;
  readonly state: CbdqState;
  /** The operations in it, oldest first. */
  readonly queued: readonly string[];
}

/** A process (§23.1): P0 System and P1 the default application process are there from the start. */
export interface ProcessView {
  readonly name: string;
  readonly pid: number;
  readonly state: ProcessState;
}

/** A context not yet freed (§15): freed ones leave the state, their facts stay in the log. */
export interface ContextView {
  readonly filter: string;
  /** FLT_STREAM_CONTEXT, … */
  readonly contextType: string;
  readonly size: number;
  readonly state: ContextState;
  readonly references: number;
  /** What it is linked to while Linked: a volume, instance or file object id, or a stream (`V1:stream#64`). */
  readonly target: string | null;
  /** The instance it was set by (null for volume contexts and unlinked ones). */
  readonly instance: string | null;
}

/** An ECP list not yet freed (§22). */
export interface EcpListView {
  readonly filter: string;
  readonly state: EcpListState;
  /** The ECPs in it, in insertion order. */
  readonly ecps: readonly string[];
}

/** An ECP context not yet freed (§22). */
export interface EcpView {
  readonly filter: string;
  readonly guid: string;
  readonly size: number;
  readonly state: EcpState;
  readonly list: string | null;
}

/** A block of pool not yet freed (§20.7): ExAllocatePool* or FltAllocatePoolAlignedWithTag. */
export interface PoolBlockView {
  /** The filter whose code allocated it, or null. */
  readonly owner: string | null;
  readonly tag: string;
  readonly bytes: number;
  readonly aligned: boolean;
  readonly alignment: number;
  readonly state: PoolBlockState;
}

/** An MDL not yet freed (§20.3–§20.6). */
export interface MdlView {
  readonly owner: string | null;
  /** The pool block it describes, or null (a requester's buffer). */
  readonly buffer: string | null;
  readonly bytes: number;
  /** The operation FltLockUserBuffer built it for, or null. */
  readonly operation: string | null;
  readonly state: MdlState;
  /** A swapping post-op called FltRetainSwappedBufferMdlAddress for it: the filter frees it, not FltMgr (§20.6). */
  readonly retained?: true;
}

/** A FLT_FILE_NAME_INFORMATION still alive: referenced by a filter or kept by the name cache (§16.4, §16.5). */
export interface FileNameInformationView {
  readonly fileObject: string;
  readonly volume: string;
  /** FLT_FILE_NAME_NORMALIZED / _OPENED / _SHORT. */
  readonly format: number;
  readonly name: string;
  /** The name-provider instance that produced it, or null for the file system. */
  readonly provider: string | null;
  readonly state: FileNameInformationState;
  /** References filters hold: one filter id per reference, sorted (`['F1', 'F1', 'F2']`). */
  readonly references: readonly string[];
  /** The name-cache entry holding it, or null. */
  readonly cacheKey: string | null;
}

/** A server port (§17.2); it stays here, Closed, once closed. */
export interface ServerPortView {
  readonly filter: string;
  readonly name: string;
  readonly state: CommunicationPortState;
  readonly maxConnections: number;
  /** Connections counted against MaxConnections (ConnectNotify until DisconnectNotify returned). */
  readonly connections: readonly string[];
}

/** A connection (client port and its user-mode handle), §17.1. */
export interface ClientPortView {
  readonly serverPort: string;
  readonly filter: string;
  readonly state: ClientPortState;
  /** The user-mode handle while open. */
  readonly handle: string | null;
  /** Undelivered messages, oldest first. */
  readonly queued: readonly string[];
  /** FilterGetMessage requests waiting for a message, oldest first. */
  readonly pendingGets: readonly string[];
  /** Delivered messages whose senders wait for a reply, in delivery order. */
  readonly awaitingReply: readonly string[];
}

/** A message whose FltSendMessage has not returned (§17.3); returned ones leave the state. */
export interface MessageView {
  readonly port: string;
  readonly filter: string;
  /** The thread in FltSendMessage. */
  readonly sender: string;
  readonly state: FilterMessageState;
  readonly replyExpected: boolean;
  /** While Withdrawn: why (the machine's part), which decides the sender's status (STATUS_TIMEOUT or STATUS_PORT_DISCONNECTED). */
  readonly withdrawn?: WithdrawnPart;
}

/** A byte-range lock a file system holds or a lock request waiting in it (§21.10); released and abandoned ones leave the state. */
export interface ByteRangeLockView {
  /** The IRP_MN_LOCK request (D…) that asked for it. */
  readonly operation: string;
  /** The owner: file object, process (PID) and key. */
  readonly fileObject: string;
  readonly processId: number;
  readonly key: number;
  /** The stream (file id on its volume). */
  readonly fileId: number;
  readonly byteOffset: number;
  readonly length: number;
  readonly exclusive: boolean;
  readonly state: ByteRangeLockState;
}

/** FsRtl's notify structure of a directory handle (§21.9), until the handle's cleanup. */
export interface DirectoryNotificationView {
  /** The directory handle's file object and the directory (file id). */
  readonly fileObject: string;
  readonly fileId: number;
  /** FILE_NOTIFY_CHANGE_* bits, SL_WATCH_TREE and the buffer length, from the handle's first request. */
  readonly completionFilter: number;
  readonly watchTree: boolean;
  readonly bufferLength: number;
  /** IRP_MN_NOTIFY_CHANGE_DIRECTORY requests parked on it (D…), oldest first. */
  readonly pending: readonly string[];
  /** Changes queued for the next request. */
  readonly queued: number;
  readonly state: NotifyChangeState;
}

/** A stream's oplock (§21.8): its holders and the creates waiting for a break; gone once neither is left. */
export interface OplockView {
  readonly fileId: number;
  /** Who holds it, at which level; `operation` the parked request that is the oplock (null while a break is owed); `breakingTo` the level a break owed goes to. */
  readonly holders: readonly { readonly fileObject: string; readonly level: OplockLevel; readonly operation: string | null; readonly breakingTo: OplockBreakTarget | null }[];
  /** Creates (D…) waiting for the break to end, or for `atomicRequest`'s oplock, oldest first. */
  readonly waiters: readonly string[];
  /** The machine's state; ClosePending: the Batch or Filter holder acknowledged its break with FSCTL_OPBATCH_ACK_CLOSE_PENDING and the waiters wait for its cleanup. */
  readonly state: OplockState;
  /** The file object a create with FILE_OPEN_REQUIRING_OPLOCK opened, until its oplock is granted or its cleanup (the machine's AtomicRequestPending part). */
  readonly atomicRequest?: string;
}


/** A KTM transaction (§22.4): its lifecycle, references, handles and the instances enlisted in it. */
export interface TransactionView {
  readonly state: TransactionState;
  /** Handles, transacted file objects, ObReferenceObject, the KTM worker while it runs the outcome. */
  readonly references: number;
  readonly handles: readonly string[];
  /** `pending`: the notification bit a callback answered STATUS_PENDING and the filter has not completed. */
  readonly enlistments: readonly { readonly instance: string; readonly context: string; readonly mask: number; readonly pending: number | null }[];
  /** Committed or RolledBack, and the KTM worker delivered the outcome and dropped its reference (the machine's KtmWorkerDone part). */
  readonly ktmWorkerDone?: true;
}

/** A section backed by a file (§24): a data-scan section or an application's file mapping. */
export interface SectionView {
  readonly kind: 'dataScan' | 'mapping';
  readonly state: SectionState;
  /** The file object it references (its IRP_MJ_CLOSE waits for the section). */
  readonly fileObject: string;
  /** Data-scan sections: the instance and section context FltCreateSectionForDataScan attached. */
  readonly instance: string | null;
  readonly context: string | null;
  /** Handles, object references, views, FltMgr's while the data-scan section is open, the page writer's. */
  readonly references: number;
  readonly handles: readonly string[];
  readonly views: readonly string[];
  /** Writes through views the modified page writer has not taken yet. */
  readonly dirty: readonly { readonly offset: number; readonly length: number }[];
  /** The modified page writer is queued and holds a reference (the machine's ModifiedPageWriterQueued part); absent otherwise. */
  readonly modifiedPageWriterQueued?: true;
}

/** A driver's own device object (§23.6), outside every volume. */
export interface DeviceObjectView {
  /** The driver (service name) that created it. */
  readonly driver: string;
  readonly name: string | null;
  readonly deviceType: number;
  readonly characteristics: number;
  readonly state: DeviceObjectState;
  /** DEVICE_OBJECT.ReferenceCount: file objects open on it (their `volume` is this device's id). */
  readonly references: number;
}
