/**
 * nccontext.c of the NameChanger sample: the lifetime of the instance context and of the stream
 * handle context, with callouts to the notification part of the latter (ncdirnotifyAbort.ts).
 *
 * NcStreamHandleContextClose frees the context's ERESOURCE (NcFreeEResource: ExDeleteResourceLite)
 * as the C does; a cleanup callback written as a generator runs unblocked to its end.
 * The enumeration and find-by-SID parts of the context are not ported (nc.ts).
 */
import {
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_STREAMHANDLE_CONTEXT,
  FltAllocateContext,
  FltGetStreamHandleContext,
  FltReleaseContext,
  FltSetStreamHandleContext,
  NT_SUCCESS,
  PagedPool,
  STATUS_FLT_CONTEXT_ALREADY_DEFINED,
  STATUS_SUCCESS,
  type Blocking,
  type NTSTATUS,
  type PFILE_OBJECT,
  type PFLT_CONTEXT,
  type PFLT_FILTER,
  type PFLT_INSTANCE,
} from '../../../src/index.js';
import type { NC_STREAM_HANDLE_CONTEXT, PNC_STREAM_HANDLE_CONTEXT } from './nc.js';
import { NcAllocateEResource, NcFreeEResource } from './nchelper.js';
import { NcStreamHandleContextNotClose, NcStreamHandleContextNotCreate } from './ncdirnotifyAbort.js';

/** The instance context's cleanup: NcTeardownMapping has nothing to free (the mapping is strings). */
export function NcInstanceContextClose(_Context: PFLT_CONTEXT, _ContextType: number): void {}

/** The stream handle context's cleanup: the notification state goes (see the header for the lock). */
export function* NcStreamHandleContextClose(Context: PFLT_CONTEXT, _ContextType: number): Blocking<void> {
  const StreamContext = (Context as unknown as PNC_STREAM_HANDLE_CONTEXT).Data;
  NcStreamHandleContextNotClose(StreamContext.DirectoryNotificationContext);
  if (StreamContext.Lock !== null) yield* NcFreeEResource(StreamContext.Lock);
  StreamContext.Lock = null;
}

/**
 * The stream handle context of FileObject, allocated and attached if it has none. Two racing
 * callers keep the first one attached. The caller releases the returned reference.
 */
export function* NcStreamHandleContextAllocAndAttach(Filter: PFLT_FILTER, Instance: PFLT_INSTANCE, FileObject: PFILE_OBJECT): Blocking<{ status: NTSTATUS; Context: PNC_STREAM_HANDLE_CONTEXT | null }> {
  let OurContext: PNC_STREAM_HANDLE_CONTEXT | null = null;
  let TheirContext: PNC_STREAM_HANDLE_CONTEXT | null = null;
  let Context: PNC_STREAM_HANDLE_CONTEXT | null = null;
  let Status: NTSTATUS;
  //  Check if a context already exists.  If so, return it.
  const got = yield* FltGetStreamHandleContext<NC_STREAM_HANDLE_CONTEXT>(Instance, FileObject);
  if (NT_SUCCESS(got.status)) return { status: got.status, Context: got.context };
  NcStreamHandleContextAllocAndAttachClose: {
    const allocated = FltAllocateContext<NC_STREAM_HANDLE_CONTEXT>(Filter, FLT_STREAMHANDLE_CONTEXT, 64, PagedPool);
    Status = allocated.status;
    if (!NT_SUCCESS(Status)) break NcStreamHandleContextAllocAndAttachClose;
    OurContext = allocated.context!;
    //  Zero out the buffer so we can unwind on failure.
    OurContext.Data.Lock = null;
    const lock = yield* NcAllocateEResource();
    Status = lock.status;
    if (!NT_SUCCESS(Status)) break NcStreamHandleContextAllocAndAttachClose;
    OurContext.Data.Lock = lock.Lock;
    const notCreated = NcStreamHandleContextNotCreate();
    OurContext.Data.DirectoryNotificationContext = notCreated.Context;
    Status = notCreated.status;
    if (!NT_SUCCESS(Status)) break NcStreamHandleContextAllocAndAttachClose;
    //  We could be racing with another thread attaching a context: keep theirs if it is there.
    const OldContext = { value: null as PFLT_CONTEXT | null };
    Status = yield* FltSetStreamHandleContext(Instance, FileObject, FLT_SET_CONTEXT_KEEP_IF_EXISTS, OurContext, OldContext);
    TheirContext = OldContext.value as PNC_STREAM_HANDLE_CONTEXT | null;
    if (Status === STATUS_FLT_CONTEXT_ALREADY_DEFINED) {
      Status = STATUS_SUCCESS;
    } else if (!NT_SUCCESS(Status)) {
      break NcStreamHandleContextAllocAndAttachClose;
    }
    //  Keep one reference on the context we stick with; release the other.
    if (TheirContext !== null) {
      Context = TheirContext;
      TheirContext = null;
    } else {
      Context = OurContext;
      OurContext = null;
    }
  }
  // NcStreamHandleContextAllocAndAttachClose:
  if (OurContext !== null) FltReleaseContext(OurContext);
  if (TheirContext !== null) FltReleaseContext(TheirContext);
  return { status: Status, Context };
}
