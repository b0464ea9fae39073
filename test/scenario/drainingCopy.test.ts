// §4 step 3 and §14 invariants 19, 20: a draining post-operation that hands its Data to a Flt
// routine gets what Windows gives it (a status, or the verifier rule), never an error of ours.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLTFL_POST_OPERATION_DRAINING,
  FltAllocateDeferredIoWorkItem,
  FltCompletePendedPostOperation,
  FltCompletePendedPreOperation,
  FltFreeCallbackData,
  FltGetEcpListFromCallbackData,
  FltGetFileNameInformation,
  FltGetRequestorProcessId,
  FltIsCallbackDataDirty,
  FltReleaseFileNameInformation,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FltQueueDeferredIoWorkItem,
  FltReissueSynchronousIo,
  FltSetCallbackDataDirty,
  IRP_MJ_CREATE,
  ntStatusName,
  STATUS_SUCCESS,
  UsageError,
  type FLT_CALLBACK_DATA,
  type FLT_RELATED_OBJECTS,
  type MaybeBlocking,
  type FltWorkItem,
} from '../../src/index.js';
import { compactTrace, installFilter, operations } from '../../src/testing/index.js';

/**
 * upper (300000) asks for its post-create; lower (100000) pends the create. Detaching upper drains
 * its post-create on the detach thread, and that post-op calls `use` with its draining copy.
 */
function drainWith(use: (data: FLT_CALLBACK_DATA, objects: FLT_RELATED_OBJECTS) => MaybeBlocking<string>) {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.txt', 'x');
  const outcomes: string[] = [];
  let parked: FLT_CALLBACK_DATA | null = null;
  installFilter(sim, {
    name: 'upper',
    altitude: '300000',
    registration: {
      InstanceQueryTeardownCallback: () => STATUS_SUCCESS,
      OperationRegistration: operations([IRP_MJ_CREATE], {
        PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
        PostOperation: function* (data, objects, _context, flags) {
          if ((flags & FLTFL_POST_OPERATION_DRAINING) === 0) return FLT_POSTOP_FINISHED_PROCESSING;
          const r = use(data, objects);
          outcomes.push(typeof r === 'string' ? r : yield* r);
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      }),
    },
  });
  installFilter(sim, { name: 'lower', altitude: '100000', registration: { OperationRegistration: operations([IRP_MJ_CREATE], { PreOperation: (d) => ((parked = d), FLT_PREOP_PENDING) }) } });
  sim.run();
  const app = sim.spawn('app', () => sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN }));
  sim.run();
  const from = sim.log.length;
  const detach = sim.spawn('fltmc detach upper', () => sim.FilterDetach('upper', 'C:'));
  sim.run();
  // The lower filter then lets the create go on; it completes for the application as usual.
  sim.spawn('lower worker', () => FltCompletePendedPreOperation(parked!, FLT_PREOP_SUCCESS_NO_CALLBACK, null));
  const end = sim.run();
  return { sim, outcomes, from, detach, app, end };
}

describe('a draining post-op passing its Data to Flt routines (§4, §14 invariants 19, 20)', () => {
  it('FltQueueDeferredIoWorkItem on the draining copy fails with STATUS_FLT_DELETING_OBJECT; teardown and the create finish', () => {
    const { sim, outcomes, from, detach, app, end } = drainWith(function* (data) {
      return ntStatusName(FltQueueDeferredIoWorkItem(yield* FltAllocateDeferredIoWorkItem(), data, () => undefined, 'DelayedWorkQueue', null));
    });
    expect(outcomes).toEqual(['STATUS_FLT_DELETING_OBJECT']);
    expect(compactTrace(sim.log, { from, types: ['DrainPostOperation', 'RoutineFailed', 'DrainPostOperationReturned', 'InstanceTeardownComplete'] }).map((l) => l.replace(/ params=\S+/, ''))).toEqual([
      'D1(CREATE \\f.txt) DrainPostOperation instance=I1:upper@300000 on C:',
      'D1(CREATE \\f.txt) RoutineFailed routine=FltQueueDeferredIoWorkItem status=STATUS_FLT_DELETING_OBJECT (draining copy of D1: I1 is tearing down)',
      'D1(CREATE \\f.txt) DrainPostOperationReturned instance=I1:upper@300000 on C: FLT_POSTOP_FINISHED_PROCESSING',
      'I1(upper@300000 on C:) InstanceTeardownComplete reason=MANUAL',
    ]);
    expect(detach.result).toBe(STATUS_SUCCESS);
    expect(end.reason).toBe('idle');
    expect(app.result).toMatchObject({ status: STATUS_SUCCESS });
    expect(sim.state().violations).toEqual([]);
  });

  // Routines that only read the operation answer the copy as they answer the operation's own data.
  it('FltGetRequestorProcessId, FltGetEcpListFromCallbackData and FltGetFileNameInformation read the operation the copy belongs to (§23.1, §22.2, §16.3)', () => {
    const { sim, outcomes, app } = drainWith(function* (data, objects) {
      const pid = FltGetRequestorProcessId(data);
      const ecps = FltGetEcpListFromCallbackData(objects.Filter, data);
      const name = yield* FltGetFileNameInformation(data, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT);
      if (name.FileNameInformation !== null) FltReleaseFileNameInformation(name.FileNameInformation);
      return `pid=${pid} ecps=${ntStatusName(ecps.status)}:${ecps.EcpList} name=${ntStatusName(name.status)}:${name.FileNameInformation?.Name ?? null}`;
    });
    // The application's process (§23.1), the create's (empty) ECP list (§22.2), the name parsed from
    // the file object the create opens (§16.3: opened names of a create in flight come from its FileName).
    const state = sim.state();
    const pid = state.processes[state.threads[app.id]!.process]!.pid;
    expect(outcomes).toEqual([`pid=${pid} ecps=STATUS_SUCCESS:null name=STATUS_SUCCESS:\\Device\\HarddiskVolume1\\f.txt`]);
    expect(state.violations).toEqual([]);
  });

  it('the dirty flag routines work on the copy itself', () => {
    const { outcomes } = drainWith((data) => {
      FltSetCallbackDataDirty(data);
      return `dirty=${FltIsCallbackDataDirty(data)}`;
    });
    expect(outcomes).toEqual(['dirty=true']);
  });

  // Routines a draining post-op may not use on its copy: each is the filter's mistake, named by its rule;
  // the draining thread (the detach) ends, as a bugcheck would end it, and the log says why.
  it.each([
    ['FltCompletePendedPostOperation', 'D1', 'COMPLETE_NOT_PENDED', (data: FLT_CALLBACK_DATA) => FltCompletePendedPostOperation(data)],
    ['FltCompletePendedPreOperation', 'D1', 'COMPLETE_NOT_PENDED', (data: FLT_CALLBACK_DATA) => FltCompletePendedPreOperation(data, FLT_PREOP_SUCCESS_NO_CALLBACK, null)],
    ['FltFreeCallbackData', 'D1', 'FREE_NOT_OWNED', (data: FLT_CALLBACK_DATA) => (FltFreeCallbackData(data), undefined)],
    ['FltReissueSynchronousIo', 'I1', 'REISSUE_NOT_SYNCHRONIZED', (data: FLT_CALLBACK_DATA, objects: FLT_RELATED_OBJECTS) => FltReissueSynchronousIo(objects.Instance, data)],
  ] as const)('%s on the draining copy is a finding on %s: the verifier rule %s, not an internal error', (_routine, object, rule, call) => {
    const { sim, outcomes } = drainWith(function* (data, objects) {
      const r = call(data, objects);
      if (r !== undefined) yield* r;
      return 'returned';
    });
    expect(outcomes).toEqual([]);
    expect(sim.state().violations.map((v) => [v.object, v.rule])).toEqual([[object, rule]]);
    expect(sim.state().threads['T4']).toMatchObject({ name: 'fltmc detach upper', state: 'exited', error: rule });
  });

  it('Data no simulation handed out is a UsageError naming the routine', () => {
    const fake = { Flags: 0, Iopb: {}, IoStatus: { Status: 0, Information: 0 } } as unknown as FLT_CALLBACK_DATA;
    const sim = createSimulation();
    const allocated = sim.spawn('filter thread', () => FltAllocateDeferredIoWorkItem());
    sim.run();
    const item = allocated.result as FltWorkItem;
    expect(() => FltQueueDeferredIoWorkItem(item, fake, () => undefined, 'DelayedWorkQueue', null)).toThrow(UsageError);
    expect(() => FltQueueDeferredIoWorkItem(item, fake, () => undefined, 'DelayedWorkQueue', null)).toThrow(/NOT_CALLBACK_DATA.*FltQueueDeferredIoWorkItem/);
  });
});
