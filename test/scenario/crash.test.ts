// Issue 10, "no internal error escapes": with onViolation 'record' (and in explore) anything that
// throws inside a simulated thread becomes the recorded finding CRASH, at its log position and on
// its thread; run() returns and the log stays whole (the fold of it equals the live state).
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  explore,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  foldLog,
  IRP_MJ_READ,
  type Explorable,
  type Simulation,
} from '../../src/index.js';
import { compactTrace, installFilter, operations } from '../../src/testing/index.js';

/** A filter whose pre-read has a bug JavaScript reports as a TypeError (a null dereference on Windows). */
function buggyReader(sim: Simulation): void {
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.txt', 'data');
  installFilter(sim, {
    name: 'buggy',
    altitude: '300000',
    registration: {
      OperationRegistration: operations([IRP_MJ_READ], {
        PreOperation: (data) => {
          const context = data.FilterContext[0] as { stream: { length: number } } | null;
          return context!.stream.length > 0 ? FLT_PREOP_SUCCESS_NO_CALLBACK : FLT_PREOP_SUCCESS_NO_CALLBACK;
        },
      }),
    },
  });
  sim.run();
  sim.spawn('reader', function* () {
    const r = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
    return (yield* sim.io.NtReadFile(r.handle!, 4, 0)).status;
  });
  sim.spawn('bystander', function* () {
    const r = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
    return r.status;
  });
}

describe('a throw inside the model is a CRASH finding, not an escaped exception', () => {
  it("with onViolation 'record': the finding names the failing thread and its position; run() returns; other threads finish; fold equals live", () => {
    const sim = createSimulation({ onViolation: 'record' });
    buggyReader(sim);
    const end = sim.run();
    expect(end.reason).toBe('idle');
    const crash = sim.log.find((f) => f.type === 'VerifierViolation')!;
    expect(crash).toMatchObject({ object: 'T2', rule: 'CRASH' });
    expect(crash.type === 'VerifierViolation' && crash.message).toMatch(/^reader \(T2\) crashed inside the model: TypeError: /);
    expect(compactTrace(sim.log, { types: ['PreOperation', 'VerifierViolation', 'ThreadExit'] }).slice(-4).map((l) => l.replace(/ params=\S+|: TypeError.*/g, ''))).toEqual([
      'D2(READ \\f.txt) PreOperation instance=I1:buggy@300000 on C:',
      'T2(reader) VerifierViolation rule=CRASH reader (T2) crashed inside the model',
      'T2(reader) ThreadExit error=CRASH',
      'T3(bystander) ThreadExit result=STATUS_SUCCESS',
    ]);
    expect(sim.state().violations).toEqual([{ seq: crash.seq, object: 'T2', rule: 'CRASH' }]);
    expect(sim.state().threads['T3']).toMatchObject({ name: 'bystander', state: 'exited', result: 0 });
    expect(JSON.parse(JSON.stringify(foldLog(sim.log)))).toEqual(JSON.parse(JSON.stringify(sim.state())));
  });

  it("with onViolation 'throw' (the default) the error still ends run(), after the thread's exit is logged", () => {
    const sim = createSimulation();
    buggyReader(sim);
    expect(() => sim.run()).toThrow(TypeError);
    expect(sim.log.at(-1)).toMatchObject({ type: 'ThreadExit', object: 'T2' });
  });

  it('explore reports it as the finding CRASH with the schedule that reached it', () => {
    const scenario: Explorable = { build: (sim) => buggyReader(sim) };
    const r = explore(scenario, { strategy: 'random', seed: 1, schedules: 3, shrink: false });
    expect(r.found).toBe(true);
    expect(r.violation).toMatchObject({ kind: 'verifier', name: 'CRASH' });
    expect(r.violation!.message).toMatch(/T2: reader \(T2\) crashed inside the model: TypeError/);
  });
});
