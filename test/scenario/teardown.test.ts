// §4: teardown order, dismount, and races between the three ways an instance can be torn down.
import { describe, expect, it } from 'vitest';
import { createSimulation, FltUnregisterFilter, sleep } from '../../src/index.js';
import { STATUS_SUCCESS } from '../../src/wdk/ntstatus.js';
import { compactTrace, installFilter } from '../../src/testing/index.js';

describe('instance teardown (§4)', () => {
  it('dismount tears down every instance on the volume, top of the stack first, with VOLUME_DISMOUNT', () => {
    const sim = createSimulation();
    const c = sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume2', dosName: 'D:' });
    installFilter(sim, { name: 'low', altitude: '100' });
    installFilter(sim, { name: 'high', altitude: '300' });
    sim.run();
    const from = sim.log.length;
    const t = sim.dismountVolume(c);
    sim.run();
    expect(t.result).toBe(STATUS_SUCCESS);
    expect(compactTrace(sim.log, { from })).toEqual([
      'V1(C:) VolumeDismount',
      'I3(high@300 on C:) InstanceTeardownStart reason=VOLUME_DISMOUNT',
      'I3(high@300 on C:) InstanceTeardownStartReturned',
      'I3(high@300 on C:) InstanceTeardownComplete reason=VOLUME_DISMOUNT',
      'I3(high@300 on C:) InstanceTeardownCompleteReturned',
      'I3(high@300 on C:) InstanceFreed',
      'I1(low@100 on C:) InstanceTeardownStart reason=VOLUME_DISMOUNT',
      'I1(low@100 on C:) InstanceTeardownStartReturned',
      'I1(low@100 on C:) InstanceTeardownComplete reason=VOLUME_DISMOUNT',
      'I1(low@100 on C:) InstanceTeardownCompleteReturned',
      'I1(low@100 on C:) InstanceFreed',
      'V1(C:) VolumeDismounted',
    ]);
    // D: is untouched, and the filters keep filtering.
    const st = sim.state();
    expect(st.volumes.V2!.stack).toEqual(['I4', 'I2']);
    expect([st.filters.F1!.state, st.filters.F2!.state]).toEqual(['Filtering', 'Filtering']);
  });

  it('for every instance TeardownStart precedes TeardownComplete, and each instance finishes before the next starts', () => {
    const sim = createSimulation();
    for (const v of [1, 2, 3]) sim.mountVolume({ name: `\\Device\\HarddiskVolume${v}`, dosName: `${String.fromCharCode(66 + v)}:` });
    const f = installFilter(sim, { name: 'mon', altitude: '385100', moreInstances: { Second: '141000' } });
    sim.run();
    sim.spawn('attach', () => sim.FilterAttach('mon', 'D:', 'Second'));
    sim.run();
    const from = sim.log.length;
    sim.spawn('unload', () => sim.FilterUnload('mon'));
    sim.run();
    const lines = compactTrace(sim.log, { from, types: ['InstanceTeardownStart', 'InstanceTeardownComplete'] });
    expect(lines.map((l) => l.replace(/ reason=.*/, ''))).toEqual([
      'I1(mon@385100 on C:) InstanceTeardownStart',
      'I1(mon@385100 on C:) InstanceTeardownComplete',
      'I2(mon@385100 on D:) InstanceTeardownStart',
      'I2(mon@385100 on D:) InstanceTeardownComplete',
      'I3(mon@385100 on E:) InstanceTeardownStart',
      'I3(mon@385100 on E:) InstanceTeardownComplete',
      'I4(mon@141000 on D:) InstanceTeardownStart',
      'I4(mon@141000 on D:) InstanceTeardownComplete',
    ]);
    expect(f.filter().state).toBe('Unloaded');
  });

  it('unload racing dismount: whichever reaches an instance first tears it down, the other waits, each instance is torn down once', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const sim = createSimulation({ seed, strategy: 'random' });
      const c = sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
      const f = installFilter(sim, {
        name: 'slow',
        altitude: '1',
        moreInstances: { Two: '2' },
        registration: {
          InstanceTeardownStartCallback: function* () {
            yield* sleep(1);
          },
          FilterUnloadCallback: function* () {
            yield* FltUnregisterFilter(f.filter());
            return STATUS_SUCCESS;
          },
        },
      });
      sim.run();
      sim.spawn('attach', () => sim.FilterAttach('slow', 'C:', 'Two'));
      sim.run();
      const unload = sim.spawn('unload', () => sim.FilterUnload('slow'));
      const dismount = sim.dismountVolume(c);
      expect(sim.run().reason, `seed ${seed}`).toBe('idle');
      expect([unload.result, dismount.result]).toEqual([STATUS_SUCCESS, STATUS_SUCCESS]);
      const starts = compactTrace(sim.log, { types: ['InstanceTeardownStart'] }).map((l) => l.split(' ')[0]);
      expect(starts.slice().sort(), `seed ${seed}`).toEqual(['I1(slow@1', 'I2(slow@2']);
      expect(sim.state().filters.F1!.state).toBe('Unloaded');
      expect(sim.state().volumes.V1!.state).toBe('Dismounted');
    }
  });

  it('an InstanceSetup in progress is waited for, then torn down, when the filter unloads meanwhile', () => {
    const sim = createSimulation();
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    const f = installFilter(sim, {
      name: 'mon',
      altitude: '1',
      moreInstances: { Late: '2' },
      registration: {
        InstanceSetupCallback: function* (objects) {
          if (objects.Instance.name === 'Late') yield* sleep(50);
          return STATUS_SUCCESS;
        },
      },
    });
    sim.run();
    const attach = sim.spawn('attach', () => sim.FilterAttach('mon', 'C:', 'Late'));
    const unload = sim.spawn('unload', function* () {
      yield* sleep(10);
      return yield* sim.FilterUnload('mon');
    });
    sim.run();
    expect([attach.result, unload.result]).toEqual([STATUS_SUCCESS, STATUS_SUCCESS]);
    const st = sim.state();
    expect(st.instances.I2!.state).toBe('Freed');
    expect(f.filter().state).toBe('Unloaded');
    const i2 = compactTrace(sim.log, { objects: ['I2'] }).map((l) => l.replace(/^I2\([^)]*\) /, '').split(' ')[0]);
    expect(i2).toEqual(['InstanceSetup', 'InstanceSetupReturned', 'InstanceTeardownStart', 'InstanceTeardownStartReturned', 'InstanceTeardownComplete', 'InstanceTeardownCompleteReturned', 'InstanceFreed']);
  });
});
