/**
 * operations.c: post-create finds or creates the stream context (CreateCount++) and names it,
 * creates or replaces a stream-handle context, finds or creates the file context; pre-cleanup and
 * pre-close count on the stream context; a rename is synchronized so its post-op (on the
 * requesting thread) can re-query the normalized name and store it.
 */
import {
  FILE_INFORMATION_CLASS,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FltAcquireResourceExclusive,
  FltGetFileNameInformation,
  FltGetInstanceContext,
  FltReleaseContext,
  FltReleaseFileNameInformation,
  FltReleaseResource,
  NT_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_FILE_NAME_INFORMATION,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_RELATED_OBJECTS,
  type PFLT_CONTEXT,
} from '../../../src/index.js';
import type { CtxContextRoutines } from './context.js';
import { DEBUG_TRACE_ERROR, DebugTrace, type CTX_GLOBAL_DATA, type CTX_INSTANCE_CONTEXT } from './ctxStruc.js';

export function operations(Globals: CTX_GLOBAL_DATA, c: CtxContextRoutines) {
  function CtxPreCreate(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): FLT_PREOP_CALLBACK_STATUS {
    void Cbd, FltObjects, CompletionContext;
    // Force a post-op so the contexts can be attached to the opened objects.
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
  }

  function* CtxPostCreate(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CbdContext: unknown, Flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    void FltObjects, CbdContext, Flags;
    const held: PFLT_CONTEXT<object>[] = [];
    let nameInfo: FLT_FILE_NAME_INFORMATION | null = null;
    let status = Cbd.IoStatus.Status;
    // `do … while (false)` stands for the C's `goto CtxPostCreateCleanup`.
    do {
      if (!NT_SUCCESS(Cbd.IoStatus.Status)) break;
      const name = yield* FltGetFileNameInformation(Cbd, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT);
      status = name.status;
      if (!NT_SUCCESS(status)) break;
      nameInfo = name.FileNameInformation!;

      const stream = yield* c.CtxFindOrCreateStreamContext(Cbd, true);
      status = stream.status;
      if (!NT_SUCCESS(status)) break;
      const streamContext = stream.context!;
      held.push(streamContext);
      yield* FltAcquireResourceExclusive(streamContext.Data.Resource!);
      streamContext.Data.CreateCount++;
      status = c.CtxUpdateNameInStreamContext(nameInfo.Name, streamContext);
      yield* FltReleaseResource(streamContext.Data.Resource!);
      if (!NT_SUCCESS(status)) break;

      const handle = yield* c.CtxCreateOrReplaceStreamHandleContext(Cbd, true);
      status = handle.status;
      if (!NT_SUCCESS(status)) break;
      const streamHandleContext = handle.context!;
      held.push(streamHandleContext);
      yield* FltAcquireResourceExclusive(streamHandleContext.Data.Resource!);
      status = c.CtxUpdateNameInStreamHandleContext(nameInfo.Name, streamHandleContext);
      yield* FltReleaseResource(streamHandleContext.Data.Resource!);
      if (!NT_SUCCESS(status)) break;

      // The file context keeps the name without the stream part (as the sample computes it).
      const fileName = nameInfo.Name.slice(0, nameInfo.Name.length - nameInfo.Stream.length);
      const file = yield* c.CtxFindOrCreateFileContext(Cbd, true, fileName);
      status = file.status;
      if (!NT_SUCCESS(status)) break;
      held.push(file.context!);
    } while (false);
    if (nameInfo !== null) FltReleaseFileNameInformation(nameInfo);
    for (const context of held) FltReleaseContext(context);
    // A context failure does not fail a create the file system completed.
    if (!NT_SUCCESS(status)) DebugTrace(Globals, DEBUG_TRACE_ERROR, `[Ctx]: CtxPostCreate -> Failed with status 0x${(status >>> 0).toString(16)}`);
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  function* CtxPreCleanup(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    void FltObjects, CompletionContext;
    const stream = yield* c.CtxFindOrCreateStreamContext(Cbd, false);
    if (NT_SUCCESS(stream.status)) {
      const streamContext = stream.context!;
      yield* FltAcquireResourceExclusive(streamContext.Data.Resource!);
      streamContext.Data.CleanupCount++;
      yield* FltReleaseResource(streamContext.Data.Resource!);
      FltReleaseContext(streamContext);
    }
    // Failing a cleanup makes no sense: errors are ignored.
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  }

  function* CtxPreClose(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    void FltObjects, CompletionContext;
    const stream = yield* c.CtxFindOrCreateStreamContext(Cbd, false);
    if (NT_SUCCESS(stream.status)) {
      const streamContext = stream.context!;
      yield* FltAcquireResourceExclusive(streamContext.Data.Resource!);
      streamContext.Data.CloseCount++;
      yield* FltReleaseResource(streamContext.Data.Resource!);
      FltReleaseContext(streamContext);
    }
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  }

  function CtxPreSetInfo(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): FLT_PREOP_CALLBACK_STATUS {
    void FltObjects, CompletionContext;
    const fileInformationClass = (Cbd.Iopb.Parameters as { SetFileInformation?: { FileInformationClass?: number } }).SetFileInformation?.FileInformationClass;
    if (fileInformationClass !== FILE_INFORMATION_CLASS.FileRenameInformation && fileInformationClass !== FILE_INFORMATION_CLASS.FileRenameInformationEx) {
      return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    // Renames are handled in the post-op, on this thread at passive level.
    return FLT_PREOP_SYNCHRONIZE;
  }

  function* CtxPostSetInfo(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CbdContext: unknown, Flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    void FltObjects, CbdContext, Flags;
    const held: PFLT_CONTEXT<object>[] = [];
    let nameInfo: FLT_FILE_NAME_INFORMATION | null = null;
    let status = Cbd.IoStatus.Status;
    do {
      if (!NT_SUCCESS(Cbd.IoStatus.Status)) break;
      const instance = yield* FltGetInstanceContext<CTX_INSTANCE_CONTEXT>(Cbd.Iopb.TargetInstance!);
      status = instance.status;
      if (!NT_SUCCESS(status)) break;
      held.push(instance.context!);

      const name = yield* FltGetFileNameInformation(Cbd, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT);
      status = name.status;
      if (!NT_SUCCESS(status)) break;
      nameInfo = name.FileNameInformation!;

      const stream = yield* c.CtxFindOrCreateStreamContext(Cbd, false);
      status = stream.status;
      if (!NT_SUCCESS(status)) break;
      const streamContext = stream.context!;
      held.push(streamContext);
      yield* FltAcquireResourceExclusive(streamContext.Data.Resource!);
      status = c.CtxUpdateNameInStreamContext(nameInfo.Name, streamContext);
      yield* FltReleaseResource(streamContext.Data.Resource!);
      if (!NT_SUCCESS(status)) break;

      const handle = yield* c.CtxCreateOrReplaceStreamHandleContext(Cbd, true);
      status = handle.status;
      if (!NT_SUCCESS(status)) break;
      const streamHandleContext = handle.context!;
      held.push(streamHandleContext);
      yield* FltAcquireResourceExclusive(streamHandleContext.Data.Resource!);
      status = c.CtxUpdateNameInStreamHandleContext(nameInfo.Name, streamHandleContext);
      yield* FltReleaseResource(streamHandleContext.Data.Resource!);
      if (!NT_SUCCESS(status)) break;

      // The file context is only looked up here: the sample does not rename it.
      const file = yield* c.CtxFindOrCreateFileContext(Cbd, false, null);
      status = file.status;
      if (!NT_SUCCESS(status)) break;
      held.push(file.context!);
    } while (false);
    for (const context of held) FltReleaseContext(context);
    if (nameInfo !== null) FltReleaseFileNameInformation(nameInfo);
    if (!NT_SUCCESS(status)) DebugTrace(Globals, DEBUG_TRACE_ERROR, `[Ctx]: CtxPostSetInfo -> Failed with status 0x${(status >>> 0).toString(16)}`);
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  return { CtxPreCreate, CtxPostCreate, CtxPreCleanup, CtxPreClose, CtxPreSetInfo, CtxPostSetInfo };
}
