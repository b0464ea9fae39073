// Issue 10 item 8: generated I/O from an instance whose TeardownComplete callback is running, issued
// by a thread that holds no reference on it (§4 steps 5-6, §11 "common", §12). I/O during teardown
// is allowed (TeardownComplete is where a filter closes its files), and the operation references its
// initiating instance until it completes: the instance is freed only after that I/O, never under it.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FltClose,
  FltCreateFile,
  FltDetachVolume,
  ntStatusName,
  sleep,
  STATUS_SUCCESS,
  type FLT_RELATED_OBJECTS,
} from '../../src/index.js';
import { compactTrace, installFilter } from '../../src/testing/index.js';
import { checkGeneratedInvariants } from '../../src/checkers/generatedInvariants.js';

describe('I/O issued while TeardownComplete runs (§4, §12)', () => {
  it('a worker without a reference opens a file through the instance during TeardownComplete: the create completes, then the instance is freed', () => {
    // The file system completes later, so the create is still below the instance when TeardownComplete returns.
    const sim = createSimulation({ onViolation: 'record', fileSystemCompletion: 'deferred', fileSystemLatency: 5 });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\cache.db', 'x');
    let objects: FLT_RELATED_OBJECTS | null = null;
    let tearingDown = false;
    const results: string[] = [];
    const f = installFilter(sim, {
      name: 'cache',
      altitude: '300000',
      registration: {
        InstanceSetupCallback: (o) => ((objects = o), STATUS_SUCCESS),
        InstanceQueryTeardownCallback: () => STATUS_SUCCESS,
        InstanceTeardownCompleteCallback: function* () {
          tearingDown = true;
          yield* sleep(3); // the worker runs meanwhile
        },
      },
    });
    sim.run();
    // The filter's worker thread: it took no reference on the instance (the filter's bug, not a crash).
    sim.spawn('cache worker', function* () {
      while (!tearingDown) yield* sleep(1);
      const o = objects!;
      const r = yield* FltCreateFile(o.Filter, o.Instance, FILE_GENERIC_READ, { ObjectName: 'C:\\cache.db' }, 0, 0, FILE_SHARE_READ, FILE_OPEN);
      results.push(`create ${ntStatusName(r.status)}`);
      if (r.FileHandle !== null) results.push(`close ${ntStatusName(yield* FltClose(r.FileHandle))}`);
    });
    sim.spawn('fltmc detach', () => FltDetachVolume(f.filter(), objects!.Volume, null));
    expect(sim.run().reason).toBe('idle');
    expect(results).toEqual(['create STATUS_SUCCESS', 'close STATUS_SUCCESS']);
    const trace = compactTrace(sim.log, { types: ['InstanceTeardownComplete', 'InstanceTeardownCompleteReturned', 'IoStart', 'IoComplete', 'InstanceFreed'] });
    expect(trace.filter((l) => !l.includes('CLEANUP') && !l.includes('CLOSE'))).toEqual([
      'I1(cache@300000 on C:) InstanceTeardownComplete reason=MANUAL',
      'D1(CREATE \\cache.db) IoStart IRP_MJ_CREATE file=O1:\\cache.db from=I1:cache@300000 on C: flags=IRP_OPERATION KernelMode {Desired Access: Generic Read, Disposition: Open, Options: n/a, Attributes: n/a, ShareMode: Read}',
      'I1(cache@300000 on C:) InstanceTeardownCompleteReturned',
      'D1(CREATE \\cache.db) IoComplete status=STATUS_SUCCESS information=FILE_OPENED',
      'I1(cache@300000 on C:) InstanceFreed',
    ]);
    expect(sim.state().violations).toEqual([]);
    expect(checkGeneratedInvariants(sim.log)).toEqual([]);
  });
});
