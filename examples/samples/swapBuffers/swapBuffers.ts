/**
 * swapBuffers, the WDK minifilter sample (filesys/miniFilter/swapBuffers/swapBuffers.c), ported
 * routine by routine: it shows how to reach an operation's data and how to swap buffers (§20.6).
 * It swaps the buffers of IRP_MJ_READ, IRP_MJ_WRITE and IRP_MJ_DIRECTORY_CONTROL: the file system
 * reads from and fills a buffer the filter allocated, and the filter copies the data between that
 * buffer and the requester's.
 *
 * What differs from the C file, and why:
 * - The globals (gFilterHandle, the lookaside list) live in a closure made per simulation, because
 *   two simulations in one process share nothing.
 * - The PRE_2_POST_CONTEXT lookaside list is a plain allocation: JavaScript has no pool to recycle,
 *   and the model has no allocation failure to handle for it.
 * - The volume name is a string: no name buffer is allocated, so CleanupVolumeContext has nothing
 *   to free.
 * - LOG_PRINT / ReadDriverParameters (registry-driven debug output) are left out.
 * - `try { … leave … } finally` becomes a labeled block inside try/finally: `break leave`.
 * - RtlCopyMemory inside try/except becomes `copyMemory`, which answers the exception code a bad
 *   user buffer would raise (STATUS_ACCESS_VIOLATION) instead of throwing.
 * - The C's FLT_ASSERTs are fltsim's FLT_ASSERT (a failed one is the verifier finding FLT_ASSERT
 *   with the callback it failed in), all but SwapPreWriteBuffers' check that the requester's MDL is
 *   not chained: the model's MDLs have no Next.
 */
import {
  ExAllocatePoolZero,
  FltGetDiskDeviceObject,
  IoVolumeDeviceToDosName,
  ObDereferenceObject,
  type PDEVICE_OBJECT,
  FLT_ASSERT,
  ExFreePool,
  FLT_CONTEXT_END,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_VOLUME_CONTEXT,
  FLTFL_CALLBACK_DATA_FAST_IO_OPERATION,
  FLTFL_CALLBACK_DATA_IRP_OPERATION,
  FLTFL_CALLBACK_DATA_SYSTEM_BUFFER,
  FLTFL_POST_OPERATION_DRAINING,
  FltAllocateContext,
  FltAllocatePoolAlignedWithTag,
  FltDoCompletionProcessingWhenSafe,
  FltFreePoolAlignedWithTag,
  FltGetVolumeContext,
  FltGetVolumeProperties,
  FltLockUserBuffer,
  FltRegisterFilter,
  FltReleaseContext,
  FltSetCallbackDataDirty,
  FltSetVolumeContext,
  FltStartFiltering,
  FltUnregisterFilter,
  IoAllocateMdl,
  IoFreeMdl,
  IRP_MJ_DIRECTORY_CONTROL,
  IRP_MJ_READ,
  IRP_MJ_WRITE,
  IRP_NOCACHE,
  MdlMappingNoExecute,
  MmBuildMdlForNonPagedPool,
  MmGetSystemAddressForMdlSafe,
  NonPagedPool,
  NormalPagePriority,
  NT_SUCCESS,
  ROUND_TO_SIZE,
  STATUS_ACCESS_VIOLATION,
  STATUS_FLT_CONTEXT_ALREADY_DEFINED,
  STATUS_FLT_DO_NOT_ATTACH,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  type Blocking,
  type PDRIVER_OBJECT,
  type FLT_CALLBACK_DATA,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type MDL,
  type NTSTATUS,
  type PFLT_CONTEXT,
  type PFLT_FILTER,
} from '../../../src/index.js';

/** Pool tags, as the C file spells them. */
export const BUFFER_SWAP_TAG = 'bdBS';
const CONTEXT_TAG = 0x7863_4253; // 'xcBS'

/** VOLUME_CONTEXT: the name to display and the sector size of the volume. */
export interface VOLUME_CONTEXT {
  /** The DOS name (`C:`), else the NT name with a colon; null until InstanceSetup sets it (ctx->Name.Buffer). */
  Name: string | null;
  SectorSize: number;
}

const MIN_SECTOR_SIZE = 0x200;

/** PRE_2_POST_CONTEXT: what a pre-op hands its post-op (the post-op sees the original buffers only). */
interface PRE_2_POST_CONTEXT {
  VolCtx: PFLT_CONTEXT<VOLUME_CONTEXT>;
  SwappedBuffer: Uint8Array;
}

/** RtlCopyMemory inside try/except: the exception code when the destination or source is too short, else null. */
function copyMemory(Destination: Uint8Array, Source: Uint8Array, Length: number): NTSTATUS | null {
  if (Length > Destination.length || Length > Source.length) return STATUS_ACCESS_VIOLATION;
  Destination.set(Source.subarray(0, Length));
  return null;
}

/** The driver: its registration and DriverEntry, with the sample's globals in a closure. */
export function swapBuffersDriver(): { readonly FilterRegistration: FLT_REGISTRATION; DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS> } {
  let gFilterHandle: PFLT_FILTER | null = null;

  // ------------------------------------------------------------------------------- instance setup

  /**
   * InstanceSetup: attach to every volume; a volume context records the volume's name (its DOS
   * name through FltGetDiskDeviceObject and IoVolumeDeviceToDosName, else the NT name) and its
   * sector size (at least MIN_SECTOR_SIZE), which the read and write paths round non-cached lengths to.
   */
  function* InstanceSetup(FltObjects: FLT_RELATED_OBJECTS, _Flags: number, _VolumeDeviceType: unknown, _VolumeFilesystemType: unknown): Blocking<NTSTATUS> {
    let devObj: PDEVICE_OBJECT | null = null;
    let ctx: PFLT_CONTEXT<VOLUME_CONTEXT> | null = null;
    let status: NTSTATUS = STATUS_SUCCESS;
    try {
      leave: {
        const allocated = FltAllocateContext<VOLUME_CONTEXT>(FltObjects.Filter, FLT_VOLUME_CONTEXT, 16, NonPagedPool);
        status = allocated.status;
        if (!NT_SUCCESS(status)) break leave;
        ctx = allocated.context!;
        // Always get the volume properties, for the sector size.
        const volProp = FltGetVolumeProperties(FltObjects.Volume, 512);
        status = volProp.status;
        if (!NT_SUCCESS(status) || volProp.VolumeProperties === null) break leave;
        const SectorSize = volProp.VolumeProperties.SectorSize;
        FLT_ASSERT(SectorSize === 0 || SectorSize >= MIN_SECTOR_SIZE, '(volProp->SectorSize == 0) || (volProp->SectorSize >= MIN_SECTOR_SIZE)');
        ctx.Data.SectorSize = Math.max(SectorSize, MIN_SECTOR_SIZE);
        ctx.Data.Name = null;
        // The storage device we want a name for, and its DOS name.
        const disk = FltGetDiskDeviceObject(FltObjects.Volume);
        status = disk.status;
        if (NT_SUCCESS(status)) {
          devObj = disk.DiskDeviceObject;
          const dos = IoVolumeDeviceToDosName(devObj!);
          status = dos.status;
          if (NT_SUCCESS(status)) ctx.Data.Name = dos.DosName;
        }
        // No DOS name: the NT name from the properties, with a colon for the display.
        if (!NT_SUCCESS(status)) {
          FLT_ASSERT(ctx.Data.Name === null, 'ctx->Name.Buffer == NULL');
          const workingName = volProp.VolumeProperties.RealDeviceName !== '' ? volProp.VolumeProperties.RealDeviceName : volProp.VolumeProperties.FileSystemDeviceName;
          if (workingName === '') {
            status = STATUS_FLT_DO_NOT_ATTACH;
            break leave;
          }
          ctx.Data.Name = `${workingName}:`;
        }
        status = yield* FltSetVolumeContext(FltObjects.Volume, FLT_SET_CONTEXT_KEEP_IF_EXISTS, ctx, null);
        // It is OK for the context to already be defined.
        if (status === STATUS_FLT_CONTEXT_ALREADY_DEFINED) status = STATUS_SUCCESS;
      }
    } finally {
      // If the set failed this frees the context; if not, it drops the reference the allocation took.
      if (ctx !== null) FltReleaseContext(ctx);
      // The reference FltGetDiskDeviceObject took.
      if (devObj !== null) yield* ObDereferenceObject(devObj);
    }
    return status;
  }

  /** CleanupVolumeContext: the name is a string here, so there is no name buffer to free. */
  function CleanupVolumeContext(Context: PFLT_CONTEXT, ContextType: number): void {
    FLT_ASSERT(ContextType === FLT_VOLUME_CONTEXT, 'ContextType == FLT_VOLUME_CONTEXT');
    (Context as unknown as PFLT_CONTEXT<VOLUME_CONTEXT>).Data.Name = null;
  }

  /** InstanceQueryTeardown: manual detach is always allowed. */
  function InstanceQueryTeardown(_FltObjects: FLT_RELATED_OBJECTS, _Flags: number): NTSTATUS {
    return STATUS_SUCCESS;
  }

  /** FilterUnload: unregister (which waits for the teardowns, §20.6 included) and allow the unload. */
  function* FilterUnload(_Flags: number): Blocking<NTSTATUS> {
    yield* FltUnregisterFilter(gFilterHandle!);
    return STATUS_SUCCESS;
  }

  // ------------------------------------------------------------------------------------- reads

  /**
   * SwapPreReadBuffers: swap in a buffer of our own (rounded up to the sector for non-cached I/O),
   * with an MDL for IRP operations. Any failure leaves the operation unswapped and asks for no post-op.
   */
  function* SwapPreReadBuffers(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    const iopb = Data.Iopb;
    const read = iopb.Parameters as { Read: { Length: number; ReadBuffer?: Uint8Array | null; MdlAddress?: MDL | null } };
    let retValue: FLT_PREOP_CALLBACK_STATUS = FLT_PREOP_SUCCESS_NO_CALLBACK;
    let newBuf: Uint8Array | null = null;
    let newMdl: MDL | null = null;
    let volCtx: PFLT_CONTEXT<VOLUME_CONTEXT> | null = null;
    let readLen = read.Read.Length;
    try {
      leave: {
        if (readLen === 0) break leave;
        const got = yield* FltGetVolumeContext<VOLUME_CONTEXT>(FltObjects.Filter, FltObjects.Volume);
        if (!NT_SUCCESS(got.status)) break leave;
        volCtx = got.context!;
        // Non-cached I/O moves whole sectors: our buffer must be as big as the file system expects.
        if ((iopb.IrpFlags & IRP_NOCACHE) !== 0) readLen = ROUND_TO_SIZE(readLen, volCtx.Data.SectorSize);
        newBuf = FltAllocatePoolAlignedWithTag(FltObjects.Instance, NonPagedPool, readLen, BUFFER_SWAP_TAG);
        if (newBuf === null) break leave;
        // Only IRP operations carry an MDL to the file system.
        if ((Data.Flags & FLTFL_CALLBACK_DATA_IRP_OPERATION) !== 0) {
          newMdl = yield* IoAllocateMdl(newBuf, readLen, false, false, null);
          if (newMdl === null) break leave;
          MmBuildMdlForNonPagedPool(newMdl);
        }
        const p2pCtx: PRE_2_POST_CONTEXT = { VolCtx: volCtx, SwappedBuffer: newBuf };
        read.Read.ReadBuffer = newBuf;
        read.Read.MdlAddress = newMdl;
        FltSetCallbackDataDirty(Data);
        CompletionContext.value = p2pCtx;
        retValue = FLT_PREOP_SUCCESS_WITH_CALLBACK;
      }
    } finally {
      if (retValue !== FLT_PREOP_SUCCESS_WITH_CALLBACK) {
        if (newBuf !== null) FltFreePoolAlignedWithTag(FltObjects.Instance, newBuf, BUFFER_SWAP_TAG);
        if (newMdl !== null) IoFreeMdl(newMdl);
        if (volCtx !== null) FltReleaseContext(volCtx);
      }
    }
    return retValue;
  }

  /**
   * SwapPostReadBuffers: copy what the file system read into the requester's buffer. With an MDL,
   * through its system address; a system buffer or fast I/O, directly; a bare user buffer only at
   * a safe IRQL (FltDoCompletionProcessingWhenSafe). The MDL we inserted is FltMgr's to free.
   */
  function* SwapPostReadBuffers(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, Flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    const iopb = Data.Iopb;
    const read = iopb.Parameters as { Read: { ReadBuffer?: Uint8Array | null; MdlAddress?: MDL | null } };
    let retValue: FLT_POSTOP_CALLBACK_STATUS = FLT_POSTOP_FINISHED_PROCESSING;
    const p2pCtx = CompletionContext as PRE_2_POST_CONTEXT;
    let cleanupAllocatedBuffer = true;
    // FltMgr never drains an operation with swapped buffers (§20.6).
    FLT_ASSERT((Flags & FLTFL_POST_OPERATION_DRAINING) === 0, '!FlagOn(Flags, FLTFL_POST_OPERATION_DRAINING)');
    try {
      leave: {
        if (!NT_SUCCESS(Data.IoStatus.Status) || Data.IoStatus.Information === 0) break leave;
        let origBuf: Uint8Array | null;
        if (read.Read.MdlAddress !== null && read.Read.MdlAddress !== undefined) {
          // A simple MDL: no chained MDLs this high up the stack.
          FLT_ASSERT(read.Read.MdlAddress.Next === null, '((PMDL)iopb->Parameters.Read.MdlAddress)->Next == NULL');
          origBuf = MmGetSystemAddressForMdlSafe(read.Read.MdlAddress, NormalPagePriority | MdlMappingNoExecute);
          if (origBuf === null) {
            Data.IoStatus = { Status: STATUS_INSUFFICIENT_RESOURCES, Information: 0 };
            break leave;
          }
        } else if ((Data.Flags & FLTFL_CALLBACK_DATA_SYSTEM_BUFFER) !== 0 || (Data.Flags & FLTFL_CALLBACK_DATA_FAST_IO_OPERATION) !== 0) {
          origBuf = read.Read.ReadBuffer ?? null;
        } else {
          // An arbitrary user buffer: not at DPC level. Get to a safe IRQL first.
          const safe = yield* FltDoCompletionProcessingWhenSafe(Data, FltObjects, CompletionContext, Flags, SwapPostReadBuffersWhenSafe);
          if (safe.value) {
            retValue = safe.RetPostOperationStatus;
            cleanupAllocatedBuffer = false;
          } else {
            Data.IoStatus = { Status: STATUS_UNSUCCESSFUL, Information: 0 };
          }
          break leave;
        }
        const failed = origBuf === null ? STATUS_ACCESS_VIOLATION : copyMemory(origBuf, p2pCtx.SwappedBuffer, Data.IoStatus.Information);
        if (failed !== null) Data.IoStatus = { Status: failed, Information: 0 };
      }
    } finally {
      if (cleanupAllocatedBuffer) {
        FltFreePoolAlignedWithTag(FltObjects.Instance, p2pCtx.SwappedBuffer, BUFFER_SWAP_TAG);
        FltReleaseContext(p2pCtx.VolCtx);
      }
    }
    return retValue;
  }

  /** SwapPostReadBuffersWhenSafe: lock the user buffer (an MDL for it), copy into it, free ours. */
  function SwapPostReadBuffersWhenSafe(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, _Flags: number): FLT_POSTOP_CALLBACK_STATUS {
    const read = Data.Iopb.Parameters as { Read: { MdlAddress?: MDL | null } };
    const p2pCtx = CompletionContext as PRE_2_POST_CONTEXT;
    // Only posted with data to copy (SwapPostReadBuffers returned early for none).
    FLT_ASSERT(Data.IoStatus.Information !== 0, 'Data->IoStatus.Information != 0');
    const status = FltLockUserBuffer(Data);
    if (!NT_SUCCESS(status)) {
      Data.IoStatus = { Status: status, Information: 0 };
    } else {
      const origBuf = MmGetSystemAddressForMdlSafe(read.Read.MdlAddress!, NormalPagePriority | MdlMappingNoExecute);
      if (origBuf === null) Data.IoStatus = { Status: STATUS_INSUFFICIENT_RESOURCES, Information: 0 };
      else copyMemory(origBuf, p2pCtx.SwappedBuffer, Data.IoStatus.Information);
    }
    FltFreePoolAlignedWithTag(FltObjects.Instance, p2pCtx.SwappedBuffer, BUFFER_SWAP_TAG);
    FltReleaseContext(p2pCtx.VolCtx);
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  // -------------------------------------------------------------------------- directory control

  /**
   * SwapPreDirCtrlBuffers: swap in a zeroed buffer of Length bytes with an MDL (directory control
   * is always an IRP). Like the C sample it does not look at MinorFunction.
   */
  function* SwapPreDirCtrlBuffers(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    const query = (Data.Iopb.Parameters as { DirectoryControl: { QueryDirectory: { Length: number; DirectoryBuffer?: Uint8Array | null; MdlAddress?: MDL | null } } }).DirectoryControl.QueryDirectory;
    let retValue: FLT_PREOP_CALLBACK_STATUS = FLT_PREOP_SUCCESS_NO_CALLBACK;
    let newBuf: Uint8Array | null = null;
    let newMdl: MDL | null = null;
    let volCtx: PFLT_CONTEXT<VOLUME_CONTEXT> | null = null;
    try {
      leave: {
        if (query.Length === 0) break leave;
        const got = yield* FltGetVolumeContext<VOLUME_CONTEXT>(FltObjects.Filter, FltObjects.Volume);
        if (!NT_SUCCESS(got.status)) break leave;
        volCtx = got.context!;
        newBuf = yield* ExAllocatePoolZero(NonPagedPool, query.Length, BUFFER_SWAP_TAG);
        if (newBuf === null) break leave;
        newMdl = yield* IoAllocateMdl(newBuf, query.Length, false, false, null);
        if (newMdl === null) break leave;
        MmBuildMdlForNonPagedPool(newMdl);
        const p2pCtx: PRE_2_POST_CONTEXT = { VolCtx: volCtx, SwappedBuffer: newBuf };
        query.DirectoryBuffer = newBuf;
        query.MdlAddress = newMdl;
        FltSetCallbackDataDirty(Data);
        CompletionContext.value = p2pCtx;
        retValue = FLT_PREOP_SUCCESS_WITH_CALLBACK;
      }
    } finally {
      if (retValue !== FLT_PREOP_SUCCESS_WITH_CALLBACK) {
        if (newBuf !== null) yield* ExFreePool(newBuf);
        if (newMdl !== null) IoFreeMdl(newMdl);
        if (volCtx !== null) FltReleaseContext(volCtx);
      }
    }
    return retValue;
  }

  /**
   * SwapPostDirCtrlBuffers: copy the entries back. Like the C sample it copies the whole Length,
   * not Information (a FASTFAT workaround); the buffer was zeroed, so nothing stale reaches the user.
   */
  function* SwapPostDirCtrlBuffers(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, Flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    const query = (Data.Iopb.Parameters as { DirectoryControl: { QueryDirectory: { Length: number; DirectoryBuffer?: Uint8Array | null; MdlAddress?: MDL | null } } }).DirectoryControl.QueryDirectory;
    let retValue: FLT_POSTOP_CALLBACK_STATUS = FLT_POSTOP_FINISHED_PROCESSING;
    const p2pCtx = CompletionContext as PRE_2_POST_CONTEXT;
    let cleanupAllocatedBuffer = true;
    // FltMgr never drains an operation with swapped buffers (§20.6).
    FLT_ASSERT((Flags & FLTFL_POST_OPERATION_DRAINING) === 0, '!FlagOn(Flags, FLTFL_POST_OPERATION_DRAINING)');
    try {
      leave: {
        if (!NT_SUCCESS(Data.IoStatus.Status) || Data.IoStatus.Information === 0) break leave;
        let origBuf: Uint8Array | null;
        if (query.MdlAddress !== null && query.MdlAddress !== undefined) {
          origBuf = MmGetSystemAddressForMdlSafe(query.MdlAddress, NormalPagePriority | MdlMappingNoExecute);
          if (origBuf === null) {
            Data.IoStatus = { Status: STATUS_INSUFFICIENT_RESOURCES, Information: 0 };
            break leave;
          }
        } else if ((Data.Flags & FLTFL_CALLBACK_DATA_SYSTEM_BUFFER) !== 0 || (Data.Flags & FLTFL_CALLBACK_DATA_FAST_IO_OPERATION) !== 0) {
          origBuf = query.DirectoryBuffer ?? null;
        } else {
          const safe = yield* FltDoCompletionProcessingWhenSafe(Data, FltObjects, CompletionContext, Flags, SwapPostDirCtrlBuffersWhenSafe);
          if (safe.value) {
            retValue = safe.RetPostOperationStatus;
            cleanupAllocatedBuffer = false;
          } else {
            Data.IoStatus = { Status: STATUS_UNSUCCESSFUL, Information: 0 };
          }
          break leave;
        }
        const failed = origBuf === null ? STATUS_ACCESS_VIOLATION : copyMemory(origBuf, p2pCtx.SwappedBuffer, query.Length);
        if (failed !== null) Data.IoStatus = { Status: failed, Information: 0 };
      }
    } finally {
      if (cleanupAllocatedBuffer) {
        yield* ExFreePool(p2pCtx.SwappedBuffer);
        FltReleaseContext(p2pCtx.VolCtx);
      }
    }
    return retValue;
  }

  /** SwapPostDirCtrlBuffersWhenSafe: lock the user buffer, copy Length bytes into it, free ours. */
  function* SwapPostDirCtrlBuffersWhenSafe(Data: FLT_CALLBACK_DATA, _FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, _Flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    const query = (Data.Iopb.Parameters as { DirectoryControl: { QueryDirectory: { Length: number; MdlAddress?: MDL | null } } }).DirectoryControl.QueryDirectory;
    const p2pCtx = CompletionContext as PRE_2_POST_CONTEXT;
    FLT_ASSERT(Data.IoStatus.Information !== 0, 'Data->IoStatus.Information != 0');
    const status = FltLockUserBuffer(Data);
    if (!NT_SUCCESS(status)) {
      Data.IoStatus = { Status: status, Information: 0 };
    } else {
      const origBuf = MmGetSystemAddressForMdlSafe(query.MdlAddress!, NormalPagePriority | MdlMappingNoExecute);
      if (origBuf === null) Data.IoStatus = { Status: STATUS_INSUFFICIENT_RESOURCES, Information: 0 };
      else copyMemory(origBuf, p2pCtx.SwappedBuffer, query.Length);
    }
    yield* ExFreePool(p2pCtx.SwappedBuffer);
    FltReleaseContext(p2pCtx.VolCtx);
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  // ------------------------------------------------------------------------------------ writes

  /**
   * SwapPreWriteBuffers: copy the requester's data into a buffer of our own (rounded up to the
   * sector for non-cached I/O) and swap it in. A buffer we cannot read completes the write with the
   * exception's code; an MDL we cannot map, with STATUS_INSUFFICIENT_RESOURCES.
   */
  function* SwapPreWriteBuffers(Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    const iopb = Data.Iopb;
    const write = iopb.Parameters as { Write: { Length: number; WriteBuffer?: Uint8Array; MdlAddress?: MDL | null } };
    let retValue: FLT_PREOP_CALLBACK_STATUS = FLT_PREOP_SUCCESS_NO_CALLBACK;
    let newBuf: Uint8Array | null = null;
    let newMdl: MDL | null = null;
    let volCtx: PFLT_CONTEXT<VOLUME_CONTEXT> | null = null;
    let writeLen = write.Write.Length;
    try {
      leave: {
        if (writeLen === 0) break leave;
        const got = yield* FltGetVolumeContext<VOLUME_CONTEXT>(FltObjects.Filter, FltObjects.Volume);
        if (!NT_SUCCESS(got.status)) break leave;
        volCtx = got.context!;
        if ((iopb.IrpFlags & IRP_NOCACHE) !== 0) writeLen = ROUND_TO_SIZE(writeLen, volCtx.Data.SectorSize);
        newBuf = FltAllocatePoolAlignedWithTag(FltObjects.Instance, NonPagedPool, writeLen, BUFFER_SWAP_TAG);
        if (newBuf === null) break leave;
        if ((Data.Flags & FLTFL_CALLBACK_DATA_IRP_OPERATION) !== 0) {
          newMdl = yield* IoAllocateMdl(newBuf, writeLen, false, false, null);
          if (newMdl === null) break leave;
          MmBuildMdlForNonPagedPool(newMdl);
        }
        let origBuf: Uint8Array | null;
        if (write.Write.MdlAddress !== null && write.Write.MdlAddress !== undefined) {
          // A simple MDL: no chained MDLs this high up the stack.
          FLT_ASSERT(write.Write.MdlAddress.Next === null, '((PMDL)iopb->Parameters.Write.MdlAddress)->Next == NULL');
          origBuf = MmGetSystemAddressForMdlSafe(write.Write.MdlAddress, NormalPagePriority | MdlMappingNoExecute);
          if (origBuf === null) {
            Data.IoStatus = { Status: STATUS_INSUFFICIENT_RESOURCES, Information: 0 };
            retValue = FLT_PREOP_COMPLETE;
            break leave;
          }
        } else {
          origBuf = write.Write.WriteBuffer ?? null;
        }
        // The requester's buffer holds Length bytes; the rest of a rounded-up buffer stays zero.
        const failed = origBuf === null ? STATUS_ACCESS_VIOLATION : copyMemory(newBuf, origBuf, Math.min(writeLen, origBuf.length));
        if (failed !== null) {
          Data.IoStatus = { Status: failed, Information: 0 };
          retValue = FLT_PREOP_COMPLETE;
          break leave;
        }
        const p2pCtx: PRE_2_POST_CONTEXT = { VolCtx: volCtx, SwappedBuffer: newBuf };
        write.Write.WriteBuffer = newBuf;
        write.Write.MdlAddress = newMdl;
        FltSetCallbackDataDirty(Data);
        CompletionContext.value = p2pCtx;
        retValue = FLT_PREOP_SUCCESS_WITH_CALLBACK;
      }
    } finally {
      if (retValue !== FLT_PREOP_SUCCESS_WITH_CALLBACK) {
        if (newBuf !== null) FltFreePoolAlignedWithTag(FltObjects.Instance, newBuf, BUFFER_SWAP_TAG);
        if (newMdl !== null) IoFreeMdl(newMdl);
        if (volCtx !== null) FltReleaseContext(volCtx);
      }
    }
    return retValue;
  }

  /** SwapPostWriteBuffers: free our buffer (FltMgr frees the MDL) and release the volume context. */
  function SwapPostWriteBuffers(_Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: unknown, _Flags: number): FLT_POSTOP_CALLBACK_STATUS {
    const p2pCtx = CompletionContext as PRE_2_POST_CONTEXT;
    FltFreePoolAlignedWithTag(FltObjects.Instance, p2pCtx.SwappedBuffer, BUFFER_SWAP_TAG);
    FltReleaseContext(p2pCtx.VolCtx);
    return FLT_POSTOP_FINISHED_PROCESSING;
  }

  // ----------------------------------------------------------------------------- registration

  const FilterRegistration: FLT_REGISTRATION = {
    ContextRegistration: [
      { ContextType: FLT_VOLUME_CONTEXT, Flags: 0, ContextCleanupCallback: CleanupVolumeContext, Size: 16, PoolTag: CONTEXT_TAG },
      { ContextType: FLT_CONTEXT_END },
    ],
    OperationRegistration: [
      { MajorFunction: IRP_MJ_READ, Flags: 0, PreOperation: SwapPreReadBuffers, PostOperation: SwapPostReadBuffers },
      { MajorFunction: IRP_MJ_WRITE, Flags: 0, PreOperation: SwapPreWriteBuffers, PostOperation: SwapPostWriteBuffers },
      { MajorFunction: IRP_MJ_DIRECTORY_CONTROL, Flags: 0, PreOperation: SwapPreDirCtrlBuffers, PostOperation: SwapPostDirCtrlBuffers },
    ],
    FilterUnloadCallback: FilterUnload,
    InstanceSetupCallback: InstanceSetup,
    InstanceQueryTeardownCallback: InstanceQueryTeardown,
  };

  /** DriverEntry: register, start filtering; unregister again if starting fails. */
  function* DriverEntry(DriverObject: PDRIVER_OBJECT): Blocking<NTSTATUS> {
    const registered = FltRegisterFilter(DriverObject, FilterRegistration);
    let status = registered.status;
    if (!NT_SUCCESS(status)) return status;
    gFilterHandle = registered.filter;
    status = yield* FltStartFiltering(gFilterHandle!);
    if (!NT_SUCCESS(status)) yield* FltUnregisterFilter(gFilterHandle!);
    return status;
  }

  return { FilterRegistration, DriverEntry };
}
