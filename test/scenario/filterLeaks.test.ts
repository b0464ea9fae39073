// §2 and §11.2–11.3: files a filter opened with FltCreateFileEx and kept past TeardownComplete.
// Windows does not tie them to the filter: FltUnregisterFilter returns and Filter Verifier reports
// each leak with its opener. `semantics.leakedFilesHoldUnload` makes them hold the unload instead,
// and a hung unload names them (§2, §14 inv. 18).
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FltClose,
  FltCreateFileEx,
  IRP_MJ_CLEANUP,
  IRP_MJ_CLOSE,
  ObDereferenceObject,
  sleep,
  STATUS_SUCCESS,
  type FltCreateFileExResult,
  type SimulationOptions,
} from '../../src/index.js';
import { compactTrace, installFilter } from '../../src/testing/index.js';

/** A filter whose InstanceSetup opens C:\log.txt for itself; `closeAfter` ticks later a worker of it closes it (never, if null). */
function loggerSystem(options: SimulationOptions, closeAfter: number | null) {
  const sim = createSimulation({ onViolation: 'record', ...options });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\log.txt', '');
  let log: FltCreateFileExResult | null = null;
  installFilter(sim, {
    name: 'logger',
    altitude: '300000',
    registration: {
      InstanceSetupCallback: function* (objects) {
        log = yield* FltCreateFileEx(objects.Filter, objects.Instance, FILE_GENERIC_READ, { ObjectName: 'C:\\log.txt' }, 0, 0, FILE_SHARE_READ, FILE_OPEN);
        return STATUS_SUCCESS;
      },
    },
  });
  sim.run();
  const unload = sim.spawn('fltmc unload logger', () => sim.FilterUnload('logger'));
  if (closeAfter !== null) {
    sim.spawn('logger worker', function* () {
      yield* sleep(closeAfter);
      yield* FltClose(log!.FileHandle!);
      yield* ObDereferenceObject(log!.FileObject!);
    });
  }
  return { sim, unload, file: () => log! };
}

describe('files a filter never closed (§2, §11.2, §11.3)', () => {
  it('by default the unload completes and each leak is reported with its opener; the FS never sees the file closed', () => {
    const { sim, unload, file } = loggerSystem({}, null);
    const from = sim.log.findIndex((f) => f.type === 'FltUnregisterFilter');
    expect(sim.run().reason).toBe('idle');
    expect(unload.result).toBe(STATUS_SUCCESS);
    expect(compactTrace(sim.log, { from, types: ['InstanceTeardownComplete', 'VerifierViolation', 'FltUnregisterFilterReturned'] })).toEqual([
      'I1(logger@300000 on C:) InstanceTeardownComplete reason=FILTER_UNLOAD',
      'O1(\\log.txt) VerifierViolation rule=FILE_HANDLE_LEAKED logger unregistered with kernel handle H1 to O1(\\log.txt) still open (opened by I1 on T1 (DriverEntry(logger)) at #14); FltClose it, at the latest in InstanceTeardownComplete',
      "O1(\\log.txt) VerifierViolation rule=FILE_OBJECT_LEAKED logger unregistered still holding the reference FltCreateFileEx handed it on O1(\\log.txt) (opened by I1 on T1 (DriverEntry(logger)) at #14); ObDereferenceObject it",
      'F1(logger) FltUnregisterFilterReturned',
    ]);
    expect(sim.log[14]).toMatchObject({ type: 'FileObjectHandleCreated', object: 'O1', handle: 'H1' });
    expect(sim.state().fileObjects['O1']).toMatchObject({ state: 'HandleCreated', handles: ['H1'] });
    // FltClose on the dead filter's handle afterwards is refused, and the file stays open.
    sim.spawn('late close', () => FltClose(file().FileHandle!));
    sim.run();
    expect(sim.state().violations.map((v) => [v.object, v.rule])).toEqual([['O1', 'FILE_HANDLE_LEAKED'], ['O1', 'FILE_OBJECT_LEAKED'], ['F1', 'HANDLE_OF_UNLOADED_FILTER']]);
    expect(sim.log.filter((f) => f.type === 'IoStart' && (f.major === IRP_MJ_CLEANUP || f.major === IRP_MJ_CLOSE))).toEqual([]);
  });

  it('with semantics.leakedFilesHoldUnload the unload waits until the filter closes them, and nothing is reported', () => {
    const { sim, unload } = loggerSystem({ semantics: { leakedFilesHoldUnload: true } }, 40);
    expect(sim.run().reason).toBe('idle');
    expect(unload.result).toBe(STATUS_SUCCESS);
    const returned = sim.log.find((f) => f.type === 'FltUnregisterFilterReturned')!;
    const closed = sim.log.find((f) => f.type === 'FileObjectClose')!;
    expect(returned.time).toBe(40);
    expect(returned.seq).toBeGreaterThan(closed.seq);
    expect(sim.state().violations).toEqual([]);
  });

  it('with semantics.leakedFilesHoldUnload and no close, the unload hangs on its gate, which names each open file and its opener', () => {
    const { sim } = loggerSystem({ semantics: { leakedFilesHoldUnload: true } }, null);
    const r = sim.run();
    expect(r.reason).toBe('deadlock');
    const held = [
      'open file: handle H1 to O1(\\log.txt) opened by I1 on T1 (DriverEntry(logger)) at #14',
      'open file: FltCreateFileEx reference on O1(\\log.txt) opened by I1 on T1 (DriverEntry(logger)) at #14',
    ];
    expect(r.reason === 'deadlock' && r.blocked.map((b) => ({ name: b.name, reason: b.reason, heldBy: b.heldBy }))).toEqual([{ name: 'fltmc unload logger', reason: 'unload gate of F1', heldBy: held }]);
    expect(compactTrace(sim.log, { types: ['RundownWait'] })).toEqual([`F1(logger) RundownWait unload gate of F1 held by: ${held.join('; ')}`]);
    expect(sim.state().filters['F1']!.waitingFor).toEqual(held);
  });
});
