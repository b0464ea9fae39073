// §10 and §14 invariant 1's exception: FltCreateFile with Instance = NULL starts at the top of the
// stack, so a pre-create that opens the same name that way re-enters itself on its own thread. On
// Windows the kernel stack overflows; fltsim names the mistake with the chain of operations.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  explore,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FltClose,
  FltCreateFile,
  IRP_MJ_CREATE,
  MAX_CALLBACK_REENTRY,
  type Explorable,
  type PFLT_INSTANCE,
  type Simulation,
} from '../../src/index.js';
import { installFilter, operations } from '../../src/testing/index.js';

/** The scanner's policy check gone wrong: its pre-create opens `target` (Instance = NULL unless `own`). */
function policyFilter(sim: Simulation, target: (name: string) => string | null, own = false): void {
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.txt', 'data');
  sim.fileSystem('C:').writeFile('\\policy.dat', 'allow');
  installFilter(sim, {
    name: 'policy',
    altitude: '320000',
    registration: {
      OperationRegistration: operations([IRP_MJ_CREATE], {
        PreOperation: function* (data, objects) {
          const name = target(data.Iopb.TargetFileObject!.FileName);
          if (name === null) return FLT_PREOP_SUCCESS_NO_CALLBACK;
          const instance: PFLT_INSTANCE | null = own ? objects.Instance : null;
          const r = yield* FltCreateFile(objects.Filter, instance, FILE_GENERIC_READ, { ObjectName: `C:${name}` }, 0, 0, FILE_SHARE_READ, FILE_OPEN);
          if (r.FileHandle !== null) yield* FltClose(r.FileHandle);
          return FLT_PREOP_SUCCESS_NO_CALLBACK;
        },
      }),
    },
  });
  sim.run();
  sim.spawn('app', () => sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN }));
}

describe('self-recursion through FltCreateFile(Instance = NULL) (§10)', () => {
  it('is the finding CALLBACK_RECURSION on the instance, with the chain of creates, after MAX_CALLBACK_REENTRY entries; the run returns at once', () => {
    const sim = createSimulation({ onViolation: 'record' });
    policyFilter(sim, (name) => name); // opens the very name it is asked about
    const end = sim.run();
    expect(end.reason).not.toBe('limit');
    expect(MAX_CALLBACK_REENTRY).toBe(8);
    const finding = sim.log.find((f) => f.type === 'VerifierViolation')!;
    expect(finding).toMatchObject({ object: 'I1', rule: 'CALLBACK_RECURSION' });
    expect(finding.type === 'VerifierViolation' && finding.message).toBe(
      'PreOperation of I1 entered 9 times on one thread, each time from I/O the one before issued: ' +
        'D1 IRP_MJ_CREATE \\f.txt → D2 IRP_MJ_CREATE \\f.txt → D3 IRP_MJ_CREATE \\f.txt → D4 IRP_MJ_CREATE \\f.txt → D5 IRP_MJ_CREATE \\f.txt → ' +
        'D6 IRP_MJ_CREATE \\f.txt → D7 IRP_MJ_CREATE \\f.txt → D8 IRP_MJ_CREATE \\f.txt → D9 IRP_MJ_CREATE \\f.txt (§10, §14 inv. 1)',
    );
    // The application's thread is the one whose stack overflowed: it ends there; nothing else crashed.
    expect(sim.state().threads['T2']).toMatchObject({ name: 'app', state: 'exited', error: 'CALLBACK_RECURSION' });
    expect(sim.state().violations.map((v) => v.rule)).toEqual(['CALLBACK_RECURSION']);
  });

  it("with onViolation 'throw' run() ends with the VerifierError, not a RangeError", () => {
    const sim = createSimulation();
    policyFilter(sim, (name) => name);
    expect(() => sim.run()).toThrow(/\[CALLBACK_RECURSION\] PreOperation of I1 entered 9 times/);
  });

  it('a bounded re-entry is legal: the pre-create opening another file from the top re-enters itself once', () => {
    const sim = createSimulation({ onViolation: 'record' });
    policyFilter(sim, (name) => (name === '\\f.txt' ? '\\policy.dat' : null));
    expect(sim.run().reason).toBe('idle');
    expect(sim.state().violations).toEqual([]);
    expect(sim.state().threads['T2']).toMatchObject({ state: 'exited', error: null });
  });

  it('explore reports the same finding; the fix (its own instance) passes', () => {
    const buggy: Explorable = { build: (sim) => policyFilter(sim, (name) => name) };
    const fixed: Explorable = { build: (sim) => policyFilter(sim, (name) => name, true) };
    expect(explore(buggy, { strategy: 'random', seed: 1, schedules: 5, shrink: false }).violation).toMatchObject({ kind: 'verifier', name: 'CALLBACK_RECURSION' });
    expect(explore(fixed, { strategy: 'random', seed: 1, schedules: 20 }).found).toBe(false);
  });
});
