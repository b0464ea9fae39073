// §2: the two unload paths, vetoes, DO_NOT_SUPPORT_SERVICE_STOP, and §14 invariants 18 and 21.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FltGetTopInstance,
  FltObjectDereference,
  FltObjectReference,
  FltUnregisterFilter,
  sleep,
  VerifierError,
} from '../../src/index.js';
import {
  FLTFL_FILTER_UNLOAD_MANDATORY,
  FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP,
} from '../../src/wdk/fltConstants.js';
import {
  STATUS_FLT_DELETING_OBJECT,
  STATUS_FLT_DO_NOT_DETACH,
  STATUS_FLT_FILTER_NOT_FOUND,
  STATUS_SUCCESS,
} from '../../src/wdk/ntstatus.js';
import { compactTrace, installFilter } from '../../src/testing/index.js';

function withVolumes() {
  const sim = createSimulation();
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume2', dosName: 'D:' });
  return sim;
}

describe('non-mandatory unload (§2)', () => {
  it('FilterUnload: FilterUnloadCallback(0) → TeardownStart/Complete per instance → FltUnregisterFilter returns → driver gone', () => {
    const sim = withVolumes();
    installFilter(sim, { name: 'mon', altitude: '385100' });
    sim.run();
    const from = sim.log.length;
    const t = sim.spawn('fltmc unload', () => sim.FilterUnload('mon'));
    sim.run();
    expect(t.result).toBe(STATUS_SUCCESS);
    expect(compactTrace(sim.log, { from })).toEqual([
      'F1(mon) FilterUnloadCallback flags=0',
      'F1(mon) FltUnregisterFilter',
      'I1(mon@385100 on C:) InstanceTeardownStart reason=FILTER_UNLOAD',
      'I1(mon@385100 on C:) InstanceTeardownStartReturned',
      'I1(mon@385100 on C:) InstanceTeardownComplete reason=FILTER_UNLOAD',
      'I1(mon@385100 on C:) InstanceTeardownCompleteReturned',
      'I1(mon@385100 on C:) InstanceFreed',
      'I2(mon@385100 on D:) InstanceTeardownStart reason=FILTER_UNLOAD',
      'I2(mon@385100 on D:) InstanceTeardownStartReturned',
      'I2(mon@385100 on D:) InstanceTeardownComplete reason=FILTER_UNLOAD',
      'I2(mon@385100 on D:) InstanceTeardownCompleteReturned',
      'I2(mon@385100 on D:) InstanceFreed',
      'F1(mon) FltUnregisterFilterReturned',
      'F1(mon) FilterUnloadReturned status=STATUS_SUCCESS',
    ]);
    expect(sim.state().filters.F1!.state).toBe('Unloaded');
    expect(sim.filter('mon')).toBeUndefined();
  });

  it('a vetoing FilterUnloadCallback leaves the filter and every instance attached (invariant 21)', () => {
    const sim = withVolumes();
    installFilter(sim, { name: 'av', altitude: '328000', registration: { FilterUnloadCallback: () => STATUS_FLT_DO_NOT_DETACH } });
    sim.run();
    const t = sim.spawn('fltmc unload', () => sim.FilterUnload('av'));
    sim.run();
    expect(t.result).toBe(STATUS_FLT_DO_NOT_DETACH);
    const st = sim.state();
    expect(st.filters.F1!.state).toBe('Filtering');
    expect([st.instances.I1!.state, st.instances.I2!.state]).toEqual(['Attached', 'Attached']);
    expect(compactTrace(sim.log, { types: ['InstanceTeardownStart'] })).toEqual([]);
  });

  it('a filter without FilterUnloadCallback can never be unloaded (§13 A8: STATUS_FLT_DO_NOT_DETACH)', () => {
    const sim = withVolumes();
    installFilter(sim, { name: 'stuck', altitude: '1', registration: { FilterUnloadCallback: undefined as never } });
    sim.run();
    const t = sim.spawn('unload', () => sim.FilterUnload('stuck'));
    const u = sim.spawn('unload2', () => sim.FilterUnload('nobody'));
    sim.run();
    expect(t.result).toBe(STATUS_FLT_DO_NOT_DETACH);
    expect(u.result).toBe(STATUS_FLT_FILTER_NOT_FOUND);
  });

  it('a second unload while the first is running gets STATUS_FLT_DELETING_OBJECT', () => {
    const sim = withVolumes();
    const f = installFilter(sim, {
      name: 'slow',
      altitude: '1',
      registration: {
        FilterUnloadCallback: function* () {
          yield* sleep(10);
          yield* FltUnregisterFilter(f.filter());
          return STATUS_SUCCESS;
        },
      },
    });
    sim.run();
    const first = sim.spawn('first', () => sim.FilterUnload('slow'));
    const second = sim.spawn('second', function* () {
      yield* sleep(5);
      return yield* sim.FilterUnload('slow');
    });
    sim.run();
    expect([first.result, second.result]).toEqual([STATUS_SUCCESS, STATUS_FLT_DELETING_OBJECT]);
  });

  it('returning success without FltUnregisterFilter is a verifier error, logged before it is thrown', () => {
    const sim = withVolumes();
    installFilter(sim, { name: 'sloppy', altitude: '1', registration: { FilterUnloadCallback: () => STATUS_SUCCESS } });
    sim.run();
    sim.spawn('unload', () => sim.FilterUnload('sloppy'));
    let caught: unknown;
    try {
      sim.run();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(VerifierError);
    const err = caught as VerifierError;
    expect(err.rule).toBe('UNLOAD_WITHOUT_UNREGISTER');
    expect(err.object).toBe('F1');
    expect(sim.log[err.seq!]).toMatchObject({ type: 'VerifierViolation', rule: 'UNLOAD_WITHOUT_UNREGISTER', object: 'F1' });
    // The simulation stays usable: the filter is still Filtering and can be driven further.
    expect(sim.state().filters.F1!.state).toBe('Filtering');
    expect(sim.run().reason).toBe('idle');
  });

  it('a filter cannot unload itself from its own callback (FLT_UNLOAD_SELF)', () => {
    const sim = createSimulation({ onViolation: 'record' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    installFilter(sim, { name: 'selfish', altitude: '1', registration: { InstanceSetupCallback: () => sim.FltUnloadFilter('selfish') } });
    sim.run();
    expect(sim.state().violations.map((v) => v.rule)).toEqual(['FLT_UNLOAD_SELF']);
  });
});

describe('mandatory unload (§2)', () => {
  it('service stop passes FLTFL_FILTER_UNLOAD_MANDATORY and ignores the return value; reason MANDATORY_FILTER_UNLOAD', () => {
    const sim = withVolumes();
    const flags: number[] = [];
    const f = installFilter(sim, {
      name: 'av',
      altitude: '328000',
      registration: {
        FilterUnloadCallback: function* (Flags) {
          flags.push(Flags);
          yield* FltUnregisterFilter(f.filter());
          return STATUS_FLT_DO_NOT_DETACH; // ignored for a mandatory unload
        },
      },
    });
    sim.run();
    const t = sim.spawn('sc stop', () => sim.ServiceStop('av'));
    sim.run();
    expect(t.result).toBe(STATUS_SUCCESS);
    expect(flags).toEqual([FLTFL_FILTER_UNLOAD_MANDATORY]);
    expect(compactTrace(sim.log, { types: ['InstanceTeardownStart'] })).toEqual([
      'I1(av@328000 on C:) InstanceTeardownStart reason=MANDATORY_FILTER_UNLOAD',
      'I2(av@328000 on D:) InstanceTeardownStart reason=MANDATORY_FILTER_UNLOAD',
    ]);
    expect(sim.state().filters.F1!.state).toBe('Unloaded');
  });

  it('FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP: service stop fails without calling the callback; FilterUnload still works (invariant 21)', () => {
    const sim = withVolumes();
    let calls = 0;
    const f = installFilter(sim, {
      name: 'pinned',
      altitude: '1',
      registration: {
        Flags: FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP,
        FilterUnloadCallback: function* () {
          calls++;
          yield* FltUnregisterFilter(f.filter());
          return STATUS_SUCCESS;
        },
      },
    });
    sim.run();
    const stop = sim.spawn('sc stop', () => sim.ServiceStop('pinned'));
    sim.run();
    expect(stop.result).toBe(STATUS_FLT_DO_NOT_DETACH);
    expect(calls).toBe(0);
    expect(sim.state().filters.F1!.state).toBe('Filtering');
    const unload = sim.spawn('fltmc unload', () => sim.FilterUnload('pinned'));
    sim.run();
    expect(unload.result).toBe(STATUS_SUCCESS);
    expect(calls).toBe(1);
  });
});

describe('the unload gate (§2 step 4, invariant 18)', () => {
  it('FltUnregisterFilter blocks while a reference is held and returns the moment it is released', () => {
    const sim = withVolumes();
    const f = installFilter(sim, { name: 'mon', altitude: '1' });
    sim.run();
    sim.spawn('holder', function* () {
      expect(FltObjectReference(f.filter())).toBe(STATUS_SUCCESS);
      yield* sleep(100);
      FltObjectDereference(f.filter());
      return STATUS_SUCCESS;
    });
    const unload = sim.spawn('unload', () => sim.FilterUnload('mon'));
    sim.run();
    expect(unload.result).toBe(STATUS_SUCCESS);
    const trace = compactTrace(sim.log, { types: ['FltObjectDereference', 'FltUnregisterFilterReturned', 'ThreadWait', 'ThreadWake'] });
    expect(trace).toEqual([
      'T3(unload) ThreadWait on=W5 (unload gate of F1)',
      'F1(mon) FltObjectDereference count=0',
      'T3(unload) ThreadWake by=W5',
      'F1(mon) FltUnregisterFilterReturned',
    ]);
    expect(sim.log.find((x) => x.type === 'FltUnregisterFilterReturned')!.time).toBe(100);
  });

  it('a leaked instance reference hangs the unload: the run ends in a deadlock naming the waiting thread', () => {
    const sim = withVolumes();
    installFilter(sim, { name: 'leaky', altitude: '1' });
    sim.run();
    const top = FltGetTopInstance(sim.volume('C:')!);
    expect(top.status).toBe(STATUS_SUCCESS);
    sim.spawn('fltmc unload', () => sim.FilterUnload('leaky'));
    const result = sim.run();
    expect(result).toMatchObject({ reason: 'deadlock', blocked: [{ name: 'fltmc unload', reason: 'unload gate of F1' }] });
    // TeardownComplete was not held up by the reference (§4 step 6): only freeing and the unload are.
    expect(sim.state().instances.I1!.state).toBe('Detached');
    FltObjectDereference(top.instance!);
    expect(sim.run().reason).toBe('idle');
    expect(sim.state().instances.I1!.state).toBe('Freed');
    expect(sim.state().filters.F1!.state).toBe('Unloaded');
  });

  it('FltObjectReference on a filter that is unregistering fails with STATUS_FLT_DELETING_OBJECT (invariant 19)', () => {
    const sim = withVolumes();
    const statuses: number[] = [];
    const f = installFilter(sim, {
      name: 'mon',
      altitude: '1',
      registration: {
        InstanceTeardownStartCallback: () => {
          statuses.push(FltObjectReference(f.filter()));
        },
      },
    });
    sim.run();
    sim.spawn('unload', () => sim.FilterUnload('mon'));
    sim.run();
    expect(statuses).toEqual([STATUS_FLT_DELETING_OBJECT, STATUS_FLT_DELETING_OBJECT]);
  });

  it('unregistering twice is a verifier error (FLT_UNREGISTER_TWICE)', () => {
    const sim = createSimulation({ onViolation: 'record' });
    const f = installFilter(sim, {
      name: 'twice',
      altitude: '1',
      registration: {
        FilterUnloadCallback: function* () {
          yield* FltUnregisterFilter(f.filter());
          yield* FltUnregisterFilter(f.filter());
          return STATUS_SUCCESS;
        },
      },
    });
    sim.run();
    sim.spawn('unload', () => sim.FilterUnload('twice'));
    sim.run();
    expect(sim.state().violations.map((v) => v.rule)).toEqual(['FLT_UNREGISTER_TWICE']);
    expect(sim.state().filters.F1!.state).toBe('Unregistered');
  });

  it('dereferencing with no reference held is a verifier error (FLT_DEREFERENCE_UNDERFLOW) and changes no count', () => {
    const sim = withVolumes();
    const f = installFilter(sim, { name: 'a', altitude: '1' });
    sim.run();
    expect(() => FltObjectDereference(f.filter())).toThrow(VerifierError);
    expect(sim.state().filters.F1!.references).toBe(0);
    expect(sim.state().violations.map((v) => v.rule)).toEqual(['FLT_DEREFERENCE_UNDERFLOW']);
  });
});
