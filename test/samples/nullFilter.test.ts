// The WDK nullFilter sample, ported (examples/samples/nullFilter): wdk-samples checks 1 and 2 —
// no automatic attachment (INF Flags 0x1, §3), an instance made by `fltmc attach` at 370020 that
// sees no operation (no callbacks registered, §7), and an unload that tears it down (§2, §4).
import { describe, expect, it } from 'vitest';
import { explore, STATUS_SUCCESS } from '../../src/index.js';
import { compactTrace } from '../../src/testing/index.js';
import { scenario } from '../../examples/samples/nullFilter/index.js';
import { fltsimRun, resultOf, runSample } from './run.js';

describe('nullFilter sample (wdk-samples §1)', () => {
  it('check 1: loading attaches nothing; fltmc attach makes Null Instance at 370020, which sees none of the I/O', () => {
    const { sim, reason } = runSample(scenario);
    expect(reason).toBe('idle');
    const lifetime = compactTrace(sim.log, { types: ['FltRegisterFilter', 'FltStartFiltering', 'InstanceSetup', 'InstanceSetupReturned', 'PreOperation', 'PostOperation'] });
    expect(lifetime).toEqual([
      'F1(NullFilter) FltRegisterFilter name=NullFilter flags=0x0',
      'F1(NullFilter) FltStartFiltering',
      // The only instance is the one the attach asked for: MANUAL_ATTACHMENT, not AUTOMATIC.
      'I1(NullFilter@370020 on C:) InstanceSetup filter=F1:NullFilter volume=V1:C: name="Null Instance" altitude=370020 frame=0 flags=MANUAL_ATTACHMENT',
      'I1(NullFilter@370020 on C:) InstanceSetupReturned status=STATUS_SUCCESS',
    ]);
    // The applications' I/O ran through the volume with the instance attached, and no callback.
    expect(compactTrace(sim.log, { types: ['IoComplete'] })).toHaveLength(10);
  });

  it('check 2: NullUnload returns STATUS_SUCCESS and FltUnregisterFilter tears the attached instance down', () => {
    const { sim } = runSample(scenario);
    const unload = compactTrace(sim.log).slice(-9);
    expect(unload).toEqual([
      'F1(NullFilter) FilterUnloadCallback flags=0',
      'F1(NullFilter) FltUnregisterFilter',
      'I1(NullFilter@370020 on C:) InstanceTeardownStart reason=FILTER_UNLOAD',
      'I1(NullFilter@370020 on C:) InstanceTeardownStartReturned',
      'I1(NullFilter@370020 on C:) InstanceTeardownComplete reason=FILTER_UNLOAD',
      'I1(NullFilter@370020 on C:) InstanceTeardownCompleteReturned',
      'I1(NullFilter@370020 on C:) InstanceFreed',
      'F1(NullFilter) FltUnregisterFilterReturned',
      'F1(NullFilter) FilterUnloadReturned status=STATUS_SUCCESS',
    ]);
    expect(resultOf(sim, 'fltmc unload NullFilter')).toBe(STATUS_SUCCESS);
    expect(sim.state().filters.F1!.state).toBe('Unloaded');
  });

  it('fltsim run examples/samples/nullFilter exits 0, idle', async () => {
    const r = await fltsimRun('nullFilter');
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^# fltsim run sample-nullFilter, seed 1, strategy in-order: idle after \d+ facts/);
  });

  // 30 schedules in npm test; test:deep explores 2,000 at PCT depth 3 (nullFilter.deep.test.ts).
  it('PCT: against the attach, two applications and the unload, no violation in 30 schedules', () => {
    const r = explore(scenario, { strategy: 'pct', seed: 1, schedules: 30, shrink: false });
    expect(r.violation).toBeNull();
    expect(r.schedules).toBe(30);
  });
});
