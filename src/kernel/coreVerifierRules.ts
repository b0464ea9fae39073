/**
 * The verifier rules of the Filter Manager's own walk and objects: registration and unload (§2),
 * references and work items, callbacks and their results, pending, teardown, creates and file
 * objects, callback data a filter allocates, cancel and reissue, cancellation and cancel-safe
 * queues, synchronization and IRQL, and the model's own checks. The facilities' rules are in
 * facilityVerifierRules.ts; src/kernel/verifierRules.ts joins both into the one table.
 */
import type { VerifierRuleSpec } from './verifierRuleSpec.js';

export const CORE_VERIFIER_RULES = {
  // ---------------------------------------------------------------- registration and unload (§2)
  FLT_REGISTER_TWICE: {
    checks: 'a driver calls FltRegisterFilter a second time',
    windows: null,
    sections: ['§2'],
  },
  FLT_UNREGISTER_TWICE: {
    checks: 'FltUnregisterFilter on a filter already unregistering or gone (the filter pointer is dead after the first call)',
    windows: 'Filter Verifier (filter objects): use of a freed filter object',
    sections: ['§2'],
  },
  UNLOAD_WITHOUT_UNREGISTER: {
    checks: 'FilterUnloadCallback returns success (or any status, when the unload is mandatory) without having called FltUnregisterFilter',
    windows: 'bug check 0xCE DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS when FltMgr next calls into the unloaded image',
    sections: ['§2'],
  },
  UNLOAD_VETO_AFTER_UNREGISTER: {
    checks: 'a non-mandatory FilterUnloadCallback unregisters and then returns a veto',
    windows: null,
    sections: ['§2'],
  },
  FLT_UNLOAD_SELF: {
    checks: 'FltUnloadFilter / FilterUnload of a filter from inside one of its own callbacks (FltMgr would wait on itself)',
    windows: null,
    sections: ['§2'],
  },
  DRIVER_ENTRY_FAILED_REGISTERED: {
    checks: 'DriverEntry returns a failure without having called FltUnregisterFilter',
    windows: 'bug check 0xCE DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS when FltMgr next calls into the unloaded image',
    sections: ['§2'],
  },
  FILE_HANDLE_LEAKED: {
    checks: 'a filter finishes unregistering with a kernel handle from FltCreateFile* still open (reported with its opener; the unload completes unless semantics.leakedFilesHoldUnload)',
    windows: 'Filter Verifier leak report at filter unload (handles a filter opened are tracked)',
    sections: ['§2', '§11.3'],
  },
  FILE_OBJECT_LEAKED: {
    checks: 'a filter finishes unregistering still holding the file-object reference FltCreateFileEx handed it (reported with its opener; the unload completes unless semantics.leakedFilesHoldUnload)',
    windows: 'Filter Verifier leak report at filter unload (object references a filter took are tracked)',
    sections: ['§2', '§11.2'],
  },
  HANDLE_OF_UNLOADED_FILTER: {
    checks: 'FltClose on a kernel handle whose filter has finished unregistering (its code is gone; the handle was reported leaked)',
    windows: 'bug check 0xCE DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS (the unloaded filter would be running)',
    sections: ['§2', '§11.3'],
  },
  CALLBACK_DATA_LEAKED: {
    checks: 'a filter finishes unregistering with callback data it allocated and never freed (reported; the unload completes)',
    windows: 'Filter Verifier leak report at filter unload (callback data is a tracked resource)',
    sections: ['§13.A12', '§15.9'],
  },
  // ---------------------------------------------------------------- references and work items (§12)
  FLT_DEREFERENCE_UNDERFLOW: {
    checks: 'FltObjectDereference without a reference to release',
    windows: 'Filter Verifier (filter, instance and volume object references)',
    sections: ['§12'],
  },
  WORK_ITEM_QUEUED_TWICE: {
    checks: 'FltQueueGenericWorkItem / FltQueueDeferredIoWorkItem on a work item that is still queued (its routine has not started)',
    windows: 'Filter Verifier (queued work items)',
    sections: ['§12', '§12.1'],
  },
  WORK_ITEM_FREED_WHILE_QUEUED: {
    checks: 'FltFreeGenericWorkItem / FltFreeDeferredIoWorkItem on a work item that is still queued: the system worker thread would take it off the queue from freed pool (free it in its routine, or after it ran)',
    windows: 'Driver Verifier special pool: a use of freed pool when the worker thread dequeues it',
    sections: ['§12.1'],
  },
  // ---------------------------------------------------------------- callbacks and their results (§8)
  CALLBACK_RETURN_INVALID: {
    checks: 'a callback returns something that is not its type (NTSTATUS, FLT_PREOP_CALLBACK_STATUS, FLT_POSTOP_CALLBACK_STATUS; a ContextCleanupCallback returns nothing and may not block)',
    windows: null,
    sections: ['§8'],
  },
  COMPLETION_CONTEXT_WITHOUT_CALLBACK: {
    checks: 'a pre-operation sets a CompletionContext but returns neither SUCCESS_WITH_CALLBACK nor SYNCHRONIZE',
    windows: 'Filter Verifier: completion context returned without a post-operation callback',
    sections: ['§14.9'],
  },
  NO_POST_OPERATION: {
    checks: 'SUCCESS_WITH_CALLBACK or SYNCHRONIZE from a filter that registered no post-operation for the major function',
    windows: null,
    sections: ['§8'],
  },
  DISALLOW_FASTIO_ON_IRP: {
    checks: 'a pre-operation returns FLT_PREOP_DISALLOW_FASTIO for an operation that is not fast I/O: an IRP operation or an FsFilter callback operation',
    windows: null,
    sections: ['§8'],
  },
  PEND_FAST_IO: {
    checks: 'a pre-operation returns FLT_PREOP_PENDING, or a post-operation FLT_POSTOP_MORE_PROCESSING_REQUIRED, for a fast I/O operation (only IRP operations can be pended)',
    windows: null,
    sections: ['§8', '§14.8'],
  },
  COMPLETE_WITH_PENDING_STATUS: {
    checks: 'an operation is completed with STATUS_PENDING (or STATUS_FLT_DISALLOW_FAST_IO) in IoStatus',
    windows: null,
    sections: ['§14.10'],
  },
  CLEANUP_CLOSE_FAILED: {
    checks: 'a filter completes IRP_MJ_CLEANUP or IRP_MJ_CLOSE with a failure status',
    windows: null,
    sections: ['§14.10'],
  },
  BLOCKING_AT_DISPATCH: {
    checks: 'a thread at DISPATCH_LEVEL (a post-operation not made safe, a completion callback) blocks',
    windows: 'bug check 0xA IRQL_NOT_LESS_OR_EQUAL; with Driver Verifier IRQL checking, bug check 0xC4',
    sections: ['§8'],
  },
  // ---------------------------------------------------------------- pending (§8)
  COMPLETE_NOT_PENDED: {
    checks: 'FltCompletePendedPreOperation / FltCompletePendedPostOperation on data that is not pended (twice, or the callback then did not pend)',
    windows: null,
    sections: ['§14.7'],
  },
  COMPLETE_PENDED_BAD_STATUS: {
    checks: 'FltCompletePendedPreOperation with SYNCHRONIZE, PENDING or DISALLOW_FASTIO',
    windows: null,
    sections: ['§13.A1'],
  },
  // ---------------------------------------------------------------- teardown (§4)
  DRAIN_MUST_FINISH: {
    checks: 'a draining post-operation returns anything but FLT_POSTOP_FINISHED_PROCESSING',
    windows: null,
    sections: ['§4', '§14.20'],
  },
  // ---------------------------------------------------------------- creates and file objects (§11)
  CREATE_FAILED_WITHOUT_CANCEL: {
    checks: 'a post-create fails a create the file system opened without calling FltCancelFileOpen (the open would leak)',
    windows: null,
    sections: ['§8', '§11.13'],
  },
  INSTANCE_OF_ANOTHER_FILTER: {
    checks: "FltCreateFile* is passed another filter's instance",
    windows: null,
    sections: ['§11.1'],
  },
  INSTANCE_USED_AFTER_TEARDOWN: {
    checks: 'generated I/O from an instance that is torn down and freed (a referenced, torn-down instance gets STATUS_FLT_DELETING_OBJECT instead)',
    windows: 'Filter Verifier (instance objects): use of a freed instance',
    sections: ['§4', '§11'],
  },
  NULL_FILE_OBJECT: {
    checks: 'generated I/O with no file object (a failed FltCreateFileEx returns none)',
    windows: null,
    sections: ['§11'],
  },
  IO_ON_CLOSED_FILE_OBJECT: {
    checks: 'generated I/O on a file object that is closed or whose open failed',
    windows: 'Filter Verifier (file objects): use of a freed file object',
    sections: ['§11'],
  },
  FOREIGN_FILE_OBJECT: {
    checks: 'generated I/O on a file object that belongs to another simulation',
    windows: null,
    sections: ['§11'],
  },
  DEREFERENCE_UNREFERENCED_FILE_OBJECT: {
    checks: 'ObDereferenceObject on a file object that holds no reference',
    windows: 'bug check 0x18 REFERENCE_BY_POINTER',
    sections: ['§11.2'],
  },
  // ---------------------------------------------------------------- callback data the filter allocates (§11.8–11.12)
  FREE_NOT_OWNED: {
    checks: "FltFree/Reuse/Perform on callback data FltMgr passed to a callback, or on another filter's data",
    windows: 'Filter Verifier (callback data)',
    sections: ['§14.12'],
  },
  FREE_BEFORE_CALLBACK: {
    checks: 'free or reuse of callback data before its asynchronous completion callback ran',
    windows: 'Filter Verifier (callback data)',
    sections: ['§14.13'],
  },
  USE_AFTER_FREE: {
    checks: 'any use of callback data after FltFreeCallbackData',
    windows: 'Filter Verifier (callback data); without it, a use after free',
    sections: ['§14.13'],
  },
  CALLBACK_DATA_IN_FLIGHT: {
    checks: 'perform, reuse or free of callback data whose operation is still in flight',
    windows: null,
    sections: ['§11.9', '§11.10'],
  },
  PERFORM_WITHOUT_REUSE: {
    checks: 'perform again on callback data that already ran, without FltReuseCallbackData',
    windows: null,
    sections: ['§11.11'],
  },
  NO_TARGET_FILE_OBJECT: {
    checks: 'perform on callback data with no Iopb->TargetFileObject',
    windows: null,
    sections: ['§11.8'],
  },
  ASYNC_CREATE: {
    checks: "only with semantics.asyncCreate = 'verifier': FltPerformAsynchronousIo for IRP_MJ_CREATE (by default, as Windows, it returns STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST and calls back once)",
    windows: null,
    sections: ['§14.11'],
  },
  // ---------------------------------------------------------------- cancel and reissue (§11.13, §11.14)
  CANCEL_OPEN_OUTSIDE_POST_CREATE: {
    checks: "FltCancelFileOpen outside that instance's post-create for the file object",
    windows: null,
    sections: ['§11.13'],
  },
  CANCEL_OPEN_NOT_OPENED: {
    checks: 'FltCancelFileOpen on a file object the file system did not open, or that already has a handle',
    windows: 'bug check 0xE8 INVALID_CANCEL_OF_FILE_OPEN',
    sections: ['§11.13', '§14.15'],
  },
  CANCELLED_OPEN_NOT_FAILED: {
    checks: 'the create still succeeds (or Information is not 0) after FltCancelFileOpen',
    windows: null,
    sections: ['§14.15'],
  },
  REISSUE_NOT_SYNCHRONIZED: {
    checks: "FltReissueSynchronousIo outside a synchronized post-operation, or on the filter's own data before FltPerformSynchronousIo ran",
    windows: null,
    sections: ['§14.14'],
  },
  // ---------------------------------------------------------------- cancellation and cancel-safe queues (§19)
  COMPLETE_WHILE_CANCELABLE: {
    checks: 'a pended operation is completed while a cancel routine is still armed on it (FltSetCancelCompletion not taken back with FltClearCancelCompletion, or data still in a Cbdq): the cancel path may complete it too — a double completion waiting for its schedule',
    windows: 'Driver Verifier I/O verification: IRP completed with a cancel routine set (bug check 0xC9); without it, a double completion (bug check 0x44 MULTIPLE_IRP_COMPLETE_REQUESTS)',
    sections: ['§19.3', '§19.5', '§19.9'],
  },
  CANCEL_IO_NOT_OWNED: {
    checks: 'FltCancelIo on callback data no filter issued or holds pended (an application\'s request on its way down, the file system\'s): a filter cancels only what it owns',
    windows: null,
    sections: ['§19.1', '§19.9'],
  },
  CANCEL_ROUTINE_CONFLICT: {
    checks: 'a second cancel routine for one operation: FltSetCancelCompletion on data already in a Cbdq or already armed, FltCbdqInsertIo of data with a cancel routine, FltCancellableWaitFor… on data with one',
    windows: 'Driver Verifier I/O verification: cancel routine overwritten (bug check 0xC9)',
    sections: ['§18.3', '§19.3', '§19.9'],
  },
  CANCEL_COMPLETION_NOT_PENDED: {
    checks: 'FltSetCancelCompletion or FltClearCancelCompletion on data that is not pended by a filter (not posted to a work queue): nothing could complete it through the cancel routine',
    windows: null,
    sections: ['§19.3'],
  },
  CBDQ_PENDED_AFTER_DISABLE: {
    checks: 'a pre-operation returns FLT_PREOP_PENDING for data its FltCbdqInsertIo refused (STATUS_FLT_CBDQ_DISABLED): the data is in no queue, so nobody completes it and teardown waits forever',
    windows: null,
    sections: ['§19.4', '§19.5'],
  },
  // ---------------------------------------------------------------- synchronization and IRQL (§18)
  IRQL_TOO_HIGH: {
    checks: 'a routine is called above the IRQL its documentation allows (a PASSIVE_LEVEL routine at APC_LEVEL or DISPATCH_LEVEL, an ERESOURCE or push lock acquired at DISPATCH_LEVEL)',
    windows: 'Driver Verifier IRQL checking: bug check 0xC4; without it, bug check 0xA IRQL_NOT_LESS_OR_EQUAL once paged memory is touched',
    sections: ['§18.1'],
  },
  WAIT_AT_DISPATCH: {
    checks: 'a KeWaitForSingleObject / KeWaitForMultipleObjects / FltCancellableWaitFor… with a timeout other than 0 at DISPATCH_LEVEL (a spin lock held), a cancel routine included: it runs at the canceller\'s IRQL, DISPATCH_LEVEL for FltCancelIo under a spin lock',
    windows: 'bug check 0xA IRQL_NOT_LESS_OR_EQUAL (Driver Verifier: 0xC4)',
    sections: ['§18.2', '§18.4', '§19.3'],
  },
  TOO_MANY_WAIT_OBJECTS: {
    checks: 'KeWaitForMultipleObjects on more than MAXIMUM_WAIT_OBJECTS (64) objects, or on more than THREAD_WAIT_OBJECTS (3) without a WaitBlockArray',
    windows: 'bug check 0xC MAXIMUM_WAIT_OBJECTS_EXCEEDED',
    sections: ['§18.2'],
  },
  CREATE_WITH_APCS_DISABLED: {
    checks: 'FltCreateFile* with normal kernel APCs disabled (a critical or guarded region, an ERESOURCE or push lock taken through the Flt wrappers, a fast mutex); recorded, and the create proceeds',
    windows: null,
    sections: ['§18.5'],
  },
  APC_REGION_UNBALANCED: {
    checks: 'KeLeaveCriticalRegion / FsRtlExitFileSystem / KeLeaveGuardedRegion without a matching enter',
    windows: 'bug check 0x1 APC_INDEX_MISMATCH when the thread next returns to user mode',
    sections: ['§18.1'],
  },
  OBJECT_NOT_INITIALIZED: {
    checks: 'a KEVENT or lock used before KeInitializeEvent / its initialize routine, or after it was deleted',
    windows: 'Driver Verifier deadlock detection: bug check 0xC4, parameter 0x1002 (uninitialized resource)',
    sections: ['§18.5'],
  },
  RESOURCE_WITHOUT_CRITICAL_REGION: {
    checks: 'ExAcquireResourceExclusiveLite / ExAcquireResourceSharedLite with normal kernel APCs enabled (no KeEnterCriticalRegion or FsRtlEnterFileSystem first)',
    windows: null,
    sections: ['§18.4'],
  },
  LOCK_SELF_DEADLOCK: {
    checks: 'a thread acquires a lock it already holds where that never returns: a FAST_MUTEX, guarded mutex, spin lock or push lock again, or an ERESOURCE exclusive while it holds it shared',
    windows: 'Driver Verifier deadlock detection: bug check 0xC4, parameter 0x1000 (self-deadlock); for push locks and ERESOURCEs, a hang',
    sections: ['§18.4', '§18.5'],
  },
  LOCK_NOT_OWNED: {
    checks: 'a thread releases a lock it does not hold (never acquired, already released, or held by another thread)',
    windows: 'Driver Verifier deadlock detection: bug check 0xC4, parameter 0x1007 (released without being acquired) or 0x1004 (released by another thread)',
    sections: ['§18.5'],
  },
  LOCK_DELETED_WHILE_OWNED: {
    checks: 'ExDeleteResourceLite / FltDeletePushLock on a lock some thread holds',
    windows: 'Driver Verifier deadlock detection: bug check 0xC4, parameter 0x100B',
    sections: ['§18.5'],
  },
  LOCK_HELD_AT_THREAD_EXIT: {
    checks: 'a thread ends while it holds a lock (reported; the lock stays owned by the dead thread)',
    windows: 'Driver Verifier deadlock detection: bug check 0xC4, parameter 0x100A (a terminated thread owns a lock)',
    sections: ['§18.5'],
  },
  LOCK_ORDER_INVERSION: {
    checks: 'two locks are taken in both orders in one run (an acquisition-order cycle), even if the run did not deadlock (reported; the run goes on)',
    windows: 'Driver Verifier deadlock detection: bug check 0xC4, parameter 0x1001 (lock hierarchy violation), for spin locks and (fast, guarded) mutexes; fltsim also tracks ERESOURCEs and push locks',
    sections: ['§18.5'],
  },
  REISSUE_CANCELLED_OPEN: {
    checks: 'FltReissueSynchronousIo on a create the filter cancelled with FltCancelFileOpen (it still completes with STATUS_CANCELLED; recorded without ending the thread)',
    windows: null,
    sections: ['§11.13', '§11.14', '§14.14'],
  },
  CALLBACK_RECURSION: {
    checks: "an instance's pre- or post-operation entered again on the same thread, through I/O it issued itself, more than 8 times (MAX_CALLBACK_REENTRY; typically FltCreateFile with Instance = NULL on the same name from a pre-create); the message has the chain of operations",
    windows: 'bug check 0x7F UNEXPECTED_KERNEL_MODE_TRAP (double fault: the kernel stack overflows)',
    sections: ['§10', '§14.1'],
  },
  // ---------------------------------------------------------------- the model itself
  FLT_ASSERT: {
    checks: "an FLT_ASSERT in a filter's code fails (a checked build): fltsim's FLT_ASSERT(condition, expression) names the expression and where the filter was — its callback, instance and operation, or the thread — instead of the CRASH of an exception",
    windows: 'NT_ASSERT raises STATUS_ASSERTION_FAILURE (0xC0000420): a break into an attached kernel debugger, else bug check 0x1E KMODE_EXCEPTION_NOT_HANDLED',
    sections: ['§14'],
  },
  CRASH: {
    checks: "with onViolation 'record' (and in explore): anything other than a rule thrown inside a simulated thread — a filter callback's own exception, or an internal error of fltsim — recorded on the failing thread at its log position; the run goes on",
    windows: 'bug check 0x1E KMODE_EXCEPTION_NOT_HANDLED (an exception in a driver)',
    sections: ['§14'],
  },
  NULL_POINTER: {
    checks: 'NULL passed for a pointer a routine requires and dereferences (a PFLT_FILTER, PFLT_INSTANCE, PKEVENT, lock, context, callback data, work item, ECP list, MDL, …); a value of the wrong kind is a UsageError BAD_ARGUMENT instead, and a NULL FileObject of generated I/O is NULL_FILE_OBJECT',
    windows: 'bug check 0x3B SYSTEM_SERVICE_EXCEPTION or 0x50 PAGE_FAULT_IN_NONPAGED_AREA (a NULL dereference in kernel mode)',
    sections: ['§14'],
  },
} as const satisfies Record<string, VerifierRuleSpec>;
