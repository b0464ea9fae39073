/**
 * The verifier rules of the facilities (§15–§24): extra create parameters, buffers, contexts,
 * file names, communication ports, a driver's own device objects, KTM transactions and the FsFilter
 * callback operations around sections, mapped-page writes and flushes (§24.1). Joined
 * with the core rules into the one table by src/kernel/verifierRules.ts.
 */
import type { VerifierRuleSpec } from './verifierRuleSpec.js';

export const FACILITY_VERIFIER_RULES = {
  // ---------------------------------------------------------------- extra create parameters (§22)
  ECP_USED_AFTER_FREE: {
    checks: 'an ECP list or ECP context used after FltFreeExtraCreateParameterList / FltFreeExtraCreateParameter (FltCreateFileEx2 included)',
    windows: 'Driver Verifier special pool: a use of freed pool',
    sections: ['§22.2'],
  },
  ECP_FREED_IN_LIST: {
    checks: 'FltFreeExtraCreateParameter on an ECP still in a list (remove it, or free the list)',
    windows: null,
    sections: ['§22.2'],
  },
  // ---------------------------------------------------------------- buffers (§20)
  BUFFER_INVALID: {
    checks:
      'a data buffer or MDL that is not one: a ReadBuffer / WriteBuffer / DirectoryBuffer that is not a Uint8Array, an MdlAddress or MDL argument fltsim did not make (IoAllocateMdl, FltLockUserBuffer), or a pool free given memory its routine did not allocate (ExFreePoolWithTag on an aligned block, FltFreePoolAlignedWithTag on anything else)',
    windows: 'bug check 0xC2 BAD_POOL_CALLER (a bad free), or a page fault on the bad pointer (0x50)',
    sections: ['§20.1', '§20.7'],
  },
  BUFFER_USED_AFTER_FREE: {
    checks:
      'a pool block, MDL or work item used, mapped, queued or freed after its free; a filter that freed the MDL it swapped into an operation, which FltMgr frees after the post-op (unless FltRetainSwappedBufferMdlAddress)',
    windows: 'Driver Verifier special pool: a use of freed pool, or bug check 0xC2 BAD_POOL_CALLER (double free)',
    sections: ['§20.6', '§24.9', '§12.1'],
  },
  BUFFER_TOO_SHORT: {
    checks: "an operation reaches the file system with a buffer (or MDL) shorter than its Length: the file system would write past its end",
    windows: 'memory corruption (Driver Verifier special pool: bug check 0xD6 DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION)',
    sections: ['§20.1', '§20.6'],
  },
  MDL_NOT_LOCKED: {
    checks: 'MmGetSystemAddressForMdlSafe, or the file system, on an MDL whose pages were never locked (MmBuildMdlForNonPagedPool, MmProbeAndLockPages, FltLockUserBuffer)',
    windows: 'bug check 0xC4 DRIVER_VERIFIER_DETECTED_VIOLATION (MmMapLockedPages on an unlocked MDL)',
    sections: ['§20.4', '§20.6'],
  },
  NONCACHED_BUFFER_MISALIGNED: {
    checks: 'a non-cached (IRP_NOCACHE) read or write reaches the file system with a pool buffer aligned to less than the volume sector: allocate such buffers with FltAllocatePoolAlignedWithTag',
    windows: 'the storage stack fails or corrupts the transfer (the DMA needs sector-aligned buffers)',
    sections: ['§20.7', '§24.9'],
  },
  SWAP_WITHOUT_POST_OPERATION: {
    checks: 'a pre-op swapped the data buffers of an operation (dirty) and returned without asking for its post-operation callback, which must restore and free them',
    windows: null,
    sections: ['§20.6', '§24.9'],
  },
  // ---------------------------------------------------------------- contexts (§15)
  CONTEXT_DOUBLE_RELEASE: {
    checks:
      'FltReleaseContext(s) on a context whose count is already 0, or that would take the reference its object holds (a linked context at count 1); FltDeleteContext without a reference of its own',
    windows: 'Filter Verifier (contexts): reference count underflow; without it, a use after free',
    sections: ['§15.6', '§19.9'],
  },
  CONTEXT_USED_AFTER_FREE: {
    checks: "FltReferenceContext, a FltSet*Context or FltDeleteContext on a context whose last reference is gone, or a read of a freed context's Data",
    windows: 'Filter Verifier (contexts); without it, a use of freed pool',
    sections: ['§15.6', '§19.9'],
  },
  CONTEXT_WRONG_TYPE: {
    checks: 'a FltSet*Context with a context of another kind (recorded; the routine returns STATUS_INVALID_PARAMETER as Windows does)',
    windows: 'Filter Verifier (contexts): incorrect context type',
    sections: ['§15.4'],
  },
  CONTEXT_OF_ANOTHER_FILTER: {
    checks: 'a FltSet*Context with a context another filter allocated',
    windows: null,
    sections: ['§15.1'],
  },
  CONTEXT_ROUTINE_AT_DISPATCH: {
    checks: 'FltAllocateContext, a get, set or delete routine or FltGetContexts at DISPATCH_LEVEL (a post-operation not made safe), or the release of a paged context there',
    windows: 'bug check 0xC4 DRIVER_VERIFIER_DETECTED_VIOLATION (IRQL check); without Driver Verifier, 0xA IRQL_NOT_LESS_OR_EQUAL on a paged context',
    sections: ['§15.5', '§15.6', '§19.9'],
  },
  CONTEXT_LEAKED: {
    checks:
      "FltUnregisterFilter, after deleting the filter's contexts and draining its other rundown, finds contexts still referenced: reported with each one's RefCount, and the unregister keeps waiting (the reference keeps the filter object alive)",
    windows: 'Filter Verifier at filter unload: "leaked references to the following resources: FLT_CONTEXT"; the unload never completes',
    sections: ['§15.9', '§19.9'],
  },
  // ---------------------------------------------------------------- file names (§16)
  NAME_QUERY_AT_DISPATCH: {
    checks: 'FltGetFileNameInformation(Unsafe) or FltGetDestinationFileNameInformation at DISPATCH_LEVEL, e.g. in a post-operation callback that is not synchronized (recorded; the call returns STATUS_FLT_INVALID_NAME_REQUEST)',
    windows: 'Driver Verifier IRQL checking / Filter Verifier incorrect calling context: the routines are callable at APC_LEVEL at most',
    sections: ['§16.3'],
  },
  FLT_NAME_DOUBLE_RELEASE: {
    checks: 'FltReleaseFileNameInformation by a filter that holds no reference to the structure (released already, or never its own)',
    windows: 'Filter Verifier (name information structures): release of an unreferenced FLT_FILE_NAME_INFORMATION',
    sections: ['§16.4', '§19.9'],
  },
  FLT_NAME_USE_AFTER_RELEASE: {
    checks: 'FltReferenceFileNameInformation or FltParseFileNameInformation on a structure the filter holds no reference to',
    windows: 'Filter Verifier (name information structures): use of a released FLT_FILE_NAME_INFORMATION',
    sections: ['§16.4', '§19.9'],
  },
  FLT_NAME_MODIFIED: {
    checks: 'a filter wrote into a FLT_FILE_NAME_INFORMATION (seen at its next reference, release or parse); the structure is FltMgr\'s and shared',
    windows: null,
    sections: ['§16.1', '§19.9'],
  },
  FLT_NAME_LEAKED: {
    checks: 'a filter finishes unregistering still holding references to name information (one finding per structure; the unload completes)',
    windows: 'Filter Verifier leak report at filter unload ("References to FLT_FILE_NAME_INFORMATION")',
    sections: ['§15.9', '§16.4'],
  },
  TUNNELED_NAME_OUTSIDE_POST_OPERATION: {
    checks: 'FltGetTunneledName called anywhere but the post-operation callback of IRP_MJ_CREATE or IRP_MJ_SET_INFORMATION (recorded; the call returns STATUS_INVALID_PARAMETER)',
    windows: null,
    sections: ['§16.4', '§19.9'],
  },
  NAME_PROVIDER_RECURSION: {
    checks: 'a name provider\'s nested query (FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER left set) comes back to the same provider for the same file object',
    windows: 'unbounded recursion: kernel stack overflow (bug check 0x7F)',
    sections: ['§16.6', '§19.9'],
  },
  // ---------------------------------------------------------------- communication ports (§17)
  SERVER_PORT_OPEN_AT_UNLOAD: {
    checks: 'FltUnregisterFilter is entered while a server port of the filter is still open (reported; the unload then waits for the port to close, which hangs it)',
    windows: null,
    sections: ['§17.2', '§19.9'],
  },
  SERVER_PORT_CLOSED_TWICE: {
    checks: 'FltCloseCommunicationPort on a server port already closed',
    windows: 'Driver Verifier: object reference count underflow (bug check 0x18 REFERENCE_BY_POINTER)',
    sections: ['§17.2'],
  },
  CLIENT_PORT_CLOSE_INVALID: {
    checks: 'FltCloseClientPort on a client port already closed through another copy of the pointer, or before ConnectNotify accepted it',
    windows: 'Driver Verifier: object reference count underflow (bug check 0x18 REFERENCE_BY_POINTER)',
    sections: ['§17.2', '§19.9'],
  },
  CLIENT_PORT_LEAKED: {
    checks: 'a filter finishes unregistering with a client port whose DisconnectNotify returned without FltCloseClientPort (reported; the unload completes)',
    windows: 'Filter Verifier leak report at filter unload (the port object stays referenced)',
    sections: ['§17.2'],
  },
  PORT_BUFFER_TOO_SHORT: {
    checks: "a port buffer is shorter than the length passed with it (FltSendMessage's SenderBuffer or ReplyBuffer, MessageNotify's ReturnOutputBufferLength beyond OutputBufferLength)",
    windows: 'Driver Verifier special pool: bug check 0xD6 DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION',
    sections: ['§17.3', '§17.4'],
  },
  PORT_SECURITY_DESCRIPTOR_FREED: {
    checks: 'FltCreateCommunicationPort with a security descriptor already freed by FltFreeSecurityDescriptor',
    windows: 'Driver Verifier special pool: use of freed pool',
    sections: ['§17.2'],
  },
  // ---------------------------------------------------------------- a driver's own device objects (§23.6)
  DEREFERENCE_UNREFERENCED_DEVICE_OBJECT: {
    checks: 'ObDereferenceObject on the disk device object of FltGetDiskDeviceObject more often than it was handed out',
    windows: 'bug check 0x18 REFERENCE_BY_POINTER',
    sections: ['§23.2'],
  },
  DEVICE_DELETED_TWICE: {
    checks: 'IoDeleteDevice of a device object already deleted',
    windows: 'Driver Verifier I/O verification: bug check 0xC9 DRIVER_VERIFIER_IOMANAGER_VIOLATION (deleting a deleted device object)',
    sections: ['§23.6'],
  },
  MULTIPLE_IRP_COMPLETE_REQUESTS: {
    checks: 'IoCompleteRequest of an IRP its driver completed already',
    windows: 'bug check 0x44 MULTIPLE_IRP_COMPLETE_REQUESTS',
    sections: ['§23.6'],
  },
  IRP_NOT_COMPLETED: {
    checks: 'a dispatch routine returns a status other than STATUS_PENDING without completing its IRP',
    windows: 'Driver Verifier I/O verification: bug check 0xC9 DRIVER_VERIFIER_IOMANAGER_VIOLATION (IRP returned without completion or STATUS_PENDING)',
    sections: ['§23.6'],
  },
  // ---------------------------------------------------------------- KTM transactions (§22.4)
  TRANSACTION_USED_AFTER_DELETE: {
    checks: 'a transaction routine, ObReferenceObject or ObDereferenceObject on a transaction whose last reference is gone (ObDereferenceObject more often than it was referenced)',
    windows: 'a use of a freed KTRANSACTION; Driver Verifier: bug check 0x18 REFERENCE_BY_POINTER on the extra dereference',
    sections: ['§22.4'],
  },
  TRANSACTION_COMPLETE_NOT_PENDING: {
    checks:
      'FltCommitComplete, FltCommitFinalizeComplete, FltPrepareComplete, FltPrePrepareComplete or FltRollbackComplete by an enlisted instance with no notification of that kind pended (its callback did not return STATUS_PENDING for it, or it was completed already)',
    windows: null,
    sections: ['§22.4'],
  },
  // ---------------------------------------------------------------- FsFilter callback operations (§24.1)
  FS_FILTER_OPERATION_FAILED: {
    checks:
      'a pre-operation completes an FsFilter callback operation (FLT_PREOP_COMPLETE) other than by failing a SyncTypeCreateSection IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION with STATUS_INSUFFICIENT_RESOURCES: a SyncTypeOther acquire, another status, or another FsFilter operation',
    windows: 'the memory manager assumes the acquire cannot fail: a deadlock or a corrupted section later',
    sections: ['§24.1', '§24.9'],
  },
  FS_FILTER_OPERATION_PENDED: {
    checks: 'a pre-operation returns FLT_PREOP_PENDING, or a post-operation FLT_POSTOP_MORE_PROCESSING_REQUIRED, for an FsFilter callback operation (they cannot be pended)',
    windows: null,
    sections: ['§24.1', '§24.9'],
  },
  FS_FILTER_OPERATION_BUFFERS: {
    checks: 'a pre-operation puts a data buffer or an MDL into the parameters of an FsFilter callback operation, which has none (buffers cannot be swapped there)',
    windows: null,
    sections: ['§24.1', '§24.9'],
  },
  FS_FILTER_OPERATION_GENERATED: {
    checks: 'a filter issues an FsFilter callback operation itself (FltPerformSynchronousIo or FltPerformAsynchronousIo with an IRP_MJ_ACQUIRE_FOR_* / IRP_MJ_RELEASE_FOR_* major): only the memory and cache managers issue them',
    windows: 'Filter Verifier: FltPerform*Io is for IRP operations only',
    sections: ['§24.1', '§24.9'],
  },
} as const satisfies Record<string, VerifierRuleSpec>;
