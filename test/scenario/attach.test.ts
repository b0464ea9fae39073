// §3: instances, altitudes, InstanceSetup, manual attach and detach, QueryTeardown.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FltAttachVolume,
  FltAttachVolumeAtAltitude,
  FltCompareInstanceAltitudes,
  FltDetachVolume,
  FltGetBottomInstance,
  FltGetLowerInstance,
  FltGetTopInstance,
  FltGetUpperInstance,
  FltGetVolumeFromName,
  FltObjectDereference,
  FltAllocateContext,
  FltReleaseContext,
  FltSetInstanceContext,
  FLT_INSTANCE_CONTEXT,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  NonPagedPool,
  foldLog,
} from '../../src/index.js';
import {
  STATUS_FLT_DO_NOT_ATTACH,
  STATUS_FLT_DO_NOT_DETACH,
  STATUS_FLT_INSTANCE_ALTITUDE_COLLISION,
  STATUS_FLT_INSTANCE_NAME_COLLISION,
  STATUS_FLT_INSTANCE_NOT_FOUND,
  STATUS_FLT_VOLUME_NOT_FOUND,
  STATUS_FLT_FILTER_NOT_FOUND,
  STATUS_INVALID_PARAMETER,
  STATUS_NO_MORE_ENTRIES,
  STATUS_OBJECT_NAME_COLLISION,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_SUCCESS,
} from '../../src/wdk/ntstatus.js';
import { compactTrace, installFilter } from '../../src/testing/index.js';

function system() {
  const sim = createSimulation();
  const c = sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  return { sim, c };
}

describe('attaching instances (§3)', () => {
  it('instances are ordered on the volume by altitude whatever the attach order', () => {
    const { sim } = system();
    installFilter(sim, { name: 'enc', altitude: '141000' });
    installFilter(sim, { name: 'av', altitude: '328000' });
    installFilter(sim, { name: 'mon', altitude: '385100.5' });
    installFilter(sim, { name: 'mon2', altitude: '0385100.25' });
    sim.run();
    const names = sim.state().volumes.V1!.stack.map((id) => sim.state().instances[id]!.altitude);
    expect(names).toEqual(['385100.5', '385100.25', '328000', '141000']);
  });

  it('InstanceSetup returning STATUS_FLT_DO_NOT_ATTACH declines: the instance never joins the stack', () => {
    const { sim } = system();
    installFilter(sim, { name: 'picky', altitude: '370000', registration: { InstanceSetupCallback: () => STATUS_FLT_DO_NOT_ATTACH } });
    sim.run();
    expect(compactTrace(sim.log, { types: ['InstanceSetup', 'InstanceSetupReturned'] })).toEqual([
      'I1(picky@370000 on C:) InstanceSetup filter=F1:picky volume=V1:C: name="picky Instance" altitude=370000 frame=0 flags=AUTOMATIC_ATTACHMENT',
      'I1(picky@370000 on C:) InstanceSetupReturned status=STATUS_FLT_DO_NOT_ATTACH',
    ]);
    // FltMgr frees the instance it built for the call: it never attached, so no view lists it.
    expect(sim.state().instances).toEqual({});
    expect(sim.state().filters.F1!.instances).toEqual([]);
    expect(sim.state().volumes.V1!.stack).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('an instance context set before InstanceSetup declines goes with the instance (§3, §15.8): cleanup runs, nothing leaks at unload', () => {
    const { sim } = system();
    const cleanups: string[] = [];
    const picky = installFilter(sim, {
      name: 'picky',
      altitude: '370000',
      registration: {
        ContextRegistration: [{ ContextType: FLT_INSTANCE_CONTEXT, Size: 8, PoolTag: 1, ContextCleanupCallback: (c) => void cleanups.push(c.id) }],
        InstanceSetupCallback: function* (FltObjects) {
          const { context } = FltAllocateContext(FltObjects.Filter, FLT_INSTANCE_CONTEXT, 8, NonPagedPool);
          expect(yield* FltSetInstanceContext(FltObjects.Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, context!)).toBe(STATUS_SUCCESS);
          FltReleaseContext(context!);
          return STATUS_FLT_DO_NOT_ATTACH;
        },
      },
    });
    sim.run();
    expect(compactTrace(sim.log, { types: ['InstanceSetupReturned', 'ContextUnlinked', 'ContextFreed'] })).toEqual([
      'I1(picky@370000 on C:) InstanceSetupReturned status=STATUS_FLT_DO_NOT_ATTACH',
      'C1(INSTANCE of picky) ContextUnlinked by=free of I1 count=0',
      'C1(INSTANCE of picky) ContextFreed',
    ]);
    expect(cleanups).toEqual(['C1']);
    expect(sim.state().contexts).toEqual({});
    expect(foldLog(sim.log)).toEqual(sim.state());
    sim.spawn('fltmc unload picky', () => sim.FilterUnload('picky'));
    sim.run();
    expect(sim.log.filter((f) => f.type === 'VerifierViolation')).toEqual([]);
    expect(['Unregistered', 'Unloaded']).toContain(sim.state().filters[picky.filter().id]!.state);
  });

  it('InstanceSetup receives the volume device type and file system type', () => {
    const sim = createSimulation();
    sim.mountVolume({ name: '\\Device\\HarddiskVolume7', dosName: 'F:', fsType: 'FAT' });
    const seen: string[] = [];
    installFilter(sim, {
      name: 'f',
      altitude: '1',
      registration: { InstanceSetupCallback: (_o, flags, dev, fs) => (seen.push(`${flags} ${dev} ${fs}`), STATUS_SUCCESS) },
    });
    sim.run();
    expect(seen).toEqual(['1 FILE_DEVICE_DISK_FILE_SYSTEM FAT']);
  });

  it('manual attach of a second registry instance puts one filter on the volume twice, at two altitudes', () => {
    const { sim } = system();
    const f = installFilter(sim, { name: 'mon', altitude: '385100', moreInstances: { Low: '141000' } });
    sim.run();
    const t = sim.spawn('fltmc attach', () => sim.FilterAttach('mon', 'C:', 'Low'));
    sim.run();
    expect(t.result).toBe(STATUS_SUCCESS);
    const st = sim.state();
    expect(st.volumes.V1!.stack.map((i) => `${st.instances[i]!.name}@${st.instances[i]!.altitude}`)).toEqual(['mon Instance@385100', 'Low@141000']);
    expect(st.filters[f.filter().id]!.instances).toEqual(['I1', 'I2']);
    expect(compactTrace(sim.log, { types: ['InstanceSetup'] })[1]).toContain('flags=MANUAL_ATTACHMENT');
  });

  it('a second instance at a taken altitude: FltAttachVolume → STATUS_OBJECT_NAME_COLLISION, AtAltitude → STATUS_FLT_INSTANCE_ALTITUDE_COLLISION (§13 A10)', () => {
    const { sim, c } = system();
    const a = installFilter(sim, { name: 'a', altitude: '300000' });
    const b = installFilter(sim, { name: 'b', altitude: '300000.000', instanceFlags: 1 });
    sim.run();
    const results: number[] = [];
    sim.spawn('attach', function* () {
      results.push((yield* FltAttachVolume(b.filter(), c)).status);
      results.push((yield* FltAttachVolumeAtAltitude(b.filter(), c, '0300000')).status);
      results.push((yield* FltAttachVolumeAtAltitude(b.filter(), c, '299999', 'a Instance')).status);
      results.push((yield* FltAttachVolumeAtAltitude(b.filter(), c, '1.2.3')).status);
      results.push((yield* FltAttachVolume(a.filter(), c, 'nonexistent')).status);
      return STATUS_SUCCESS;
    });
    expect(sim.run().reason).toBe('idle');
    expect(results).toEqual([
      STATUS_OBJECT_NAME_COLLISION,
      STATUS_FLT_INSTANCE_ALTITUDE_COLLISION,
      STATUS_FLT_INSTANCE_NAME_COLLISION,
      STATUS_INVALID_PARAMETER,
      STATUS_OBJECT_NAME_NOT_FOUND,
    ]);
    // Every refusal is in the log, and the volume still has exactly the one instance.
    expect(compactTrace(sim.log, { types: ['RoutineFailed'] })).toHaveLength(5);
    expect(sim.state().volumes.V1!.stack).toEqual(['I1']);
  });

  it('FilterAttach with an unknown filter or volume name returns the FLT not-found statuses', () => {
    const { sim } = system();
    installFilter(sim, { name: 'a', altitude: '300000' });
    sim.run();
    const t1 = sim.spawn('x', () => sim.FilterAttach('nope', 'C:'));
    const t2 = sim.spawn('y', () => sim.FilterAttach('a', 'Q:'));
    sim.run();
    expect([t1.result, t2.result]).toEqual([STATUS_FLT_FILTER_NOT_FOUND, STATUS_FLT_VOLUME_NOT_FOUND]);
  });

  it('FltAttachVolume with RetInstance hands back a referenced instance', () => {
    const { sim, c } = system();
    const f = installFilter(sim, { name: 'a', altitude: '300000', instanceFlags: 1 });
    sim.run();
    sim.spawn('attach', function* () {
      const r = yield* FltAttachVolume(f.filter(), c, null, true);
      expect(r.status).toBe(STATUS_SUCCESS);
      expect(sim.state().instances[r.instance!.id]!.references).toBe(1);
      FltObjectDereference(r.instance!);
      return STATUS_SUCCESS;
    });
    sim.run();
    expect(sim.state().instances.I1!.references).toBe(0);
  });
});

describe('detaching instances (§3, §4)', () => {
  it('manual detach: QueryTeardown, then TeardownStart and TeardownComplete with reason MANUAL', () => {
    const { sim } = system();
    installFilter(sim, { name: 'mon', altitude: '385100', registration: { InstanceQueryTeardownCallback: () => STATUS_SUCCESS } });
    sim.run();
    const from = sim.log.length;
    const t = sim.spawn('fltmc detach', () => sim.FilterDetach('mon', 'C:'));
    sim.run();
    expect(t.result).toBe(STATUS_SUCCESS);
    expect(compactTrace(sim.log, { from })).toEqual([
      'I1(mon@385100 on C:) InstanceQueryTeardown flags=0',
      'I1(mon@385100 on C:) InstanceQueryTeardownReturned status=STATUS_SUCCESS',
      'I1(mon@385100 on C:) InstanceTeardownStart reason=MANUAL',
      'I1(mon@385100 on C:) InstanceTeardownStartReturned',
      'I1(mon@385100 on C:) InstanceTeardownComplete reason=MANUAL',
      'I1(mon@385100 on C:) InstanceTeardownCompleteReturned',
      'I1(mon@385100 on C:) InstanceFreed',
    ]);
  });

  it('QueryTeardown veto leaves the instance attached and returns the veto status', () => {
    const { sim } = system();
    installFilter(sim, { name: 'av', altitude: '328000', registration: { InstanceQueryTeardownCallback: () => STATUS_FLT_DO_NOT_DETACH } });
    sim.run();
    const t = sim.spawn('fltmc detach', () => sim.FilterDetach('av', 'C:'));
    sim.run();
    expect(t.result).toBe(STATUS_FLT_DO_NOT_DETACH);
    expect(sim.state().instances.I1!.state).toBe('Attached');
    expect(compactTrace(sim.log, { types: ['InstanceTeardownStart'] })).toEqual([]);
  });

  it('without an InstanceQueryTeardownCallback a manual detach is never allowed (§13 A8)', () => {
    const { sim } = system();
    installFilter(sim, { name: 'av', altitude: '328000' });
    sim.run();
    const t = sim.spawn('fltmc detach', () => sim.FilterDetach('av', 'C:'));
    sim.run();
    expect(t.result).toBe(STATUS_FLT_DO_NOT_DETACH);
    expect(sim.state().instances.I1!.state).toBe('Attached');
  });

  it('detach with no name picks the highest of the filter\'s instances; an unknown name is STATUS_FLT_INSTANCE_NOT_FOUND', () => {
    const { sim, c } = system();
    const f = installFilter(sim, { name: 'mon', altitude: '100', moreInstances: { High: '200' }, registration: { InstanceQueryTeardownCallback: () => STATUS_SUCCESS } });
    sim.run();
    const results: number[] = [];
    sim.spawn('ops', function* () {
      results.push((yield* FltAttachVolume(f.filter(), c, 'High')).status);
      results.push(yield* FltDetachVolume(f.filter(), c));
      results.push(yield* FltDetachVolume(f.filter(), c, 'Missing'));
      return STATUS_SUCCESS;
    });
    sim.run();
    expect(results).toEqual([STATUS_SUCCESS, STATUS_SUCCESS, STATUS_FLT_INSTANCE_NOT_FOUND]);
    const st = sim.state();
    expect(st.volumes.V1!.stack.map((i) => st.instances[i]!.altitude)).toEqual(['100']);
  });
});

describe('walking the instance list (§3, §12)', () => {
  it('top, bottom, upper and lower instances come back referenced; the ends are STATUS_NO_MORE_ENTRIES', () => {
    const { sim, c } = system();
    installFilter(sim, { name: 'hi', altitude: '300' });
    installFilter(sim, { name: 'mid', altitude: '200' });
    installFilter(sim, { name: 'lo', altitude: '100' });
    sim.run();
    const top = FltGetTopInstance(c);
    const bottom = FltGetBottomInstance(c);
    expect([top.instance?.name, bottom.instance?.name]).toEqual(['hi Instance', 'lo Instance']);
    const lower = FltGetLowerInstance(top.instance!);
    const upper = FltGetUpperInstance(bottom.instance!);
    expect([lower.instance?.name, upper.instance?.name]).toEqual(['mid Instance', 'mid Instance']);
    expect(FltGetUpperInstance(top.instance!).status).toBe(STATUS_NO_MORE_ENTRIES);
    expect(FltCompareInstanceAltitudes(top.instance!, bottom.instance!)).toBe(1);
    expect(FltCompareInstanceAltitudes(bottom.instance!, top.instance!)).toBe(-1);
    expect(FltCompareInstanceAltitudes(top.instance!, top.instance!)).toBe(0);
    expect(sim.state().instances[lower.instance!.id]!.references).toBe(2);
  });

  it('FltGetVolumeFromName accepts device, DosDevices, \\??\\ and drive-letter forms', () => {
    const { sim } = system();
    const f = installFilter(sim, { name: 'a', altitude: '1' });
    sim.run();
    for (const name of ['\\Device\\HarddiskVolume1', '\\DosDevices\\C:', '\\??\\C:', 'c:']) {
      const r = FltGetVolumeFromName(f.filter(), name);
      expect(r.status, name).toBe(STATUS_SUCCESS);
      expect(r.volume?.id).toBe('V1');
    }
    expect(FltGetVolumeFromName(f.filter(), 'Z:').status).toBe(STATUS_FLT_VOLUME_NOT_FOUND);
    expect(FltGetVolumeFromName(f.filter(), '').status).toBe(STATUS_INVALID_PARAMETER);
    expect(sim.state().volumes.V1!.references).toBe(4);
  });
});
