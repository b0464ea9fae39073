/**
 * delete.c's context registration, the context manipulation functions (DfAllocateContext,
 * DfSetContext, DfGetContext, DfGetOrSetContext) and the three context cleanup callbacks. The
 * sample has one context type per target, so the type picks the target: a FILE_OBJECT (stream
 * context), a KTRANSACTION (transaction context) or nothing (the instance's).
 */
import {
  ERESOURCE,
  ExInitializeResourceLite,
  FLT_CONTEXT_END,
  FLT_INSTANCE_CONTEXT,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_STREAM_CONTEXT,
  FLT_TRANSACTION_CONTEXT,
  FltAllocateContext,
  FltEnlistInTransaction,
  FltGetInstanceContext,
  FltGetStreamContext,
  FltGetTransactionContext,
  FltReleaseContext,
  FltReleaseFileNameInformation,
  FltSetInstanceContext,
  FltSetStreamContext,
  FltSetTransactionContext,
  NT_SUCCESS,
  PagedPool,
  STATUS_FLT_CONTEXT_ALREADY_DEFINED,
  STATUS_INVALID_PARAMETER,
  STATUS_NOT_FOUND,
  STATUS_SUCCESS,
  TRANSACTION_NOTIFY_COMMIT_FINALIZE,
  TRANSACTION_NOTIFY_ROLLBACK,
  type Blocking,
  type FLT_CONTEXT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type NTSTATUS,
  type PFILE_OBJECT,
  type PFLT_CONTEXT,
  type PKTRANSACTION,
} from '../../../src/index.js';
import {
  DF_INSTANCE_CONTEXT_POOL_TAG,
  DF_INSTANCE_CONTEXT_SIZE,
  DF_STREAM_CONTEXT_POOL_TAG,
  DF_STREAM_CONTEXT_SIZE,
  DF_TRANSACTION_CONTEXT_POOL_TAG,
  DF_TRANSACTION_CONTEXT_SIZE,
  emptyUnicodeString,
  type DF_GLOBALS,
  type DF_INSTANCE_CONTEXT,
  type DF_STREAM_CONTEXT,
  type DF_TRANSACTION_CONTEXT,
  type PDF_INSTANCE_CONTEXT,
  type PDF_STREAM_CONTEXT,
  type PDF_TRANSACTION_CONTEXT,
  type UNICODE_STRING,
} from './deleteStruc.js';

/** DF_CONTEXT_POOL_TYPE. */
export const DF_CONTEXT_POOL_TYPE = PagedPool;

/** DF_NOTIFICATION_MASK. */
export const DF_NOTIFICATION_MASK = TRANSACTION_NOTIFY_COMMIT_FINALIZE | TRANSACTION_NOTIFY_ROLLBACK;

type AnyContext = PFLT_CONTEXT<object>;
/** What the C's `PFLT_CONTEXT *Context` in/out parameter holds. */
export interface ContextSlot {
  value: AnyContext | null;
}

export function deleteContexts(Globals: DF_GLOBALS) {
  /** DfAllocateContext: a zeroed context of the type; a transaction context gets its list and ERESOURCE. */
  function* DfAllocateContext(ContextType: number, Context: ContextSlot): Blocking<NTSTATUS> {
    switch (ContextType) {
      case FLT_STREAM_CONTEXT: {
        const r = FltAllocateContext<DF_STREAM_CONTEXT>(Globals.gFilterHandle!, FLT_STREAM_CONTEXT, DF_STREAM_CONTEXT_SIZE, DF_CONTEXT_POOL_TYPE);
        if (NT_SUCCESS(r.status)) {
          // RtlZeroMemory
          Object.assign(r.context!.Data, {
            NameInfo: { value: null },
            FileId: { FileId64: { Value: 0, UpperZeroes: 0 }, FileId128: null },
            NumOps: { value: 0 },
            IsNotified: { value: 0 },
            FileIdSet: false,
            SetDisp: false,
            DeleteOnClose: false,
          } satisfies DF_STREAM_CONTEXT);
          Context.value = r.context;
        }
        return r.status;
      }
      case FLT_TRANSACTION_CONTEXT: {
        const r = FltAllocateContext<DF_TRANSACTION_CONTEXT>(Globals.gFilterHandle!, FLT_TRANSACTION_CONTEXT, DF_TRANSACTION_CONTEXT_SIZE, DF_CONTEXT_POOL_TYPE);
        if (NT_SUCCESS(r.status)) {
          const transactionContext = r.context!;
          Object.assign(transactionContext.Data, { DeleteNotifyList: [], Resource: null } satisfies DF_TRANSACTION_CONTEXT);
          Context.value = transactionContext;
          // ExAllocatePoolWithTag(NonPagedPool, sizeof(ERESOURCE), DF_ERESOURCE_POOL_TAG): the object itself here.
          transactionContext.Data.Resource = new ERESOURCE(`DF_TRANSACTION_CONTEXT ${transactionContext.id} Resource`);
          yield* ExInitializeResourceLite(transactionContext.Data.Resource);
        }
        return r.status;
      }
      case FLT_INSTANCE_CONTEXT: {
        const r = FltAllocateContext<DF_INSTANCE_CONTEXT>(Globals.gFilterHandle!, FLT_INSTANCE_CONTEXT, DF_INSTANCE_CONTEXT_SIZE, DF_CONTEXT_POOL_TYPE);
        if (NT_SUCCESS(r.status)) {
          Object.assign(r.context!.Data, { VolumeGuidName: emptyUnicodeString() } satisfies DF_INSTANCE_CONTEXT);
          Context.value = r.context;
        }
        return r.status;
      }
      default:
        return STATUS_INVALID_PARAMETER;
    }
  }

  /** DfSetContext: FltSet{Stream,Transaction,Instance}Context with KEEP_IF_EXISTS. */
  function* DfSetContext(FltObjects: FLT_RELATED_OBJECTS, Target: PFILE_OBJECT | PKTRANSACTION | null, ContextType: number, NewContext: AnyContext, OldContext: ContextSlot | null): Blocking<NTSTATUS> {
    switch (ContextType) {
      case FLT_STREAM_CONTEXT:
        return yield* FltSetStreamContext(FltObjects.Instance, Target as PFILE_OBJECT, FLT_SET_CONTEXT_KEEP_IF_EXISTS, NewContext, OldContext);
      case FLT_TRANSACTION_CONTEXT:
        return yield* FltSetTransactionContext(FltObjects.Instance, Target as PKTRANSACTION, FLT_SET_CONTEXT_KEEP_IF_EXISTS, NewContext, OldContext);
      case FLT_INSTANCE_CONTEXT:
        return yield* FltSetInstanceContext(FltObjects.Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, NewContext, OldContext);
      default:
        return STATUS_INVALID_PARAMETER;
    }
  }

  /** DfGetContext: FltGet{Stream,Transaction,Instance}Context. */
  function* DfGetContext(FltObjects: FLT_RELATED_OBJECTS, Target: PFILE_OBJECT | PKTRANSACTION | null, ContextType: number, Context: ContextSlot): Blocking<NTSTATUS> {
    let r: { status: NTSTATUS; context: AnyContext | null };
    switch (ContextType) {
      case FLT_STREAM_CONTEXT:
        r = yield* FltGetStreamContext(FltObjects.Instance, Target as PFILE_OBJECT);
        break;
      case FLT_TRANSACTION_CONTEXT:
        r = yield* FltGetTransactionContext(FltObjects.Instance, Target as PKTRANSACTION);
        break;
      case FLT_INSTANCE_CONTEXT:
        r = yield* FltGetInstanceContext(FltObjects.Instance);
        break;
      default:
        return STATUS_INVALID_PARAMETER;
    }
    Context.value = r.context;
    return r.status;
  }

  /**
   * DfGetOrSetContext: the context attached to Target, or *Context (allocated here if NULL) attached
   * to it; a racing set wins and its context is returned. A new transaction context is also
   * enlisted in the transaction.
   */
  function* DfGetOrSetContext(FltObjects: FLT_RELATED_OBJECTS, Target: PFILE_OBJECT | PKTRANSACTION | null, Context: ContextSlot, ContextType: number): Blocking<NTSTATUS> {
    let newContext = Context.value;
    const oldContext: ContextSlot = { value: null };
    let status = yield* DfGetContext(FltObjects, Target, ContextType, oldContext);
    if (status === STATUS_NOT_FOUND) {
      // Nothing attached: attach the caller's context, or a new one.
      if (newContext === null) {
        const allocated: ContextSlot = { value: null };
        status = yield* DfAllocateContext(ContextType, allocated);
        if (!NT_SUCCESS(status)) return status;
        newContext = allocated.value;
      }
    } else if (!NT_SUCCESS(status)) {
      // Failed to get a context from the target (the caller's *Context is left as it is).
      return status;
    } else {
      // One is attached already: return it, releasing the caller's.
      if (newContext !== null) FltReleaseContext(newContext);
      Context.value = oldContext.value;
      return status;
    }
    status = yield* DfSetContext(FltObjects, Target, ContextType, newContext!, oldContext);
    if (!NT_SUCCESS(status)) {
      FltReleaseContext(newContext!);
      if (status === STATUS_FLT_CONTEXT_ALREADY_DEFINED) {
        // Racing with another set that won: use its context.
        Context.value = oldContext.value;
        return STATUS_SUCCESS;
      }
      Context.value = null;
      return status;
    }
    if (ContextType === FLT_TRANSACTION_CONTEXT) {
      status = yield* FltEnlistInTransaction(FltObjects.Instance, Target as PKTRANSACTION, newContext!, DF_NOTIFICATION_MASK);
    }
    Context.value = newContext;
    return status;
  }

  /** DfStreamContextCleanupCallback: release NameInfo if present. */
  function DfStreamContextCleanupCallback(Context: AnyContext, ContextType: number): void {
    void ContextType;
    const StreamContext = (Context as PDF_STREAM_CONTEXT).Data;
    if (StreamContext.NameInfo.value !== null) {
      FltReleaseFileNameInformation(StreamContext.NameInfo.value);
      StreamContext.NameInfo.value = null;
    }
  }

  /**
   * DfTransactionContextCleanupCallback: drop every pending notification. The C takes the ERESOURCE
   * around the walk and then deletes it; fltsim's cleanup callbacks may not block, and no thread can
   * hold the resource once the context's last reference is gone, so the port walks the list bare.
   */
  function DfTransactionContextCleanupCallback(Context: AnyContext, ContextType: number): void {
    void ContextType;
    const TransactionContext = (Context as PDF_TRANSACTION_CONTEXT).Data;
    if (TransactionContext.Resource !== null) {
      while (TransactionContext.DeleteNotifyList.length > 0) {
        const deleteNotify = TransactionContext.DeleteNotifyList.shift()!; // RemoveHeadList
        FltReleaseContext(deleteNotify.StreamContext);
      }
      TransactionContext.Resource = null;
    }
  }

  /** DfInstanceContextCleanupCallback: free the volume GUID name. */
  function DfInstanceContextCleanupCallback(Context: AnyContext, ContextType: number): void {
    void ContextType;
    DfFreeUnicodeString((Context as PDF_INSTANCE_CONTEXT).Data.VolumeGuidName);
  }

  /** DfAllocateUnicodeString: a MaximumLength-byte buffer (DF_STRING_POOL_TAG in C), Length 0. */
  function DfAllocateUnicodeString(String: UNICODE_STRING): NTSTATUS {
    String.Length = 0;
    String.Buffer.value = '';
    return STATUS_SUCCESS;
  }

  /** DfFreeUnicodeString: free the buffer and reset the lengths. */
  function DfFreeUnicodeString(String: UNICODE_STRING): void {
    String.Length = 0;
    if (String.Buffer.value !== null) {
      String.MaximumLength = 0;
      String.Buffer.value = null;
    }
  }

  const Contexts: FLT_CONTEXT_REGISTRATION[] = [
    { ContextType: FLT_INSTANCE_CONTEXT, Flags: 0, ContextCleanupCallback: DfInstanceContextCleanupCallback, Size: DF_INSTANCE_CONTEXT_SIZE, PoolTag: DF_INSTANCE_CONTEXT_POOL_TAG },
    { ContextType: FLT_STREAM_CONTEXT, Flags: 0, ContextCleanupCallback: DfStreamContextCleanupCallback, Size: DF_STREAM_CONTEXT_SIZE, PoolTag: DF_STREAM_CONTEXT_POOL_TAG },
    { ContextType: FLT_TRANSACTION_CONTEXT, Flags: 0, ContextCleanupCallback: DfTransactionContextCleanupCallback, Size: DF_TRANSACTION_CONTEXT_SIZE, PoolTag: DF_TRANSACTION_CONTEXT_POOL_TAG },
    { ContextType: FLT_CONTEXT_END },
  ];

  return { Contexts, DfAllocateContext, DfGetOrSetContext, DfAllocateUnicodeString, DfFreeUnicodeString };
}
