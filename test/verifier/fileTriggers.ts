/** Triggers for the rules about creates, file objects, cancel and reissue (§8, §11, §14 inv. 14, 15). */
import {
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FltCancelFileOpen,
  FltCreateFileEx,
  FltReadFile,
  FltReissueSynchronousIo,
  IRP_MJ_CREATE,
  IRP_MJ_READ,
  ObDereferenceObject,
  STATUS_ACCESS_DENIED,
  type PFILE_OBJECT,
  type Blocking,
  type VerifierRule,
} from '../../src/index.js';
import { operations } from '../../src/testing/index.js';
import { closeFromFilter, openFromFilter, readOnce, world, type Trigger, type World } from './world.js';

/** One plain filter; `body` runs on a kernel thread of it once the instance is attached. */
function fromFilterThread(body: (w: World) => Blocking<unknown>, name = 'worker@300000') {
  const w = world({ [name]: () => ({}) });
  w.sim.spawn('filter thread', () => body(w));
  w.sim.run();
  return w.sim;
}

/** One filter with post-create `post`; an application opens `path`. */
function createThrough(post: Parameters<typeof operations>[1]['PostOperation'], path = 'C:\\f.txt') {
  const { sim } = world({ 'careless@300000': () => ({ OperationRegistration: operations([IRP_MJ_CREATE], { PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK, PostOperation: post! }) }) });
  sim.spawn('app', () => sim.io.NtCreateFile(path, { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN }));
  sim.run();
  return sim;
}

const buffer = () => new Uint8Array(4);

export const fileTriggers = {
  CREATE_FAILED_WITHOUT_CANCEL: () => createThrough((d) => ((d.IoStatus = { Status: STATUS_ACCESS_DENIED, Information: 0 }), FLT_POSTOP_FINISHED_PROCESSING)),
  INSTANCE_OF_ANOTHER_FILTER: () => {
    const w = world({ 'mine@300000': () => ({}), 'theirs@200000': () => ({}) });
    w.sim.spawn('filter thread', () =>
      FltCreateFileEx(w.objects('mine').Filter, w.objects('theirs').Instance, FILE_GENERIC_READ, { ObjectName: 'C:\\f.txt' }, 0, 0, FILE_SHARE_READ, FILE_OPEN),
    );
    w.sim.run();
    return w.sim;
  },
  INSTANCE_USED_AFTER_TEARDOWN: () => {
    // The instance pointer is kept past the unload without a reference (FltObjectReference would have kept it valid).
    const w = world({ 'stale@300000': () => ({}) });
    const kept = w.objects('stale');
    w.sim.spawn('fltmc unload', () => w.sim.FilterUnload('stale'));
    w.sim.run();
    w.sim.spawn('late worker', () => openFromFilter(kept));
    w.sim.run();
    return w.sim;
  },
  NULL_FILE_OBJECT: () =>
    fromFilterThread((w) => FltReadFile(w.objects('worker').Instance, null as unknown as PFILE_OBJECT, 0, 4, buffer())),
  IO_ON_CLOSED_FILE_OBJECT: () =>
    fromFilterThread(function* (w) {
      const o = w.objects('worker');
      const file = yield* openFromFilter(o);
      yield* closeFromFilter(file);
      return yield* FltReadFile(o.Instance, file.fo, 0, 4, buffer());
    }),
  FOREIGN_FILE_OBJECT: () => {
    const other = world({ 'worker@300000': () => ({}) });
    let foreign: PFILE_OBJECT | null = null;
    other.sim.spawn('open elsewhere', function* () {
      foreign = (yield* openFromFilter(other.objects('worker'))).fo;
    });
    other.sim.run();
    return fromFilterThread((w) => FltReadFile(w.objects('worker').Instance, foreign!, 0, 4, buffer()));
  },
  DEREFERENCE_UNREFERENCED_FILE_OBJECT: () =>
    fromFilterThread(function* (w) {
      const file = yield* openFromFilter(w.objects('worker'));
      yield* closeFromFilter(file);
      yield* ObDereferenceObject(file.fo);
    }),
  CANCEL_OPEN_OUTSIDE_POST_CREATE: () =>
    fromFilterThread(function* (w) {
      const o = w.objects('worker');
      const file = yield* openFromFilter(o);
      yield* FltCancelFileOpen(o.Instance, file.fo);
    }),
  CANCEL_OPEN_NOT_OPENED: () =>
    // The file system failed the create (no such file): there is no open to cancel.
    createThrough(function* (d, o) {
      yield* FltCancelFileOpen(o.Instance, d.Iopb.TargetFileObject!);
      return FLT_POSTOP_FINISHED_PROCESSING;
    }, 'C:\\missing.txt'),
  CANCELLED_OPEN_NOT_FAILED: () =>
    createThrough(function* (d, o) {
      yield* FltCancelFileOpen(o.Instance, d.Iopb.TargetFileObject!);
      return FLT_POSTOP_FINISHED_PROCESSING; // IoStatus still says STATUS_SUCCESS
    }),
  REISSUE_NOT_SYNCHRONIZED: () => {
    // Reissue from a pre-operation: only a synchronized post-operation may reissue FltMgr's data.
    const { sim } = world({
      'careless@300000': () => ({
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: function* (d, o) {
            yield* FltReissueSynchronousIo(o.Instance, d);
            return FLT_PREOP_SUCCESS_WITH_CALLBACK;
          },
          PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
        }),
      }),
    });
    sim.spawn('app', () => readOnce(sim));
    sim.run();
    return sim;
  },
} satisfies Partial<Record<VerifierRule, Trigger>>;
