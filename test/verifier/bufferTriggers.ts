/** Triggers for the buffer rules (§20): each a filter that commits one mistake with a buffer, an MDL or pool. */
import {
  ExAllocatePoolWithTag,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FltAllocatePoolAlignedWithTag,
  FltFreePoolAlignedWithTag,
  FltGetSwappedBufferMdlAddress,
  FltSetCallbackDataDirty,
  FILE_GENERIC_READ,
  FILE_SHARE_READ,
  IoAllocateMdl,
  MmBuildMdlForNonPagedPool,
  IoFreeMdl,
  IRP_MJ_READ,
  IRP_NOCACHE,
  MmGetSystemAddressForMdlSafe,
  NonPagedPool,
  NormalPagePriority,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_PREOP_CALLBACK_STATUS,
  type PFLT_POST_OPERATION_CALLBACK,
  type FLT_RELATED_OBJECTS,
  type ReadParameters,
  type Simulation,
  type VerifierRule,
} from '../../src/index.js';
import { operations } from '../../src/testing/index.js';
import { world, type Trigger } from './world.js';

const read = (Data: FLT_CALLBACK_DATA) => (Data.Iopb.Parameters as { Read: ReadParameters }).Read;

/** A filter at 300000 whose pre-read does `pre`, and an application that reads \f.txt (Length `readLength`, `irpFlags`). */
function onRead(
  pre: (Data: FLT_CALLBACK_DATA, o: FLT_RELATED_OBJECTS) => Blocking<FLT_PREOP_CALLBACK_STATUS>,
  post: PFLT_POST_OPERATION_CALLBACK = () => FLT_POSTOP_FINISHED_PROCESSING,
  readLength = 4,
  irpFlags = 0,
): Simulation {
  const { sim } = world({ 'swapper@300000': () => ({ OperationRegistration: operations([IRP_MJ_READ], { PreOperation: pre, PostOperation: post }) }) });
  sim.spawn('app', function* () {
    const open = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ });
    if (open.handle === null) return open.status;
    const r = yield* sim.io.NtReadFile(open.handle, readLength, 0, irpFlags);
    yield* sim.io.NtClose(open.handle);
    return r.status;
  });
  sim.run();
  return sim;
}

/** Swap in `buffer` with a locked MDL over it, dirty, and ask for the post-op (as swapBuffers does). */
function* swapIn(Data: FLT_CALLBACK_DATA, buffer: Uint8Array): Blocking<FLT_PREOP_CALLBACK_STATUS> {
  const mdl = yield* IoAllocateMdl(buffer, buffer.length);
  MmBuildMdlForNonPagedPool(mdl!);
  read(Data).ReadBuffer = buffer;
  read(Data).MdlAddress = mdl;
  FltSetCallbackDataDirty(Data);
  return FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

export const bufferTriggers = {
  BUFFER_INVALID: () =>
    onRead(function* (Data) {
      (read(Data) as { ReadBuffer: unknown }).ReadBuffer = 'not a buffer';
      FltSetCallbackDataDirty(Data);
      return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }),
  BUFFER_USED_AFTER_FREE: () =>
    // The filter frees the MDL it swapped in; FltMgr would free it again after the post-op (§20.6).
    onRead(
      function* (Data, o) {
        return yield* swapIn(Data, FltAllocatePoolAlignedWithTag(o.Instance, NonPagedPool, 512, 'Tst ')!);
      },
      (Data) => {
        IoFreeMdl(FltGetSwappedBufferMdlAddress(Data)!);
        return FLT_POSTOP_FINISHED_PROCESSING;
      },
    ),
  BUFFER_TOO_SHORT: () =>
    onRead(function* (Data, o) {
      return yield* swapIn(Data, FltAllocatePoolAlignedWithTag(o.Instance, NonPagedPool, 2, 'Tst ')!);
    }),
  MDL_NOT_LOCKED: () =>
    onRead(function* (Data) {
      const mdl = yield* IoAllocateMdl(new Uint8Array(16), 16);
      MmGetSystemAddressForMdlSafe(mdl!, NormalPagePriority);
      return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }),
  NONCACHED_BUFFER_MISALIGNED: () =>
    // 512 bytes of ExAllocatePoolWithTag are 16-byte aligned: a non-cached read needs the sector (§20.7).
    onRead(function* (Data) {
      return yield* swapIn(Data, (yield* ExAllocatePoolWithTag(NonPagedPool, 512, 'Tst '))!);
    }, undefined, 512, IRP_NOCACHE),
  SWAP_WITHOUT_POST_OPERATION: () =>
    onRead(function* (Data, o) {
      const buffer = FltAllocatePoolAlignedWithTag(o.Instance, NonPagedPool, 512, 'Tst ')!;
      yield* swapIn(Data, buffer);
      FltFreePoolAlignedWithTag(o.Instance, buffer, 'Tst ');
      return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }),
} satisfies Partial<Record<VerifierRule, Trigger>>;
