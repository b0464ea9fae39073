// §2, §4, §14 invariants 17 and 18, §15.9: an unload that hangs says what holds it — by kind and object —
// in the log (RundownWait), in sim.state() (waitingFor) and in the deadlock report (heldBy).
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  explore,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_STREAM_CONTEXT,
  FltAllocateContext,
  FltCreateFileEx,
  FltObjectReference,
  FltSetStreamContext,
  IRP_MJ_CREATE,
  NonPagedPool,
  NT_SUCCESS,
  STATUS_SUCCESS,
  type Explorable,
  type FLT_RELATED_OBJECTS,
  type Simulation,
} from '../../src/index.js';
import { compactTrace, installFilter, operations } from '../../src/testing/index.js';

/**
 * A filter with two mistakes: its worker takes a reference on its instance and never drops it, and
 * its pre-create pends creates of \pend.txt and never completes them.
 */
function stuckFilter(sim: Simulation): void {
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\log.txt', '');
  let objects: FLT_RELATED_OBJECTS | null = null;
  installFilter(sim, {
    name: 'stuck',
    altitude: '300000',
    registration: {
      InstanceSetupCallback: (o) => ((objects = o), STATUS_SUCCESS),
      OperationRegistration: operations([IRP_MJ_CREATE], {
        PreOperation: (data) => (data.Iopb.TargetFileObject!.FileName === '\\pend.txt' ? FLT_PREOP_PENDING : FLT_PREOP_SUCCESS_NO_CALLBACK),
      }),
    },
  });
  sim.run();
  sim.spawn('stuck worker', function* () {
    FltObjectReference(objects!.Instance);
    yield* FltCreateFileEx(objects!.Filter, objects!.Instance, FILE_GENERIC_READ, { ObjectName: 'C:\\log.txt' }, 0, 0, FILE_SHARE_READ, FILE_OPEN);
  });
  sim.run();
  sim.spawn('app', () => sim.io.NtCreateFile('C:\\pend.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN }));
  sim.run();
  sim.spawn('fltmc unload stuck', () => sim.FilterUnload('stuck'));
}

describe('what holds a hung unload (§2, §4, §14 inv. 17, 18)', () => {
  it('TeardownComplete waits for the pended create, named with the instance that pended it', () => {
    const sim = createSimulation({ onViolation: 'record' });
    stuckFilter(sim);
    const r = sim.run();
    expect(r.reason).toBe('deadlock');
    expect(compactTrace(sim.log, { types: ['RundownWait'] })).toEqual([
      'I1(stuck@300000 on C:) RundownWait drain of I1 held by: operation D2 IRP_MJ_CREATE \\pend.txt pended by I1 (pre-operation)',
    ]);
    // The instance's drain is what the unload thread waits for now; sim.state() says why.
    expect(sim.state().instances['I1']!.waitingFor).toEqual(['operation D2 IRP_MJ_CREATE \\pend.txt pended by I1 (pre-operation)']);
    expect(r.reason === 'deadlock' && r.blocked.map((b) => ({ name: b.name, reason: b.reason, heldBy: b.heldBy }))).toEqual([
      { name: 'app', reason: 'D2 completion', heldBy: undefined },
      { name: 'fltmc unload stuck', reason: 'drain of I1', heldBy: ['operation D2 IRP_MJ_CREATE \\pend.txt pended by I1 (pre-operation)'] },
    ]);
  });

  it('past the drain, the unload gate names the reference and who took it', () => {
    const sim = createSimulation({ onViolation: 'record' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\log.txt', '');
    let objects: FLT_RELATED_OBJECTS | null = null;
    installFilter(sim, { name: 'stuck', altitude: '300000', registration: { InstanceSetupCallback: (o) => ((objects = o), STATUS_SUCCESS) } });
    sim.run();
    sim.spawn('stuck worker', function* () {
      FltObjectReference(objects!.Instance);
      yield* FltCreateFileEx(objects!.Filter, objects!.Instance, FILE_GENERIC_READ, { ObjectName: 'C:\\log.txt' }, 0, 0, FILE_SHARE_READ, FILE_OPEN);
    });
    sim.run();
    sim.spawn('fltmc unload stuck', () => sim.FilterUnload('stuck'));
    const r = sim.run();
    const held = ['reference on I1 taken by T2 (stuck worker) at #10'];
    expect(compactTrace(sim.log, { types: ['RundownWait'] })).toEqual([`F1(stuck) RundownWait unload gate of F1 held by: ${held.join('; ')}`]);
    expect(sim.state().filters['F1']!.waitingFor).toEqual(held);
    expect(r.reason === 'deadlock' && r.blocked.map((b) => b.heldBy)).toEqual([held]);
    expect(sim.log[10]).toMatchObject({ type: 'FltObjectReference', object: 'I1' });
  });

  it("explore's deadlock report carries the holders", () => {
    const scenario: Explorable = { build: (sim) => stuckFilter(sim) };
    const r = explore(scenario, { strategy: 'random', seed: 1, schedules: 3, shrink: false });
    expect(r.violation).toMatchObject({ kind: 'deadlock' });
    expect(r.violation!.message).toContain('waits on W');
    expect(r.violation!.message).toContain('held by operation D2 IRP_MJ_CREATE \\pend.txt pended by I1 (pre-operation)');
  });
});

describe('a leaked context holds the unload, and the unload names it (§15.9)', () => {
  it('past the unload gate, FltUnregisterFilter waits for the context reference the post-create never released', () => {
    const sim = createSimulation({ onViolation: 'record' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\doc.txt', 'x');
    installFilter(sim, {
      name: 'ctx',
      altitude: '300000',
      registration: {
        ContextRegistration: [{ ContextType: FLT_STREAM_CONTEXT, Size: 8, PoolTag: 1 }],
        OperationRegistration: operations([IRP_MJ_CREATE], {
          PostOperation: function* (data, objects) {
            if (!NT_SUCCESS(data.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING;
            const stream = FltAllocateContext(objects.Filter, FLT_STREAM_CONTEXT, 8, NonPagedPool).context!;
            yield* FltSetStreamContext(objects.Instance, objects.FileObject!, FLT_SET_CONTEXT_KEEP_IF_EXISTS, stream);
            // The mistake: the allocation's reference is never released (FltReleaseContext).
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        }),
      },
    });
    sim.run();
    sim.spawn('app', function* () {
      const r = yield* sim.io.NtCreateFile('C:\\doc.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN });
      yield* sim.io.NtClose(r.handle!);
      yield* sim.FilterUnload('ctx');
    });
    const r = sim.run();
    expect(r.reason).toBe('deadlock');
    const context = Object.keys(sim.state().contexts)[0]!;
    const held = [`context ${context} (FLT_STREAM_CONTEXT) RefCount 1`];
    expect(compactTrace(sim.log, { types: ['VerifierViolation', 'RundownWait'] })).toEqual([
      `F1(ctx) VerifierViolation rule=CONTEXT_LEAKED FILTER VERIFIER: ctx leaked references to FLT_CONTEXT: 1 (${context} RefCount 1); FltUnregisterFilter waits for them`,
      `F1(ctx) RundownWait contexts of F1 held by: ${held.join('; ')}`,
    ]);
    expect(sim.state().filters['F1']!.waitingFor).toEqual(held);
    expect(r.reason === 'deadlock' && r.blocked.map((b) => ({ name: b.name, reason: b.reason, heldBy: b.heldBy }))).toEqual([{ name: 'app', reason: 'contexts of F1', heldBy: held }]);
  });
});
