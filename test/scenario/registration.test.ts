// §2: FltRegisterFilter and FltStartFiltering.
import { describe, expect, it } from 'vitest';
import { createSimulation, FltRegisterFilter, FltStartFiltering } from '../../src/index.js';
import {
  STATUS_FLT_FILTER_NOT_READY,
  STATUS_INVALID_PARAMETER,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_SUCCESS,
} from '../../src/wdk/ntstatus.js';
import { compactTrace, installFilter } from '../../src/testing/index.js';
import type { PFLT_FILTER } from '../../src/index.js';

const registry = { DefaultInstance: 'A', Instances: { A: { Altitude: '370000' } } };

describe('registration and start (§2)', () => {
  it('register then start attaches the default instance to every mounted volume, in mount order', () => {
    const sim = createSimulation();
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume2', dosName: 'D:' });
    installFilter(sim, { name: 'mon', altitude: '370000' });
    expect(sim.run().reason).toBe('idle');
    expect(compactTrace(sim.log)).toEqual([
      'V1(C:) VolumeMount name=\\Device\\HarddiskVolume1 dos=C: fs=NTFS sector=512',
      'V1(C:) VolumeMounted',
      'V2(D:) VolumeMount name=\\Device\\HarddiskVolume2 dos=D: fs=NTFS sector=512',
      'V2(D:) VolumeMounted',
      'F1(mon) FltRegisterFilter name=mon flags=0x0',
      'F1(mon) FltStartFiltering',
      'I1(mon@370000 on C:) InstanceSetup filter=F1:mon volume=V1:C: name="mon Instance" altitude=370000 frame=0 flags=AUTOMATIC_ATTACHMENT',
      'I1(mon@370000 on C:) InstanceSetupReturned status=STATUS_SUCCESS',
      'I2(mon@370000 on D:) InstanceSetup filter=F1:mon volume=V2:D: name="mon Instance" altitude=370000 frame=0 flags=AUTOMATIC_ATTACHMENT',
      'I2(mon@370000 on D:) InstanceSetupReturned status=STATUS_SUCCESS',
    ]);
    expect(sim.state().filters.F1!.state).toBe('Filtering');
  });

  it('a registry instance flagged 0x1 suppresses automatic attachment', () => {
    const sim = createSimulation();
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    installFilter(sim, { name: 'mon', altitude: '370000', instanceFlags: 1 });
    sim.run();
    expect(compactTrace(sim.log, { types: ['InstanceSetup'] })).toEqual([]);
  });

  it('FltStartFiltering twice returns STATUS_INVALID_PARAMETER and changes nothing', () => {
    const sim = createSimulation();
    let second = -1;
    sim.loadDriver({ name: 'twice', instances: registry }, function* (driver) {
      const { filter } = FltRegisterFilter(driver, {});
      expect(yield* FltStartFiltering(filter!)).toBe(STATUS_SUCCESS);
      second = yield* FltStartFiltering(filter!);
      return STATUS_SUCCESS;
    });
    sim.run();
    expect(second).toBe(STATUS_INVALID_PARAMETER);
    expect(compactTrace(sim.log).slice(-1)).toEqual([
      'F1(twice) RoutineFailed routine=FltStartFiltering status=STATUS_INVALID_PARAMETER (twice is Filtering, not Registered)',
    ]);
    expect(sim.state().filters.F1!.state).toBe('Filtering');
  });

  it('a missing Instances key fails with STATUS_OBJECT_NAME_NOT_FOUND; a bad altitude with STATUS_INVALID_PARAMETER', () => {
    const sim = createSimulation();
    const results: number[] = [];
    sim.loadDriver({ name: 'nokey' }, function* (driver) {
      const r = FltRegisterFilter(driver, {});
      results.push(r.status);
      return r.status;
    });
    sim.loadDriver({ name: 'badalt', instances: { DefaultInstance: 'A', Instances: { A: { Altitude: '12x' } } } }, function* (driver) {
      const r = FltRegisterFilter(driver, {});
      results.push(r.status);
      return r.status;
    });
    sim.loadDriver({ name: 'nodefault', instances: { DefaultInstance: 'Z', Instances: { A: { Altitude: '1' } } } }, function* (driver) {
      const r = FltRegisterFilter(driver, {});
      results.push(r.status);
      return r.status;
    });
    sim.loadDriver({ name: 'oldversion', instances: registry }, function* (driver) {
      const r = FltRegisterFilter(driver, { Version: 0x0102 });
      results.push(r.status);
      return r.status;
    });
    expect(sim.run().reason).toBe('idle');
    expect(results).toEqual([STATUS_OBJECT_NAME_NOT_FOUND, STATUS_INVALID_PARAMETER, STATUS_OBJECT_NAME_NOT_FOUND, STATUS_INVALID_PARAMETER]);
    expect(Object.keys(sim.state().filters)).toEqual([]);
  });

  it('only the major byte of the registration version must match (§2)', () => {
    const sim = createSimulation();
    let status = -1;
    sim.loadDriver({ name: 'minor', instances: registry }, function* (driver) {
      status = FltRegisterFilter(driver, { Version: 0x02ff }).status;
      return STATUS_SUCCESS;
    });
    sim.run();
    expect(status).toBe(STATUS_SUCCESS);
  });

  it('registering twice from one driver is a verifier error that leaves the first filter intact', () => {
    const sim = createSimulation({ onViolation: 'record' });
    sim.loadDriver({ name: 'greedy', instances: registry }, function* (driver) {
      FltRegisterFilter(driver, {});
      FltRegisterFilter(driver, {});
      return STATUS_SUCCESS;
    });
    sim.run();
    expect(sim.state().violations).toEqual([{ seq: expect.any(Number), object: 'F1', rule: 'FLT_REGISTER_TWICE' }]);
    expect(sim.state().filters.F1!.state).toBe('Registered');
    expect(sim.state().threads.T1!.error).toBe('FLT_REGISTER_TWICE');
  });

  it('attaching before FltStartFiltering returns STATUS_FLT_FILTER_NOT_READY', () => {
    const sim = createSimulation();
    const c = sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    const f = installFilter(sim, { name: 'early', altitude: '370000', start: false });
    sim.run();
    let filter: PFLT_FILTER | null = null;
    const t = sim.spawn('attach', function* () {
      filter = f.filter();
      return yield* sim.FilterAttach('early', 'C:');
    });
    sim.run();
    expect(filter).not.toBeNull();
    expect(t.result).toBe(STATUS_FLT_FILTER_NOT_READY);
    expect(c.instances).toEqual([]);
  });

  it('calling a blocking routine outside a simulated thread is a UsageError naming the fix', () => {
    const sim = createSimulation();
    let filter: PFLT_FILTER | null = null;
    sim.loadDriver({ name: 'x', instances: registry }, function* (driver) {
      filter = FltRegisterFilter(driver, {}).filter;
      return STATUS_SUCCESS;
    });
    sim.run();
    const before = sim.log.length;
    expect(() => FltStartFiltering(filter!).next()).toThrow(/must run on a simulated thread/);
    expect(sim.log.length).toBe(before);
  });
});
