/**
 * context.c: find-or-create the file and stream contexts (FLT_SET_CONTEXT_KEEP_IF_EXISTS, and on
 * STATUS_FLT_CONTEXT_ALREADY_DEFINED use the one another thread set first), create-or-replace the
 * stream-handle context, and keep the names in them.
 */
import {
  ERESOURCE,
  ExInitializeResourceLite,
  FLT_FILE_CONTEXT,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_SET_CONTEXT_REPLACE_IF_EXISTS,
  FLT_STREAM_CONTEXT,
  FLT_STREAMHANDLE_CONTEXT,
  FltAllocateContext,
  FltGetFileContext,
  FltGetStreamContext,
  FltReleaseContext,
  FltSetFileContext,
  FltSetStreamContext,
  FltSetStreamHandleContext,
  NT_SUCCESS,
  PagedPool,
  STATUS_FLT_CONTEXT_ALREADY_DEFINED,
  STATUS_NOT_FOUND,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type NTSTATUS,
  type PFLT_CONTEXT,
} from '../../../src/index.js';
import {
  CTX_FILE_CONTEXT_SIZE,
  CTX_STREAM_CONTEXT_SIZE,
  CTX_STREAMHANDLE_CONTEXT_SIZE,
  DEBUG_TRACE_ERROR,
  DEBUG_TRACE_STREAM_CONTEXT_OPERATIONS,
  DebugTrace,
  type CTX_FILE_CONTEXT,
  type CTX_GLOBAL_DATA,
  type CTX_STREAM_CONTEXT,
  type CTX_STREAMHANDLE_CONTEXT,
} from './ctxStruc.js';

export type Ctx<T extends object> = PFLT_CONTEXT<T>;
export interface Found<T extends object> {
  status: NTSTATUS;
  context: Ctx<T> | null;
  /** ContextCreated (find-or-create) or ContextReplaced (create-or-replace). */
  flag: boolean;
}

export function contextRoutines(Globals: CTX_GLOBAL_DATA) {
  function* CtxFindOrCreateFileContext(Cbd: FLT_CALLBACK_DATA, CreateIfNotFound: boolean, FileName: string | null): Blocking<Found<CTX_FILE_CONTEXT>> {
    const got = yield* FltGetFileContext<CTX_FILE_CONTEXT>(Cbd.Iopb.TargetInstance!, Cbd.Iopb.TargetFileObject!);
    let status = got.status;
    let fileContext = got.context;
    let created = false;
    if (!NT_SUCCESS(status) && status === STATUS_NOT_FOUND && CreateIfNotFound) {
      const made = CtxCreateFileContext(FileName!);
      if (!NT_SUCCESS(made.status)) return { status: made.status, context: null, flag: false };
      const oldFileContext = { value: null as PFLT_CONTEXT | null };
      status = yield* FltSetFileContext(Cbd.Iopb.TargetInstance!, Cbd.Iopb.TargetFileObject!, FLT_SET_CONTEXT_KEEP_IF_EXISTS, made.context!, oldFileContext);
      if (!NT_SUCCESS(status)) {
        // Ours was not set: drop it. Unless another thread set one first, the file has none.
        FltReleaseContext(made.context!);
        if (status !== STATUS_FLT_CONTEXT_ALREADY_DEFINED) return { status, context: null, flag: false };
        fileContext = oldFileContext.value as unknown as Ctx<CTX_FILE_CONTEXT>;
        status = STATUS_SUCCESS;
      } else {
        fileContext = made.context;
        created = true;
      }
    }
    return { status, context: NT_SUCCESS(status) ? fileContext : null, flag: created };
  }

  function CtxCreateFileContext(FileName: string): { status: NTSTATUS; context: Ctx<CTX_FILE_CONTEXT> | null } {
    const r = FltAllocateContext<CTX_FILE_CONTEXT>(Globals.Filter!, FLT_FILE_CONTEXT, CTX_FILE_CONTEXT_SIZE, PagedPool);
    if (!NT_SUCCESS(r.status)) return { status: r.status, context: null };
    r.context!.Data.FileName = FileName;
    return { status: STATUS_SUCCESS, context: r.context };
  }

  function* CtxFindOrCreateStreamContext(Cbd: FLT_CALLBACK_DATA, CreateIfNotFound: boolean): Blocking<Found<CTX_STREAM_CONTEXT>> {
    const got = yield* FltGetStreamContext<CTX_STREAM_CONTEXT>(Cbd.Iopb.TargetInstance!, Cbd.Iopb.TargetFileObject!);
    let status = got.status;
    let streamContext = got.context;
    let created = false;
    if (!NT_SUCCESS(status) && status === STATUS_NOT_FOUND && CreateIfNotFound) {
      const made = yield* CtxCreateStreamContext();
      if (!NT_SUCCESS(made.status)) return { status: made.status, context: null, flag: false };
      const oldStreamContext = { value: null as PFLT_CONTEXT | null };
      status = yield* FltSetStreamContext(Cbd.Iopb.TargetInstance!, Cbd.Iopb.TargetFileObject!, FLT_SET_CONTEXT_KEEP_IF_EXISTS, made.context!, oldStreamContext);
      if (!NT_SUCCESS(status)) {
        FltReleaseContext(made.context!);
        if (status !== STATUS_FLT_CONTEXT_ALREADY_DEFINED) return { status, context: null, flag: false };
        // The race the sample exists to show: another create set its context after our get.
        DebugTrace(Globals, DEBUG_TRACE_STREAM_CONTEXT_OPERATIONS, '[Ctx]: Stream context already defined. Retaining old stream context');
        streamContext = oldStreamContext.value as unknown as Ctx<CTX_STREAM_CONTEXT>;
        status = STATUS_SUCCESS;
      } else {
        streamContext = made.context;
        created = true;
      }
    }
    return { status, context: NT_SUCCESS(status) ? streamContext : null, flag: created };
  }

  function* CtxCreateStreamContext(): Blocking<{ status: NTSTATUS; context: Ctx<CTX_STREAM_CONTEXT> | null }> {
    const r = FltAllocateContext<CTX_STREAM_CONTEXT>(Globals.Filter!, FLT_STREAM_CONTEXT, CTX_STREAM_CONTEXT_SIZE, PagedPool);
    if (!NT_SUCCESS(r.status)) {
      DebugTrace(Globals, DEBUG_TRACE_ERROR, `[Ctx]: Failed to allocate stream context with status 0x${r.status.toString(16)}`);
      return { status: r.status, context: null };
    }
    const streamContext = r.context!;
    Object.assign(streamContext.Data, { FileName: null, CreateCount: 0, CleanupCount: 0, CloseCount: 0, Resource: new ERESOURCE() });
    yield* ExInitializeResourceLite(streamContext.Data.Resource!);
    return { status: STATUS_SUCCESS, context: streamContext };
  }

  function CtxUpdateNameInStreamContext(DirectoryName: string, StreamContext: Ctx<CTX_STREAM_CONTEXT>): NTSTATUS {
    StreamContext.Data.FileName = DirectoryName;
    return STATUS_SUCCESS;
  }

  function* CtxCreateOrReplaceStreamHandleContext(Cbd: FLT_CALLBACK_DATA, ReplaceIfExists: boolean): Blocking<Found<CTX_STREAMHANDLE_CONTEXT>> {
    const made = yield* CtxCreateStreamHandleContext();
    if (!NT_SUCCESS(made.status)) return { status: made.status, context: null, flag: false };
    const oldStreamHandleContext = { value: null as PFLT_CONTEXT | null };
    const status = yield* FltSetStreamHandleContext(
      Cbd.Iopb.TargetInstance!,
      Cbd.Iopb.TargetFileObject!,
      ReplaceIfExists ? FLT_SET_CONTEXT_REPLACE_IF_EXISTS : FLT_SET_CONTEXT_KEEP_IF_EXISTS,
      made.context!,
      ReplaceIfExists ? oldStreamHandleContext : null,
    );
    if (!NT_SUCCESS(status)) {
      FltReleaseContext(made.context!);
      return { status, context: null, flag: false };
    }
    // The context it replaced came back referenced: drop that reference.
    const replaced = oldStreamHandleContext.value !== null;
    if (replaced) FltReleaseContext(oldStreamHandleContext.value!);
    return { status, context: made.context, flag: replaced };
  }

  function* CtxCreateStreamHandleContext(): Blocking<{ status: NTSTATUS; context: Ctx<CTX_STREAMHANDLE_CONTEXT> | null }> {
    const r = FltAllocateContext<CTX_STREAMHANDLE_CONTEXT>(Globals.Filter!, FLT_STREAMHANDLE_CONTEXT, CTX_STREAMHANDLE_CONTEXT_SIZE, PagedPool);
    if (!NT_SUCCESS(r.status)) return { status: r.status, context: null };
    const streamHandleContext = r.context!;
    Object.assign(streamHandleContext.Data, { FileName: null, Resource: new ERESOURCE() });
    yield* ExInitializeResourceLite(streamHandleContext.Data.Resource!);
    return { status: STATUS_SUCCESS, context: streamHandleContext };
  }

  function CtxUpdateNameInStreamHandleContext(DirectoryName: string, StreamHandleContext: Ctx<CTX_STREAMHANDLE_CONTEXT>): NTSTATUS {
    StreamHandleContext.Data.FileName = DirectoryName;
    return STATUS_SUCCESS;
  }

  return {
    CtxFindOrCreateFileContext,
    CtxCreateFileContext,
    CtxFindOrCreateStreamContext,
    CtxCreateStreamContext,
    CtxUpdateNameInStreamContext,
    CtxCreateOrReplaceStreamHandleContext,
    CtxCreateStreamHandleContext,
    CtxUpdateNameInStreamHandleContext,
  };
}

export type CtxContextRoutines = ReturnType<typeof contextRoutines>;
