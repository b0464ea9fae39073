/**
 * Triggers for the FsFilter callback operation rules (§24.1, §24.9 invariant 16): an application maps
 * \f.txt (CreateFileMappingW, so the memory manager sends IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION
 * and its release through the stack) while a filter misbehaves in the callbacks it registered for them.
 */
import {
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FltAllocateCallbackData,
  FltPerformSynchronousIo,
  FltSetCallbackDataDirty,
  IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION,
  IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION,
  PAGE_READONLY,
  STATUS_ACCESS_DENIED,
  SyncTypeCreateSection,
  type FLT_OPERATION_REGISTRATION,
  type FltParameters,
  type Simulation,
  type VerifierRule,
} from '../../src/index.js';
import { operations } from '../../src/testing/index.js';
import { closeFromFilter, openFromFilter, world, type Trigger } from './world.js';

/** A filter at 300000 with `callbacks` for `major`; an application opens \f.txt and maps it read-only. */
export function mapThrough(major: number, callbacks: Omit<FLT_OPERATION_REGISTRATION, 'MajorFunction'>): Simulation {
  const { sim } = world({ 'careless@300000': () => ({ OperationRegistration: operations([major], callbacks) }) });
  sim.spawn('app', function* () {
    const f = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
    yield* sim.io.CreateFileMappingW(f.handle!, null, PAGE_READONLY, 0, 0, null);
  });
  sim.run();
  return sim;
}

export const fsFilterTriggers = {
  // Failing the create-section acquire with anything but STATUS_INSUFFICIENT_RESOURCES.
  FS_FILTER_OPERATION_FAILED: () =>
    mapThrough(IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION, { PreOperation: (d) => ((d.IoStatus = { Status: STATUS_ACCESS_DENIED, Information: 0 }), FLT_PREOP_COMPLETE) }),
  FS_FILTER_OPERATION_PENDED: () => mapThrough(IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION, { PreOperation: () => FLT_PREOP_PENDING }),
  // A buffer swapped into an operation that has none.
  FS_FILTER_OPERATION_BUFFERS: () =>
    mapThrough(IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION, {
      PreOperation: (d) => {
        d.Iopb.Parameters = { Write: { Length: 4, Key: 0, ByteOffset: 0, WriteBuffer: new Uint8Array(4) } };
        FltSetCallbackDataDirty(d);
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
      },
      PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
    }),
  // A filter thread sends its own section acquire down with FltPerformSynchronousIo.
  FS_FILTER_OPERATION_GENERATED: () => {
    const w = world({ 'scanner@300000': () => ({}) });
    w.sim.spawn('scan', function* () {
      const o = w.objects('scanner');
      const file = yield* openFromFilter(o);
      const data = FltAllocateCallbackData(o.Instance, file.fo).data!;
      data.Iopb.MajorFunction = IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION;
      data.Iopb.Parameters = { AcquireForSectionSynchronization: { SyncType: SyncTypeCreateSection, PageProtection: PAGE_READONLY } } satisfies FltParameters;
      yield* FltPerformSynchronousIo(data);
      yield* closeFromFilter(file);
    });
    w.sim.run();
    return w.sim;
  },
} satisfies Partial<Record<VerifierRule, Trigger>>;
