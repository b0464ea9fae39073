/** Triggers for the rules of issue 10's robustness work: findings that leave the run going. */
import {
  FLT_ASSERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FltCancelFileOpen,
  FltClose,
  FltCreateFile,
  ObDereferenceObject,
  FltReissueSynchronousIo,
  IRP_MJ_CREATE,
  IRP_MJ_READ,
  NT_SUCCESS,
  STATUS_ACCESS_DENIED,
  type Blocking,
  type KernelHandle,
  type PFILE_OBJECT,
  type Simulation,
  type VerifierRule,
} from '../../src/index.js';
import { operations } from '../../src/testing/index.js';
import { openFromFilter, readOnce, world, type Trigger } from './world.js';

/** A filter thread opens \\f.txt, releases the file object reference, and keeps the handle; then the filter unloads. */
function leaky(then?: (file: { handle: KernelHandle; fo: PFILE_OBJECT }) => Blocking<unknown>): Simulation {
  const w = world({ 'leaky@300000': () => ({}) });
  let file: { handle: KernelHandle; fo: PFILE_OBJECT } | null = null;
  w.sim.spawn('open', function* () {
    file = yield* openFromFilter(w.objects('leaky'));
    yield* ObDereferenceObject(file.fo);
  });
  w.sim.run();
  w.sim.spawn('fltmc unload leaky', () => w.sim.FilterUnload('leaky'));
  w.sim.run();
  if (then !== undefined) {
    w.sim.spawn('late close', () => then(file!));
    w.sim.run();
  }
  return w.sim;
}

export const robustnessTriggers = {
  FILE_HANDLE_LEAKED: () => leaky(),
  FILE_OBJECT_LEAKED: () => {
    // The handle is closed in time; the FltCreateFileEx reference is not.
    const w = world({ 'leaky@300000': () => ({}) });
    w.sim.spawn('open', function* () {
      const file = yield* openFromFilter(w.objects('leaky'));
      yield* FltClose(file.handle);
    });
    w.sim.run();
    w.sim.spawn('fltmc unload leaky', () => w.sim.FilterUnload('leaky'));
    w.sim.run();
    return w.sim;
  },
  // The handle is reported leaked at unload (FILE_HANDLE_LEAKED comes first), then closed too late.
  HANDLE_OF_UNLOADED_FILTER: () => leaky((file) => FltClose(file.handle)),
  REISSUE_CANCELLED_OPEN: () => {
    // A post-create cancels the open, then reissues it: Windows completes it with STATUS_CANCELLED.
    const { sim } = world({
      'confused@300000': () => ({
        OperationRegistration: operations([IRP_MJ_CREATE], {
          PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
          PostOperation: function* (d, o) {
            if (!NT_SUCCESS(d.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING;
            yield* FltCancelFileOpen(o.Instance, d.Iopb.TargetFileObject!);
            yield* FltReissueSynchronousIo(o.Instance, d);
            d.IoStatus = { Status: STATUS_ACCESS_DENIED, Information: 0 };
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        }),
      }),
    });
    sim.spawn('app', () => readOnce(sim));
    sim.run();
    return sim;
  },
  CALLBACK_RECURSION: () => {
    // A pre-create opens the same name with Instance = NULL: the open starts at the top and re-enters it.
    const { sim } = world({
      'recursive@300000': () => ({
        OperationRegistration: operations([IRP_MJ_CREATE], {
          PreOperation: function* (_d, o) {
            const r = yield* FltCreateFile(o.Filter, null, FILE_GENERIC_READ, { ObjectName: 'C:\\f.txt' }, 0, 0, FILE_SHARE_READ, FILE_OPEN);
            if (r.FileHandle !== null) yield* FltClose(r.FileHandle);
            return FLT_PREOP_SUCCESS_NO_CALLBACK;
          },
        }),
      }),
    });
    sim.spawn('app', () => readOnce(sim));
    sim.run();
    return sim;
  },
  FLT_ASSERT: () => {
    // A pre-read asserts what it believes of every read; a read of 4 bytes proves it wrong.
    const { sim } = world({
      'asserting@300000': () => ({
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: (d) => {
            FLT_ASSERT((d.Iopb.Parameters as { Read: { Length: number } }).Read.Length > 4096, 'Data->Iopb->Parameters.Read.Length > PAGE_SIZE');
            return FLT_PREOP_SUCCESS_NO_CALLBACK;
          },
        }),
      }),
    });
    sim.spawn('app', () => readOnce(sim));
    sim.run();
    return sim;
  },
  CRASH: () => {
    // A pre-read dereferences a context it never set (a TypeError here, an access violation on Windows).
    const { sim } = world({
      'careless@300000': () => ({
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: (d) => ((d.FilterContext[0] as { size: number } | null)!.size > 0 ? FLT_PREOP_SUCCESS_NO_CALLBACK : FLT_PREOP_SUCCESS_NO_CALLBACK),
        }),
      }),
    });
    sim.spawn('app', () => readOnce(sim));
    sim.run();
    return sim;
  },
} satisfies Partial<Record<VerifierRule, Trigger>>;
