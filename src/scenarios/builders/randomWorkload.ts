/**
 * Random systems and workloads for property tests and exploration: volumes, frames, legacy
 * filters, minifilters whose callbacks decline, veto, block or succeed at random, and operator
 * threads that attach, detach, unload, stop services, dismount and take references at random
 * moments. All randomness comes from the workload's own stream, split from the seed, so the
 * scheduler's draws and the workload's never disturb each other.
 */
import { sleep, type Blocking } from '../../kernel/effects.js';
import { Random } from '../../kernel/random.js';
import { FltUnregisterFilter } from '../../fltmgr/filterRoutines.js';
import { FltObjectDereference, FltObjectReference } from '../../fltmgr/references.js';
import { FltGetTopInstance } from '../../fltmgr/volumeRoutines.js';
import type { Simulation } from '../../simulation.js';
import { FLTFL_FILTER_UNLOAD_MANDATORY } from '../../wdk/fltConstants.js';
import { NT_SUCCESS, STATUS_FLT_DO_NOT_ATTACH, STATUS_FLT_DO_NOT_DETACH, STATUS_SUCCESS, type NTSTATUS } from '../../wdk/ntstatus.js';
import { installFilter, type TestFilter } from './filterBuilder.js';
import { between } from './draws.js';

export interface RandomWorkloadOptions {
  readonly volumes?: readonly [number, number];
  readonly filters?: readonly [number, number];
  readonly operators?: readonly [number, number];
  readonly actionsPerOperator?: readonly [number, number];
  /** Legacy filters loaded before the volumes mount. */
  readonly legacyFilters?: readonly [number, number];
}

/** Frame boundaries a random workload uses: pass to createSimulation with the same seed. */
export function randomFrameBoundaries(seed: number): string[] {
  const r = Random.fromSeed(seed).split('workload-frames');
  const n = r.nextInt(3);
  return ['100000', '250000', '360000'].slice(0, n);
}

/**
 * Build a random system in `sim` (created with `randomFrameBoundaries(seed)`) and queue operator
 * threads; the caller runs it. Returns the filters for inspection.
 */
export function randomWorkload(sim: Simulation, seed: number, options: RandomWorkloadOptions = {}): TestFilter[] {
  const r = Random.fromSeed(seed).split('workload');
  const frames = sim.fltMgr.frames.length;
  const legacyCount = between(r, options.legacyFilters ?? [0, 2]);
  for (let i = 0; i < legacyCount; i++) sim.loadLegacyFilter({ name: `legacy${i}.sys`, aboveFrame: r.nextInt(frames + 1) - 1 });
  const volumeCount = between(r, options.volumes ?? [1, 3]);
  const volumeNames: string[] = [];
  for (let v = 0; v < volumeCount; v++) {
    const dosName = `${String.fromCharCode(67 + v)}:`;
    volumeNames.push(dosName);
    sim.mountVolume({ name: `\\Device\\HarddiskVolume${v + 1}`, dosName, fsType: r.nextInt(4) === 0 ? 'FAT' : 'NTFS' });
  }
  const filterCount = between(r, options.filters ?? [1, 8]);
  const filters: TestFilter[] = [];
  const used = new Set<string>();
  const altitude = (): string => {
    for (;;) {
      const a = String(20000 + r.nextInt(400000)) + (r.nextInt(4) === 0 ? `.${r.nextInt(100)}` : '');
      if (!used.has(a)) {
        used.add(a);
        return a;
      }
    }
  };
  for (let f = 0; f < filterCount; f++) {
    const declineFat = r.nextInt(2) === 0;
    const vetoDetach = r.nextInt(3) === 0;
    const vetoUnloadOnce = r.nextInt(3) === 0;
    const blockInSetup = r.nextInt(3) === 0;
    let vetoed = false;
    const name = `filter${f}`;
    const handle: TestFilter = installFilter(sim, {
      name,
      altitude: altitude(),
      moreInstances: { [`${name} Extra`]: altitude() },
      instanceFlags: r.nextInt(5) === 0 ? 1 : 0,
      registration: {
        InstanceSetupCallback: function* (_o, _flags, _d, fsType): Blocking<NTSTATUS> {
          if (blockInSetup) yield* sleep(1 + r.nextInt(3));
          return declineFat && fsType === 'FAT' ? STATUS_FLT_DO_NOT_ATTACH : STATUS_SUCCESS;
        },
        InstanceQueryTeardownCallback: () => (vetoDetach ? STATUS_FLT_DO_NOT_DETACH : STATUS_SUCCESS),
        InstanceTeardownStartCallback: function* () {
          if (r.nextInt(2) === 0) yield* sleep(1);
        },
        FilterUnloadCallback: function* (flags): Blocking<NTSTATUS> {
          if (vetoUnloadOnce && !vetoed && (flags & FLTFL_FILTER_UNLOAD_MANDATORY) === 0) {
            vetoed = true;
            return STATUS_FLT_DO_NOT_DETACH;
          }
          yield* FltUnregisterFilter(handle.filter());
          return STATUS_SUCCESS;
        },
      },
    });
    filters.push(handle);
  }
  const operators = between(r, options.operators ?? [1, 3]);
  for (let o = 0; o < operators; o++) {
    const actions = between(r, options.actionsPerOperator ?? [1, 6]);
    sim.spawn(`operator${o}`, function* () {
      for (let a = 0; a < actions; a++) {
        yield* sleep(r.nextInt(4));
        const f = filters[r.nextInt(filters.length)]!;
        const fname = `filter${filters.indexOf(f)}`;
        const vname = volumeNames[r.nextInt(volumeNames.length)]!;
        switch (r.nextInt(7)) {
          case 0:
            yield* sim.FilterAttach(fname, vname, r.nextInt(2) === 0 ? null : `${fname} Extra`);
            break;
          case 1:
            yield* sim.FilterAttachAtAltitude(fname, vname, altitude());
            break;
          case 2:
            yield* sim.FilterDetach(fname, vname);
            break;
          case 3:
            yield* sim.FilterUnload(fname);
            break;
          case 4:
            yield* sim.ServiceStop(fname);
            break;
          case 5: {
            const v = sim.volume(vname);
            if (v !== undefined) yield* sim.join(sim.dismountVolume(v));
            break;
          }
          default: {
            // Take a reference on the top instance and give it back a little later.
            const v = sim.volume(vname);
            if (v === undefined) break;
            const top = FltGetTopInstance(v);
            if (top.instance !== null && NT_SUCCESS(top.status)) {
              yield* sleep(r.nextInt(3));
              FltObjectDereference(top.instance);
            } else if (r.nextInt(2) === 0 && f.entry.state === 'exited') {
              try {
                const filter = f.filter();
                if (NT_SUCCESS(FltObjectReference(filter))) {
                  yield* sleep(1);
                  FltObjectDereference(filter);
                }
              } catch {
                // The filter never registered (DriverEntry failed): nothing to reference.
              }
            }
          }
        }
      }
      return STATUS_SUCCESS;
    });
  }
  return filters;
}
