/**
 * delete.c's file name, file id and volume GUID helpers, and its deletion verification and
 * processing functions: how post-cleanup tells "this stream was deleted" from "this file was
 * deleted" (§21.1, §21.2): FSCTL_GET_OBJECT_ID on the cleaned-up file object outside a transaction
 * (STATUS_FILE_DELETED = the file is gone, STATUS_OBJECTID_NOT_FOUND = it is still there), an open
 * by file id inside one or on ReFS (STATUS_INVALID_PARAMETER = gone, STATUS_DELETE_PENDING = there).
 */
import {
  FILE_INFORMATION_CLASS,
  FILE_OPEN,
  FILE_OPEN_BY_FILE_ID,
  FILE_OPEN_REPARSE_POINT,
  FILE_OBJECTID_BUFFER_SIZE,
  FILE_READ_ATTRIBUTES,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_FSTYPE_REFS,
  FLT_INSTANCE_CONTEXT,
  FLT_TRANSACTION_CONTEXT,
  FSCTL_GET_OBJECT_ID,
  FltClose,
  FltCreateFileEx2,
  FltFsControlFile,
  FltAcquireResourceExclusive,
  FltGetFileNameInformation,
  FltGetFileSystemType,
  FltGetVolumeGuidName,
  FltParseFileNameInformation,
  FltQueryInformationFile,
  FltReferenceContext,
  FltReleaseContext,
  FltReleaseFileNameInformation,
  FltReleaseResource,
  InterlockedCompareExchangePointer,
  InterlockedExchangePointer,
  InterlockedIncrement,
  IoGetTransactionParameterBlock,
  KeMemoryBarrier,
  NT_SUCCESS,
  OBJ_KERNEL_HANDLE,
  ObDereferenceObject,
  IO_IGNORE_SHARE_ACCESS_CHECK,
  STATUS_DELETE_PENDING,
  STATUS_FILE_DELETED,
  STATUS_INVALID_PARAMETER,
  STATUS_OBJECTID_NOT_FOUND,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_RELATED_OBJECTS,
  type NTSTATUS,
} from '../../../src/index.js';
import type { deleteContexts } from './deleteContext.js';
import {
  DF_DBG_PRINT,
  DF_VOLUME_GUID_NAME_SIZE,
  DFDBG_TRACE_ERRORS,
  DfFileIdText,
  DfSizeofFileId,
  RtlAppendUnicodeToString,
  RtlCopyUnicodeString,
  emptyUnicodeString,
  unicodeText,
  type DF_GLOBALS,
  type DF_STREAM_CONTEXT,
  type PDF_INSTANCE_CONTEXT,
  type PDF_STREAM_CONTEXT,
  type PDF_TRANSACTION_CONTEXT,
  type UNICODE_STRING,
} from './deleteStruc.js';

/** FILE_INVALID_FILE_ID: ReFS's "this id needs 128 bits". */
const FILE_INVALID_FILE_ID = -1;
/** FILE_SHARE_VALID_FLAGS. */
const FILE_SHARE_VALID_FLAGS = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
/** sizeof(FILE_INTERNAL_INFORMATION), sizeof(FILE_ID_INFORMATION). */
const FILE_INTERNAL_INFORMATION_SIZE = 8;
const FILE_ID_INFORMATION_SIZE = 24;

export function deleteDetect(Globals: DF_GLOBALS, contexts: ReturnType<typeof deleteContexts>) {
  const { DfGetOrSetContext, DfAllocateUnicodeString, DfFreeUnicodeString } = contexts;

  /** DfGetFileNameInformation: the opened name, parsed, replacing the one in the stream context. */
  function* DfGetFileNameInformation(Data: FLT_CALLBACK_DATA, StreamContext: DF_STREAM_CONTEXT): Blocking<NTSTATUS> {
    const got = yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT);
    let status = got.status;
    if (!NT_SUCCESS(status)) return status;
    const newNameInfo = got.FileNameInformation!;
    status = FltParseFileNameInformation(newNameInfo);
    if (!NT_SUCCESS(status)) return status;
    const oldNameInfo = yield* InterlockedExchangePointer(StreamContext.NameInfo, newNameInfo);
    if (oldNameInfo !== null) FltReleaseFileNameInformation(oldNameInfo);
    return status;
  }

  /**
   * DfGetFileId: FileInternalInformation, or FileIdInformation when ReFS says the id needs 128 bits;
   * queried once per stream context (file ids do not change). On a cleaned-up file object of a
   * deleted stream or file this is STATUS_FILE_DELETED, which the caller wants to know.
   */
  function* DfGetFileId(Data: FLT_CALLBACK_DATA, StreamContext: DF_STREAM_CONTEXT): Blocking<NTSTATUS> {
    let status: NTSTATUS = STATUS_SUCCESS;
    if (!StreamContext.FileIdSet) {
      const internal = yield* FltQueryInformationFile(Data.Iopb.TargetInstance!, Data.Iopb.TargetFileObject!, FILE_INTERNAL_INFORMATION_SIZE, FILE_INFORMATION_CLASS.FileInternalInformation);
      status = internal.status;
      if (NT_SUCCESS(status)) {
        const IndexNumber = (internal.output?.kind === 'fileInformation' ? (internal.output.info as { IndexNumber: number }).IndexNumber : 0) ?? 0;
        if (IndexNumber === FILE_INVALID_FILE_ID) {
          const id = yield* FltQueryInformationFile(Data.Iopb.TargetInstance!, Data.Iopb.TargetFileObject!, FILE_ID_INFORMATION_SIZE, FILE_INFORMATION_CLASS.FileIdInformation);
          status = id.status;
          if (NT_SUCCESS(status)) {
            StreamContext.FileId = { FileId64: { Value: 0, UpperZeroes: 1 }, FileId128: id.output?.kind === 'fileInformation' ? String((id.output.info as { FileId: string }).FileId) : '' };
            // The id and FileIdSet are written in that order.
            yield* KeMemoryBarrier();
            StreamContext.FileIdSet = true;
          }
        } else {
          StreamContext.FileId = { FileId64: { Value: IndexNumber, UpperZeroes: 0 }, FileId128: null };
          yield* KeMemoryBarrier();
          StreamContext.FileIdSet = true;
        }
      }
    }
    return status;
  }

  /**
   * DfGetVolumeGuidName: the volume GUID name with a trailing backslash, cached in the instance
   * context (set up here if the instance has none); racing threads publish their copy with
   * InterlockedCompareExchangePointer and the loser frees its own.
   */
  function* DfGetVolumeGuidName(FltObjects: FLT_RELATED_OBJECTS, VolumeGuidName: UNICODE_STRING): Blocking<NTSTATUS> {
    const instanceContext = { value: null as PDF_INSTANCE_CONTEXT | null };
    let status = yield* DfGetOrSetContext(FltObjects, null, instanceContext as never, FLT_INSTANCE_CONTEXT);
    if (NT_SUCCESS(status)) {
      const sourceGuidName = instanceContext.value!.Data.VolumeGuidName;
      if (sourceGuidName.Buffer.value === null) {
        const tempString = emptyUnicodeString();
        // Room for a trailing backslash.
        tempString.MaximumLength = DF_VOLUME_GUID_NAME_SIZE * 2 + 2;
        status = DfAllocateUnicodeString(tempString);
        if (!NT_SUCCESS(status)) {
          DF_DBG_PRINT(Globals, DFDBG_TRACE_ERRORS, `delete!DfGetVolumeGuidName: DfAllocateUnicodeString returned 0x${status.toString(16).padStart(8, '0')}!\n`);
          return status;
        }
        const guid = FltGetVolumeGuidName(FltObjects.Volume, tempString.MaximumLength);
        status = guid.status;
        if (!NT_SUCCESS(status)) {
          DF_DBG_PRINT(Globals, DFDBG_TRACE_ERRORS, `delete!DfGetVolumeGuidName: FltGetVolumeGuidName returned 0x${status.toString(16).padStart(8, '0')}!\n`);
          DfFreeUnicodeString(tempString);
          return status;
        }
        RtlAppendUnicodeToString(tempString, guid.VolumeName!);
        RtlAppendUnicodeToString(tempString, '\\');
        // Length and MaximumLength are the same for every racer; the buffer is published once.
        sourceGuidName.Length = tempString.Length;
        sourceGuidName.MaximumLength = tempString.MaximumLength;
        yield* InterlockedCompareExchangePointer(sourceGuidName.Buffer, tempString.Buffer.value, null);
        if (sourceGuidName.Buffer.value !== tempString.Buffer.value) DfFreeUnicodeString(tempString);
      }
      RtlCopyUnicodeString(VolumeGuidName, sourceGuidName);
      FltReleaseContext(instanceContext.value!);
    }
    return status;
  }

  /** DfBuildFileIdString: `\??\Volume{GUID}\` followed by the file id (STATUS_FILE_DELETED if the id cannot be had any more). */
  function* DfBuildFileIdString(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, StreamContext: DF_STREAM_CONTEXT, String: UNICODE_STRING): Blocking<NTSTATUS> {
    let status = yield* DfGetFileId(Data, StreamContext);
    if (!NT_SUCCESS(status)) return status;
    String.MaximumLength = DF_VOLUME_GUID_NAME_SIZE * 2 + 2 + DfSizeofFileId(StreamContext.FileId);
    status = DfAllocateUnicodeString(String);
    if (!NT_SUCCESS(status)) return status;
    status = yield* DfGetVolumeGuidName(FltObjects, String);
    if (!NT_SUCCESS(status)) {
      DfFreeUnicodeString(String);
      return status;
    }
    RtlAppendUnicodeToString(String, DfFileIdText(StreamContext.FileId));
    return status;
  }

  /**
   * DfDetectDeleteByFileId: open the file by id in the cleaned-up file object's transaction
   * (FILE_OPEN_REPARSE_POINT | FILE_OPEN_BY_FILE_ID, IO_IGNORE_SHARE_ACCESS_CHECK) and close it again.
   */
  function* DfDetectDeleteByFileId(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, StreamContext: DF_STREAM_CONTEXT): Blocking<NTSTATUS> {
    const fileIdString = emptyUnicodeString();
    let status = yield* DfBuildFileIdString(Data, FltObjects, StreamContext, fileIdString);
    if (!NT_SUCCESS(status)) return status;
    const opened = yield* FltCreateFileEx2(
      Globals.gFilterHandle!,
      Data.Iopb.TargetInstance,
      FILE_READ_ATTRIBUTES,
      { ObjectName: unicodeText(fileIdString), Attributes: OBJ_KERNEL_HANDLE },
      0,
      0,
      FILE_SHARE_VALID_FLAGS,
      FILE_OPEN,
      FILE_OPEN_REPARSE_POINT | FILE_OPEN_BY_FILE_ID,
      null,
      0,
      IO_IGNORE_SHARE_ACCESS_CHECK,
      { ExtraCreateParameter: null, TxnParameters: IoGetTransactionParameterBlock(Data.Iopb.TargetFileObject!) },
    );
    status = opened.status;
    if (NT_SUCCESS(status)) {
      status = yield* FltClose(opened.FileHandle!);
      // The C passes no FileObject pointer; fltsim's FltCreateFileEx2 always returns one, referenced.
      yield* ObDereferenceObject(opened.FileObject!);
    }
    DfFreeUnicodeString(fileIdString);
    return status;
  }

  /**
   * DfIsFileDeleted: after a stream's deletion, was the whole file deleted? (The last handle to a
   * delete-pending file may be one to a delete-pending named stream.) STATUS_FILE_DELETED: the file;
   * success: the file still exists.
   */
  function* DfIsFileDeleted(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, StreamContext: DF_STREAM_CONTEXT, IsTransaction: boolean): Blocking<NTSTATUS> {
    const type = FltGetFileSystemType(FltObjects.Instance);
    let status = type.status;
    if (status !== STATUS_SUCCESS) return status;
    // In a transaction FSCTL_GET_OBJECT_ID does not report STATUS_FILE_DELETED, and ReFS has no object ids.
    if (IsTransaction || type.FileSystemType === FLT_FSTYPE_REFS) {
      status = yield* DfDetectDeleteByFileId(Data, FltObjects, StreamContext);
      switch (status) {
        case STATUS_INVALID_PARAMETER:
          return STATUS_FILE_DELETED;
        case STATUS_DELETE_PENDING:
          return STATUS_SUCCESS;
        default:
          return status;
      }
    }
    const r = yield* FltFsControlFile(Data.Iopb.TargetInstance!, Data.Iopb.TargetFileObject!, FSCTL_GET_OBJECT_ID, null, 0, FILE_OBJECTID_BUFFER_SIZE);
    status = r.status;
    // STATUS_OBJECTID_NOT_FOUND: the file is still there, it has no object id.
    if (status === STATUS_OBJECTID_NOT_FOUND) return STATUS_SUCCESS;
    return status;
  }

  /** DfAddTransDeleteNotify: queue a notification on the transaction context (referencing the stream context). */
  function* DfAddTransDeleteNotify(StreamContext: PDF_STREAM_CONTEXT, TransactionContext: PDF_TRANSACTION_CONTEXT, FileDelete: boolean): Blocking<NTSTATUS> {
    FltReferenceContext(StreamContext);
    const deleteNotify = { StreamContext, FileDelete };
    yield* FltAcquireResourceExclusive(TransactionContext.Data.Resource!);
    TransactionContext.Data.DeleteNotifyList.push(deleteNotify); // InsertTailList
    yield* FltReleaseResource(TransactionContext.Data.Resource!);
    return STATUS_SUCCESS;
  }

  /** DfNotifyDelete: report the deletion once per stream context; in a transaction, queue it for the outcome. */
  function* DfNotifyDelete(StreamContext: PDF_STREAM_CONTEXT, IsFile: boolean, TransactionContext: PDF_TRANSACTION_CONTEXT | null): Blocking<void> {
    if ((yield* InterlockedIncrement(StreamContext.Data.IsNotified)) <= 1) {
      const name = StreamContext.Data.NameInfo.value?.Name ?? '';
      if (IsFile) DF_DBG_PRINT(Globals, DFDBG_TRACE_ERRORS, `delete!DfPostCleanupCallback: A file "${name}" (${StreamContext.id}) has been`);
      else DF_DBG_PRINT(Globals, DFDBG_TRACE_ERRORS, `delete!DfPostCleanupCallback: An alternate data stream "${name}" (${StreamContext.id}) has been`);
      if (TransactionContext === null) {
        DF_DBG_PRINT(Globals, DFDBG_TRACE_ERRORS, ' deleted!\n');
      } else {
        DF_DBG_PRINT(Globals, DFDBG_TRACE_ERRORS, ' deleted in a transaction!\n');
        yield* DfAddTransDeleteNotify(StreamContext, TransactionContext, IsFile);
      }
    }
  }

  /** DfNotifyDeleteOnTransactionEnd: "deleted due to a transaction commit" or "saved due to a transaction rollback". */
  function DfNotifyDeleteOnTransactionEnd(DeleteNotify: { readonly StreamContext: PDF_STREAM_CONTEXT; readonly FileDelete: boolean }, Commit: boolean): void {
    const name = DeleteNotify.StreamContext.Data.NameInfo.value?.Name ?? '';
    if (DeleteNotify.FileDelete) DF_DBG_PRINT(Globals, DFDBG_TRACE_ERRORS, `delete!DfTransactionNotificationCallback: A file "${name}" (${DeleteNotify.StreamContext.id}) has been`);
    else DF_DBG_PRINT(Globals, DFDBG_TRACE_ERRORS, `delete!DfTransactionNotificationCallback: An alternate data stream "${name}" (${DeleteNotify.StreamContext.id}) has been`);
    if (Commit) DF_DBG_PRINT(Globals, DFDBG_TRACE_ERRORS, ' deleted due to a transaction commit!\n');
    else DF_DBG_PRINT(Globals, DFDBG_TRACE_ERRORS, ' saved due to a transaction rollback!\n');
  }

  /**
   * DfProcessDelete (post-cleanup, the stream is gone): file or stream, transacted or not, then
   * report. A transaction gets a context (and the enlistment) here.
   */
  function* DfProcessDelete(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, StreamContext: PDF_STREAM_CONTEXT): Blocking<NTSTATUS> {
    let isFileDeleted = false;
    const transactionContext = { value: null as PDF_TRANSACTION_CONTEXT | null };
    const isTransaction = FltObjects.Transaction !== null;
    let status: NTSTATUS;
    if (isTransaction) {
      DF_DBG_PRINT(Globals, DFDBG_TRACE_ERRORS, 'delete!DfProcessDelete: In a transaction!\n');
      status = yield* DfGetOrSetContext(FltObjects, FltObjects.Transaction, transactionContext as never, FLT_TRANSACTION_CONTEXT);
      if (!NT_SUCCESS(status)) return status;
    }
    exit: {
      status = yield* DfIsFileDeleted(Data, FltObjects, StreamContext.Data, isTransaction);
      if (status === STATUS_FILE_DELETED) {
        isFileDeleted = true;
        status = STATUS_SUCCESS;
      } else if (!NT_SUCCESS(status)) {
        DF_DBG_PRINT(Globals, DFDBG_TRACE_ERRORS, `delete!DfProcessDelete: DfIsFileDeleted returned 0x${status.toString(16).padStart(8, '0')}!\n`);
        break exit;
      }
      yield* DfNotifyDelete(StreamContext, isFileDeleted, transactionContext.value);
    }
    if (transactionContext.value !== null) FltReleaseContext(transactionContext.value);
    return status;
  }

  return { DfGetFileNameInformation, DfProcessDelete, DfNotifyDeleteOnTransactionEnd };
}
