/**
 * The facts of the facilities a minifilter uses beside the walk (§15–§24): processes, extra create
 * parameters, contexts, file names, communication ports, cancellation, a driver's own device objects,
 * cancel-safe queues, pool blocks and MDLs, byte-range locks, change notification, oplocks, sections
 * and KTM transactions. One part of the union in facts.ts (the walk's own facts are coreFacts.ts).
 */
import type { NTSTATUS } from '../wdk/ntstatus.js';

export type FacilityFact =
  // --- processes (P…), §23.1: P0 System and P1 the default application process exist from the start ---
  | { type: 'ProcessCreate'; name: string; pid: number; parent: string | null; token: string }
  | { type: 'ProcessExit'; status: number }
  // --- extra create parameters (§22): ECP lists (G…) and ECP contexts (X…) ---
  | { type: 'FltAllocateExtraCreateParameterList'; filter: string }
  | { type: 'FltFreeExtraCreateParameterList' }
  | { type: 'FltAllocateExtraCreateParameter'; filter: string; guid: string; size: number }
  | { type: 'FltInsertExtraCreateParameter'; list: string }
  | { type: 'FltRemoveExtraCreateParameter'; list: string }
  | { type: 'FltAcknowledgeEcp'; filter: string }
  | { type: 'FltPrepareToReuseEcp' }
  /**
   * FltCreateFileEx2 wrote a cross-volume target into a FLT_CREATEFILE_TARGET_ECP_CONTEXT and
   * acknowledged it (§22.3): the caller's instance there (null when it has none, or it was not
   * looked for), the volume and the name information, each a reference the caller releases;
   * `retried`: FltMgr sent the create on to that instance itself (FLTTCFL_AUTO_REPARSE).
   */
  | { type: 'EcpTargetAdjusted'; instance: string | null; volume: string | null; name: string; retried: boolean }
  /** `withList`: freed by FltFreeExtraCreateParameterList of the list that held it. */
  | { type: 'FltFreeExtraCreateParameter'; withList: boolean }
  // --- contexts (C…), §15: every change of a context's reference count carries the count after it ---
  | { type: 'FltAllocateContext'; filter: string; contextType: number; size: number; poolType: number }
  /** `by`: the routine that took the reference (FltReferenceContext, FltGetStreamContext, …). */
  | { type: 'FltReferenceContext'; by: string; count: number }
  /** `by`: the routine that dropped it (FltReleaseContext, FltReleaseContexts). */
  | { type: 'FltReleaseContext'; by: string; count: number }
  /** A FltSet*Context linked it to `target`; the object's reference is counted in `count`. */
  | { type: 'ContextLinked'; by: string; instance: string | null; target: string; count: number }
  /** Unlinked by a delete, a REPLACE, or FltMgr at its object's teardown; the link reference dropped or handed to the caller. */
  | { type: 'ContextUnlinked'; by: string; handedToCaller: boolean; count: number }
  | { type: 'ContextCleanupCallback' }
  | { type: 'ContextFreed' }
  // --- file names (§16): queries are facts of the file object; name information objects are N… ---
  /** A name query reached FltMgr (`options` as FLT_FILE_NAME_OPTIONS); `instance` is the querying instance, `provider` the one asked. */
  | { type: 'FileNameQuery'; routine: string; instance: string | null; operation: string | null; options: number; provider: string | null }
  | { type: 'NameCacheMiss'; key: string }
  /** FltMgr asked the file system (`format` as FLT_FILE_NAME_*); `name` is what it got, '' on failure. */
  | { type: 'FileSystemNameQuery'; format: number; status: NTSTATUS; name: string }
  /** A name provider's callbacks (§16.6), logged on the file object the name is for. */
  | { type: 'GenerateFileName'; instance: string; options: number }
  | { type: 'GenerateFileNameReturned'; instance: string; status: NTSTATUS; name: string; cache: boolean }
  | { type: 'NormalizeNameComponent'; instance: string; parent: string; component: string; flags: number }
  | { type: 'NormalizeNameComponentReturned'; instance: string; status: NTSTATUS; expanded: string }
  | { type: 'NormalizeContextCleanup'; instance: string }
  /** A FLT_FILE_NAME_INFORMATION came into being with one reference for `filter`. */
  | {
      type: 'FileNameInformationCreate';
      fileObject: string;
      volume: string;
      filter: string;
      routine: string;
      format: number;
      name: string;
      provider: string | null;
    }
  | { type: 'NameCacheInsert'; key: string; fileId: number | null }
  /** A cache hit hands `filter` one more reference to the cached structure; `count` is the total after. */
  | { type: 'NameCacheHit'; key: string; fileObject: string; filter: string; count: number }
  | { type: 'NameCacheInvalidate'; key: string; reason: 'rename' | 'link' | 'close' | 'purge' }
  | { type: 'FltReferenceFileNameInformation'; filter: string; count: number }
  /** `cached`: the name cache still holds the structure (it is freed when both are done with it). */
  | { type: 'FltReleaseFileNameInformation'; filter: string; count: number; cached: boolean }
  | { type: 'FltParseFileNameInformation'; filter: string; namesParsed: number }
  /**
   * FltGetTunneledName on this structure from `operation` (major `major`, in its post-operation or
   * not); `tunneled` is the new structure when a tunnel-cache pair applied, null when none did.
   */
  | { type: 'FltGetTunneledName'; filter: string; operation: string; major: number; post: boolean; tunneled: string | null }
  // --- communication ports (§17): server ports R…, connections (client ports) Q…, messages M… ---
  | { type: 'FltCreateCommunicationPort'; filter: string; name: string; maxConnections: number; messageNotify: boolean }
  | { type: 'FltCloseCommunicationPort' }
  /** A connection being made (born with this fact): ConnectNotify runs in the connecting thread. */
  | { type: 'ConnectNotify'; serverPort: string; filter: string; thread: string; contextLength: number }
  /** `handle`: the user-mode handle FilterConnectCommunicationPort hands out, when the status is a success. */
  | { type: 'ConnectNotifyReturned'; status: NTSTATUS; handle: string | null }
  /** The user's last handle closed (CloseHandle), or FltUnregisterFilter disconnects the port. */
  | { type: 'DisconnectNotify'; reason: 'CloseHandle' | 'FltUnregisterFilter' }
  | { type: 'DisconnectNotifyReturned' }
  | { type: 'FltCloseClientPort' }
  /** CloseHandle on the connection's user-mode handle. */
  | { type: 'PortHandleClosed'; handle: string }
  /** A FilterGetMessage waiting for a message (U…); a message queued already is delivered to it at once. */
  | { type: 'FilterGetMessage'; get: string; size: number; overlapped: boolean }
  /** A get that ends without a message: STATUS_CANCELLED (handle closed), STATUS_PORT_DISCONNECTED, STATUS_BUFFER_TOO_SMALL. */
  | { type: 'FilterGetMessageAborted'; get: string; status: NTSTATUS }
  /** FilterSendMessage from user mode: MessageNotify runs in the sending thread. */
  | { type: 'MessageNotify'; inputLength: number; outputLength: number }
  | { type: 'MessageNotifyReturned'; status: NTSTATUS; returnOutputBufferLength: number }
  /** A message (born with this fact); `replyLength` null when no reply is expected, `until` the deadline in ticks. */
  | { type: 'FltSendMessage'; filter: string; port: string; thread: string; senderLength: number; replyLength: number | null; until: number | null }
  | { type: 'FilterMessageDelivered'; get: string }
  /** The one reply accepted for the message; `status` is FILTER_REPLY_HEADER.Status, `length` the payload after the header. */
  | { type: 'FilterReplyMessage'; length: number; status: NTSTATUS }
  /** The sender stopped waiting: an undelivered message leaves the queue, a delivered one loses its waiter. */
  | { type: 'FilterMessageWithdrawn'; reason: 'timeout' | 'disconnected' }
  | { type: 'FltSendMessageReturned'; status: NTSTATUS; replyLength: number }
  // --- cancellation (§19): the IRP behind operation `operation` (J…), born with its first cancel fact ---
  /** A cancel routine was armed: by FltSetCancelCompletion, by FltMgr for a Cbdq insertion, or by the file system parking the request. */
  | { type: 'IoSetCancelRoutine'; operation: string; routine: CancelRoutineKind; instance: string | null }
  /** The cancel routine was taken back without running (FltClearCancelCompletion, a Cbdq removal, the file system completing the request). */
  | { type: 'CancelRoutineCleared'; operation: string; routine: CancelRoutineKind; by: string }
  /** The cancel bit was set by `by` on `thread`; `routineCalled`: a cancel routine was armed and is now called (its owner owns the completion). */
  | { type: 'IoCancelIrp'; operation: string; thread: string | null; by: string; routineCalled: boolean }
  /**
   * The IRP was completed. `operation`: the callback data it carries, or null for an IRP the I/O
   * manager sent to a driver's own device (IoCallDriver below); `information` is given for those.
   */
  | { type: 'IoCompleteRequest'; operation: string | null; status: NTSTATUS; information?: number }
  // --- a driver's own device objects (d…) and the IRPs sent to them, outside any volume stack ---
  /** IoCreateDevice by `driver`: `name` in the object namespace (null: unnamed), DEVICE_TYPE and characteristics. */
  | { type: 'IoCreateDevice'; driver: string; name: string | null; deviceType: number; characteristics: number; exclusive: boolean }
  /** IoDeleteDevice: the name goes; with `references` left the deletion is pending until the last file object on it closes. */
  | { type: 'IoDeleteDevice'; references: number }
  /** A file object was opened on the device (IopParseDevice) / went away (after its IRP_MJ_CLOSE, or its create failed); `count` after. */
  /** By a file object opened on the device, or (`routine`) a reference handed to a driver: FltGetDiskDeviceObject, and its ObDereferenceObject. */
  | { type: 'DeviceReferenced'; fileObject?: string; routine?: string; count: number }
  | { type: 'DeviceDereferenced'; fileObject?: string; routine?: string; count: number }
  /** The I/O manager sent IRP J… for `fileObject` to `device`'s driver: DRIVER_OBJECT.MajorFunction[major], on `thread`. */
  | { type: 'IoCallDriver'; device: string; fileObject: string; major: number; minor: number; thread: string | null }
  /** The I/O manager called the driver's FAST_IO_DISPATCH `routine` first; `handled` FALSE means it falls back to an IRP. */
  | { type: 'FastIoCall'; routine: string; fileObject: string; handled: boolean; status: NTSTATUS | null }
  // --- cancel-safe callback-data queues (B…), §19.4 ---
  | { type: 'FltCbdqInitialize'; instance: string; name: string }
  /** `status`: what InsertIo returned (inserted when it is a success), or STATUS_FLT_CBDQ_DISABLED (not inserted). */
  | { type: 'FltCbdqInsertIo'; operation: string; status: NTSTATUS; thread: string }
  | { type: 'FltCbdqRemoveIo'; operation: string | null; thread: string }
  | { type: 'FltCbdqRemoveNextIo'; operation: string | null; thread: string }
  /** FltMgr's cancel path took a cancelled operation off the queue (RemoveIo under the queue's lock); CompleteCanceledIo follows. */
  | { type: 'CbdqCompleteCanceledIo'; operation: string; thread: string }
  | { type: 'FltCbdqDisable'; thread: string }
  | { type: 'FltCbdqEnable'; thread: string }
  // --- memory a filter or FltMgr allocates for data (§20): pool blocks S…, MDLs A… ---
  /** ExAllocatePool* (`aligned` false) or FltAllocatePoolAlignedWithTag (`aligned` true, to `alignment` bytes); `owner` the filter, when a filter's code allocated it. */
  | { type: 'PoolAllocate'; routine: string; owner: string | null; tag: string; bytes: number; aligned: boolean; alignment: number }
  | { type: 'PoolFree'; routine: string }
  /** An MDL describing `bytes` bytes of `buffer` (a pool block S…, or null for a caller's buffer); `operation` when FltMgr built it for one (FltLockUserBuffer). */
  | { type: 'IoAllocateMdl'; routine: string; owner: string | null; buffer: string | null; bytes: number; operation: string | null }
  /** Its pages are resident and locked (MmBuildMdlForNonPagedPool, MmProbeAndLockPages, FltLockUserBuffer). */
  | { type: 'MdlLocked'; routine: string }
  /** `by`: FltMgr (after the swapping post-op, or at completion for a FltLockUserBuffer MDL) or the filter. */
  | { type: 'IoFreeMdl'; by: 'FltMgr' | 'filter' }
  /** The post-op of `instance`, whose pre-op swapped this MDL into `operation`, keeps it: FltMgr will not free it, the filter does (§20.6). */
  | { type: 'FltRetainSwappedBufferMdlAddress'; operation: string; instance: string }
  /** A pre-op returned with dirty edits that replaced data buffers (§20.6): `fields` the members it replaced, `mdl` the MDL it inserted. */
  | { type: 'BuffersSwapped'; instance: string; fields: readonly string[]; mdl: string | null }
  /** A teardown found an operation whose buffers `instance` swapped: not drained, cancelled and waited for (§20.6). */
  | { type: 'SwappedOperationCancelled'; instance: string }
  // --- byte-range locks a file system keeps (r…), §21.10: the lock as IRP_MN_LOCK asked for it, on stream `fileId` ---
  | ({ type: 'ByteRangeLockWaiting' } & ByteRangeLockFields)
  | ({ type: 'ByteRangeLockGranted' } & ByteRangeLockFields)
  /** Removed by an unlock (`by` the IRP_MN_ minor, `operation` its request) or by its file object's cleanup (`by` IRP_MJ_CLEANUP). */
  | { type: 'ByteRangeLockReleased'; by: string; operation: string }
  /** A waiting request that will never be granted: cancelled (STATUS_CANCELLED) or its file object cleaned up (STATUS_RANGE_NOT_LOCKED). */
  | { type: 'ByteRangeLockAbandoned'; status: NTSTATUS }
  // --- directory change notification (§21.9): FsRtl's notify structure of a directory handle (w…) ---
  /** An IRP_MN_NOTIFY_CHANGE_DIRECTORY request `operation` on the handle (the first creates the structure with its filter, tree flag and buffer length). */
  | { type: 'FsRtlNotifyFullChangeDirectory'; operation: string; fileObject: string; fileId: number; completionFilter: number; watchTree: boolean; bufferLength: number }
  /** A change (FILE_ACTION_*) queued under its name relative to the watched directory; `overflow`: it did not fit, the queue is dropped (STATUS_NOTIFY_ENUM_DIR owed). */
  | { type: 'FsRtlNotifyFullReportChange'; action: number; fileName: string; overflow: boolean }
  /** Request `operation` completed: with `changes` FILE_NOTIFY_INFORMATION entries, STATUS_NOTIFY_ENUM_DIR, STATUS_NOTIFY_CLEANUP or STATUS_CANCELLED. */
  | { type: 'NotifyChangeCompleted'; operation: string; status: NTSTATUS; changes: number }
  /** The handle's IRP_MJ_CLEANUP (FsRtlNotifyCleanup): the structure goes. */
  | { type: 'FsRtlNotifyCleanup' }
  // --- oplocks (§21.8): a stream's oplock (o…); `remaining`: holders after the fact ---
  /** `switched`: the holder's earlier Windows 7 request, completed with STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE (same oplock key: this one replaces it). */
  | { type: 'OplockGranted'; operation: string; fileObject: string; fileId: number; level: OplockLevel; switched?: string }
  /** `by` (a create, a write) broke `fileObject`'s oplock; its request completed; `acknowledgementOwed`: the breaker waits. */
  | { type: 'OplockBreak'; fileObject: string; level: OplockLevel; toLevel: OplockBreakTarget; by: string; acknowledgementOwed: boolean; remaining: number; owed?: number }
  /** A create (or a write, lock, … — §21.8) waits for the break to be acknowledged or the holder to close. */
  | { type: 'OplockBreakWait'; operation: string }
  /** The holder acknowledged with `routine` (request `operation`); Level2: that request is now the Level 2 oplock. */
  | { type: 'OplockAcknowledged'; fileObject: string; operation: string; routine: string; newLevel: OplockBreakTarget | 'ClosePending'; remaining: number; owed?: number }
  /** The holder's oplock went: its cleanup, or its request was cancelled. */
  | { type: 'OplockReleased'; fileObject: string; reason: 'cleanup' | 'cancel'; remaining: number; owed?: number }
  /** A waiting create runs again (`acknowledged`, `closed`) or was cancelled. */
  | { type: 'OplockWaitEnded'; operation: string; reason: 'acknowledged' | 'closed' | 'cancelled' | 'granted' }
  /** Create `operation` with FILE_OPEN_REQUIRING_OPLOCK opened `fileObject`: other opens of the stream wait until its oplock is granted or its cleanup. */
  | { type: 'OplockAtomicRequest'; operation: string; fileObject: string; fileId: number }
  /** The atomic request of `fileObject` is over: an oplock was granted on it, or its cleanup. */
  | { type: 'OplockAtomicRequestEnded'; fileObject: string; reason: 'granted' | 'cleanup' }
  // --- sections backed by files (Z…), §24: data-scan sections and applications' file mappings ---
  /** On an instance: FltRegisterForDataScan succeeded (§24.4). */
  | { type: 'FltRegisterForDataScan' }
  /**
   * A section on `fileObject`: `kind` dataScan (FltCreateSectionForDataScan) or mapping
   * (CreateFileMapping); `handle` in `process`'s table (`kernelHandle`: OBJ_KERNEL_HANDLE); `size`
   * the file's size then; `count` the references (the handle, and the object reference the caller got).
   */
  | { type: 'SectionCreate'; kind: 'dataScan' | 'mapping'; fileObject: string; handle: string; process: string; kernelHandle: boolean; size: number; writable: boolean; count: number }
  /** FltMgr attached the section context to the stream for `instance` and holds a reference until FltCloseSectionForDataScan. */
  | { type: 'SectionContextAttached'; context: string; instance: string; count: number }
  | { type: 'SectionReferenced'; by: string; count: number }
  /** `by`: ZwClose/NtClose/CloseHandle (`handle` the one closed), ObDereferenceObject, or the modified page writer. */
  | { type: 'SectionDereferenced'; by: string; handle: string | null; count: number }
  | { type: 'SectionViewMapped'; view: string; process: string; bytes: number; writable: boolean; count: number }
  | { type: 'SectionViewUnmapped'; view: string; count: number }
  /** A write through a view dirtied pages (no IRP: the modified page writer writes them later). */
  | { type: 'SectionPagesDirtied'; view: string; offset: number; length: number }
  /** The modified page writer took the dirty pages from `offset` for `length` bytes to write them (IRP_MJ_WRITE, IRP_PAGING_IO). */
  | { type: 'SectionPagesWriting'; offset: number; length: number }
  /** I/O incompatible with an open data-scan section: FltMgr calls the filter's SectionNotificationCallback. */
  | { type: 'SectionConflict'; context: string; operation: string }
  /** `by`: the routine, or FltMgr at the teardown of the section's instance. */
  | { type: 'FltCloseSectionForDataScan'; context: string; by: string; count: number }
  /** The last reference went: the section drops its file object reference (IRP_MJ_CLOSE may follow). */
  | { type: 'SectionDeleted' }
  // --- KTM transactions (t…), §22.4: the transaction object FltMgr forwards notifications of; `count` = references after ---
  /** Born Active with the creator's handle (in `process`) as its one reference. */
  | { type: 'NtCreateTransaction'; process: string; handle: string; count: number }
  /** `by`: a transacted file object, ObReferenceObject, ObOpenObjectByPointer (`handle` the handle it opened), the KTM worker for the outcome. */
  | { type: 'TransactionReferenced'; by: string; handle: string | null; count: number }
  /** `handle`: the handle NtClose closed, when that is what dropped it. */
  | { type: 'TransactionDereferenced'; by: string; handle: string | null; count: number }
  /** `instance` enlisted with its transaction context `context` for the NOTIFICATION_MASK `mask`. */
  | { type: 'FltEnlistInTransaction'; instance: string; context: string; mask: number }
  /** A commit was asked for (Active → PrePreparing); the KTM worker `worker` runs the phases. */
  | { type: 'NtCommitTransaction'; thread: string; worker: string }
  /** A rollback was asked for or forced (`by`: NtRollbackTransaction, the last handle closed); `worker` runs it. */
  | { type: 'NtRollbackTransaction'; thread: string; by: string; worker: string }
  | { type: 'TransactionPrepare' }
  | { type: 'TransactionCommit' }
  /** The outcome is decided: TRANSACTION_OUTCOME Committed or Aborted. */
  | { type: 'TransactionOutcome'; outcome: 'Committed' | 'Aborted' }
  /** FltMgr calls `instance`'s TransactionNotificationCallback with one notification bit. */
  | { type: 'TransactionNotification'; instance: string; notification: number }
  | { type: 'TransactionNotificationReturned'; instance: string; notification: number; status: NTSTATUS }
  /** A notification answered STATUS_PENDING is acknowledged by `routine` (FltCommitComplete, …). */
  | { type: 'TransactionNotificationComplete'; instance: string; notification: number; routine: string }
  /** `instance`'s enlistment ended: after the outcome's last notification, or at the instance's teardown; FltMgr drops its context reference. */
  | { type: 'TransactionEnlistmentEnded'; instance: string; by: 'outcome' | 'teardown' }
  /** The last reference went: the object is deleted. */
  | { type: 'TransactionDeleted' };

/** Who armed an IRP's cancel routine (§19.2): the filter's CanceledCallback, FltMgr's Cbdq routine, or the file system's. */
export type CancelRoutineKind = 'FltSetCancelCompletion' | 'FltCbdq' | 'FileSystem';

/** What a byte-range lock is: its range, owner (file object, process, key) and mode, and the IRP_MN_LOCK request (D…) that asked for it. */
export interface ByteRangeLockFields {
  readonly operation: string;
  readonly fileObject: string;
  readonly fileId: number;
  readonly byteOffset: number;
  readonly length: number;
  readonly key: number;
  readonly processId: number;
  readonly exclusive: boolean;
}

/**
 * Oplock levels (§21.8): legacy Level 1, Batch, Filter, Level 2, and the Windows 7 levels R, RH, RW,
 * RWH (OPLOCK_LEVEL_CACHE_READ | _HANDLE | _WRITE) FSCTL_REQUEST_OPLOCK grants.
 */
export type OplockLevel = 'Level1' | 'Batch' | 'Filter' | 'Level2' | 'R' | 'RH' | 'RW' | 'RWH';
/**
 * What a break goes to: Level 2 or none (legacy), R, RH or RW (Windows 7). `owed` on a Windows 7
 * oplock's facts: how many holders still owe an acknowledgement afterwards (absent: none).
 */
export type OplockBreakTarget = 'Level2' | 'None' | 'R' | 'RH' | 'RW';
