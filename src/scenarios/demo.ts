/**
 * The built-in demo: two volumes, two frames with a legacy filter between them, three minifilters
 * at the altitudes their load-order groups use. It shows automatic attachment (and a decline),
 * a manual attach, a detach vetoed by InstanceQueryTeardown, an unload vetoed by the filter, an
 * unload that goes through, a mandatory service stop, and a dismount.
 */
import { FltRegisterFilter, FltStartFiltering, FltUnregisterFilter } from '../fltmgr/filterRoutines.js';
import type { FilterObject } from '../fltmgr/filterObject.js';
import type { Simulation } from '../simulation.js';
import type { Scenario } from './scenario.js';
import { FLTFL_FILTER_UNLOAD_MANDATORY } from '../wdk/fltConstants.js';
import { STATUS_FLT_DO_NOT_ATTACH, STATUS_FLT_DO_NOT_DETACH, STATUS_SUCCESS } from '../wdk/ntstatus.js';

export const demoOptions = { frameBoundaries: ['250000'], instanceSetupOnMount: 'mount' } as const;

/** Build the demo system and queue its workload; the caller runs the simulation. */
export function buildDemo(sim: Simulation): { readonly driversLoaded: () => boolean } {
  sim.loadLegacyFilter({ name: 'LegacyAV.sys', aboveFrame: 0 });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:', fsType: 'NTFS' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume2', dosName: 'E:', fsType: 'FAT' });

  // An anti-virus scanner (FSFilter Anti-Virus, 320000-329999) that will not attach to FAT volumes
  // and refuses a non-mandatory unload the first time it is asked.
  let scanner: FilterObject | null = null;
  let unloadRequests = 0;
  const scannerEntry = sim.loadDriver({ name: 'scanner', instances: { DefaultInstance: 'Scanner', Instances: { Scanner: { Altitude: '328000' } } } }, function* (driver) {
    const { status, filter } = FltRegisterFilter(driver, {
      InstanceSetupCallback: (_objects, _flags, _deviceType, fsType) => (fsType === 'FAT' ? STATUS_FLT_DO_NOT_ATTACH : STATUS_SUCCESS),
      InstanceQueryTeardownCallback: () => STATUS_FLT_DO_NOT_DETACH,
      FilterUnloadCallback: function* (flags) {
        unloadRequests++;
        if ((flags & FLTFL_FILTER_UNLOAD_MANDATORY) === 0 && unloadRequests === 1) return STATUS_FLT_DO_NOT_DETACH;
        yield* FltUnregisterFilter(scanner!);
        return STATUS_SUCCESS;
      },
    });
    if (filter === null) return status;
    scanner = filter;
    return yield* FltStartFiltering(filter);
  });

  // An activity monitor (385000-389999) with two registry instances; the second is attached by hand.
  let monitor: FilterObject | null = null;
  const monitorEntry = sim.loadDriver(
    { name: 'monitor', instances: { DefaultInstance: 'Monitor', Instances: { Monitor: { Altitude: '385100' }, 'Monitor Low': { Altitude: '141000' } } } },
    function* (driver) {
      const { status, filter } = FltRegisterFilter(driver, {
        InstanceQueryTeardownCallback: () => STATUS_SUCCESS,
        FilterUnloadCallback: function* () {
          yield* FltUnregisterFilter(monitor!);
          return STATUS_SUCCESS;
        },
      });
      if (filter === null) return status;
      monitor = filter;
      return yield* FltStartFiltering(filter);
    },
  );

  // An operator at the console, once both drivers are in.
  const drivers = [scannerEntry, monitorEntry];
  sim.spawn('fltmc', function* () {
    for (const d of drivers) yield* sim.join(d);
    yield* sim.FilterAttach('monitor', 'C:', 'Monitor Low');
    yield* sim.FilterDetach('scanner', 'C:');
    yield* sim.FilterUnload('scanner');
    yield* sim.FilterUnload('scanner');
    yield* sim.ServiceStop('monitor');
    return STATUS_SUCCESS;
  });
  sim.spawn('eject E:', function* () {
    yield* sim.join(monitorEntry);
    const e = sim.volume('E:');
    if (e !== undefined) yield* sim.join(sim.dismountVolume(e));
    return STATUS_SUCCESS;
  });
  return { driversLoaded: () => drivers.every((d) => d.state === 'exited') };
}

/** The demo as a registered scenario (src/scenarios/index.ts), so `fltsim run demo` can record and replay it. */
export const demoScenario: Scenario = {
  id: 'demo',
  description: 'two volumes, two frames, a legacy filter and three minifilters: attach, vetoed detach and unload, service stop, dismount',
  options: demoOptions,
  arguments: {},
  build(sim) {
    buildDemo(sim);
  },
};
