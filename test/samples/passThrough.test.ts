// The WDK passThrough sample, ported (examples/samples/passThrough): wdk-samples checks 1–3 —
// every pre-op SUCCESS_WITH_CALLBACK and every post-op FINISHED_PROCESSING (§7, §8), the oplock
// requests' status through FltRequestOperationStatusCallback (STATUS_PENDING before the post-op when
// the file system pends them), InstanceSetup on every volume (§3), and the unload (§2, §4).
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  explore,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  STATUS_OPLOCK_NOT_GRANTED,
  type ScenarioArgs,
} from '../../src/index.js';
import { compactTrace } from '../../src/testing/index.js';
import { passThroughSystem, scenario } from '../../examples/samples/passThrough/index.js';
import { fltsimRun, resultOf, runSample } from './run.js';

function run(args: ScenarioArgs) {
  const options = typeof scenario.options === 'function' ? scenario.options(1, args) : {};
  const sim = createSimulation({ ...options, seed: 1 });
  const image = passThroughSystem(sim, args);
  expect(sim.run().reason).toBe('idle');
  return { sim, image };
}

describe('passThrough sample (wdk-samples §2)', () => {
  it('check 1 and 3: attached to C: by its INF at 370030; every pre-op passes with a callback, every post-op finishes', () => {
    const { sim } = runSample(scenario);
    expect(compactTrace(sim.log, { types: ['InstanceSetup', 'InstanceSetupReturned'] })).toEqual([
      'I1(PassThrough@370030 on C:) InstanceSetup filter=F1:PassThrough volume=V1:C: name="PassThrough Instance" altitude=370030 frame=0 flags=AUTOMATIC_ATTACHMENT',
      'I1(PassThrough@370030 on C:) InstanceSetupReturned status=STATUS_SUCCESS',
    ]);
    const pre = sim.log.filter((f) => f.type === 'PreOperationReturned');
    const post = sim.log.filter((f) => f.type === 'PostOperationReturned');
    expect(pre.length).toBeGreaterThan(0);
    expect(new Set(pre.map((f) => f.type === 'PreOperationReturned' && f.result))).toEqual(new Set([FLT_PREOP_SUCCESS_WITH_CALLBACK]));
    expect(new Set(post.map((f) => f.type === 'PostOperationReturned' && f.result))).toEqual(new Set([FLT_POSTOP_FINISHED_PROCESSING]));
    // One post-op per operation it saw before the unload: nothing is lost or doubled.
    expect(post).toHaveLength(pre.length);
    expect(compactTrace(sim.log).slice(-2)).toEqual(['F1(PassThrough) FltUnregisterFilterReturned', 'F1(PassThrough) FilterUnloadReturned status=STATUS_SUCCESS']);
  });

  it('check 2: the file system pends the oplock requests — PtOperationStatusCallback hears STATUS_PENDING on the requesting thread, before the post-op', () => {
    const { sim, image } = run({ completion: 'deferred', gTraceFlags: 2 });
    const fsctl = compactTrace(sim.log, { types: ['FltRequestOperationStatusCallback', 'FsPending', 'OperationStatusCallback', 'FsComplete', 'PostOperation'] })
      .filter((l) => l.includes('FILE_SYSTEM_CONTROL'))
      .map((l) => l.replace(/ params=.*/, '').replace(/ instance=I1:PassThrough@370030 on C:/, ''));
    expect(fsctl).toEqual([
      'D3(FILE_SYSTEM_CONTROL \\shared.doc) FltRequestOperationStatusCallback',
      'D3(FILE_SYSTEM_CONTROL \\shared.doc) FsPending completesAt=2',
      'D3(FILE_SYSTEM_CONTROL \\shared.doc) OperationStatusCallback status=STATUS_PENDING',
      'D3(FILE_SYSTEM_CONTROL \\shared.doc) FsComplete status=STATUS_OPLOCK_NOT_GRANTED information=0',
      'D3(FILE_SYSTEM_CONTROL \\shared.doc) PostOperation',
      'D6(FILE_SYSTEM_CONTROL \\shared.doc) FltRequestOperationStatusCallback',
      'D6(FILE_SYSTEM_CONTROL \\shared.doc) FsPending completesAt=4',
      'D6(FILE_SYSTEM_CONTROL \\shared.doc) OperationStatusCallback status=STATUS_PENDING',
      'D6(FILE_SYSTEM_CONTROL \\shared.doc) FsComplete status=STATUS_OPLOCK_NOT_GRANTED information=0',
      'D6(FILE_SYSTEM_CONTROL \\shared.doc) PostOperation',
    ]);
    // What the sample prints with PTDBG_TRACE_OPERATION_STATUS: the context counts up from 2.
    expect(image.DbgPrint).toEqual([
      'PassThrough!PtOperationStatusCallback: Status=00000103 ctx=2 IrpMj=0d.00 "IRP_MJ_FILE_SYSTEM_CONTROL"',
      'PassThrough!PtOperationStatusCallback: Status=00000103 ctx=3 IrpMj=0d.00 "IRP_MJ_FILE_SYSTEM_CONTROL"',
    ]);
    expect(resultOf(sim, 'app 2')).toEqual([STATUS_OPLOCK_NOT_GRANTED, STATUS_OPLOCK_NOT_GRANTED]);
  });

  it('check 2, completed inside the send: the callback hears the file system\'s own status (the oplock is not granted)', () => {
    const { image } = run({ gTraceFlags: 2 });
    expect(image.DbgPrint).toEqual([
      'PassThrough!PtOperationStatusCallback: Status=c00000e2 ctx=2 IrpMj=0d.00 "IRP_MJ_FILE_SYSTEM_CONTROL"',
      'PassThrough!PtOperationStatusCallback: Status=c00000e2 ctx=3 IrpMj=0d.00 "IRP_MJ_FILE_SYSTEM_CONTROL"',
    ]);
  });

  it('fltsim run examples/samples/passThrough --arg completion=deferred exits 0, idle', async () => {
    const r = await fltsimRun('passThrough', '--arg', 'completion=deferred');
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^# fltsim run sample-passThrough, seed 1, strategy in-order: idle after \d+ facts/);
  });

  // 20 schedules in npm test; test:deep explores 3 × 500 at PCT depth 3 (passThrough.deep.test.ts).
  it('PCT: two applications against the unload, the file system pending every request: no violation in 20 schedules', () => {
    const r = explore(scenario, { strategy: 'pct', seed: 1, schedules: 20, shrink: false, args: { completion: 'deferred', unloadAt: '2' } });
    expect(r.violation).toBeNull();
  });
});
