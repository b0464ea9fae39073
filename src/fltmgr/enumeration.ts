/**
 * FltEnumerateFilters, FltEnumerateVolumes, FltEnumerateInstances (§23.3): every object returned
 * carries a rundown reference the caller releases with FltObjectDereference. A list too short for
 * what is there now gets STATUS_BUFFER_TOO_SMALL and the count needed, and nothing referenced; the
 * answer can change between two calls as objects come and go. Objects already tearing down (which
 * FltObjectReference would refuse) are not listed.
 */
import { UsageError } from '../kernel/errors.js';
import { compareAltitudes } from '../wdk/altitude.js';
import { STATUS_BUFFER_TOO_SMALL, STATUS_SUCCESS, type NTSTATUS } from '../wdk/ntstatus.js';
import type { FilterManager, FltObject } from './filterManager.js';
import type { FilterObject } from './filterObject.js';
import type { InstanceObject } from './instanceObject.js';
import { isBeingTornDown, referenceObject } from './references.js';
import { fail } from './routineSupport.js';
import { ulongArgument } from '../kernel/arguments.js';
import { filterArgument, optionalFilterArgument, optionalVolumeArgument } from './objectArguments.js';
import type { VolumeObject } from './volumeObject.js';

export interface EnumerationResult<T> {
  readonly status: NTSTATUS;
  /** Referenced objects, in FltMgr's order; empty on STATUS_BUFFER_TOO_SMALL. */
  readonly List: readonly T[];
  /** How many were returned, or how many there are when the list was too short. */
  readonly NumberReturned: number;
}

function handOut<T extends FltObject>(fltMgr: FilterManager, routine: string, about: FltObject | 'sim', found: readonly T[], provided: number): EnumerationResult<T> {
  ulongArgument(routine, 'NumberProvided', provided);
  if (provided < found.length) {
    return { status: fail(fltMgr, about, routine, STATUS_BUFFER_TOO_SMALL, `room for ${provided}, there are ${found.length}`), List: [], NumberReturned: found.length };
  }
  for (const object of found) referenceObject(fltMgr, object);
  return { status: STATUS_SUCCESS, List: found, NumberReturned: found.length };
}

/** FltEnumerateFilters(FilterList, NumberFiltersProvided, &NumberFiltersReturned): registered filters, in registration order (`sim.FltEnumerateFilters`). */
export function enumerateFilters(fltMgr: FilterManager, NumberFiltersProvided: number): EnumerationResult<FilterObject> {
  return handOut(fltMgr, 'FltEnumerateFilters', 'sim', fltMgr.filters.filter((f) => !isBeingTornDown(f)), NumberFiltersProvided);
}

/** FltEnumerateVolumes(Filter, VolumeList, NumberVolumesProvided, &NumberVolumesReturned): mounted volumes, in mount order. */
export function FltEnumerateVolumes(Filter: FilterObject, NumberVolumesProvided: number): EnumerationResult<VolumeObject> {
  filterArgument('FltEnumerateVolumes', Filter);
  const fltMgr = Filter.fltMgr;
  return handOut(fltMgr, 'FltEnumerateVolumes', Filter, fltMgr.volumes.filter((v) => !isBeingTornDown(v)), NumberVolumesProvided);
}

/**
 * FltEnumerateInstances(Volume?, Filter?, InstanceList, NumberInstancesProvided, &NumberInstancesReturned):
 * attached instances, of one volume and/or one filter when given; by volume in mount order, then
 * from the top of the stack down.
 */
export function FltEnumerateInstances(Volume: VolumeObject | null, Filter: FilterObject | null, NumberInstancesProvided: number): EnumerationResult<InstanceObject> {
  Volume = optionalVolumeArgument('FltEnumerateInstances', Volume);
  Filter = optionalFilterArgument('FltEnumerateInstances', Filter);
  const fltMgr = Volume?.fltMgr ?? Filter?.fltMgr;
  if (fltMgr === undefined) throw new UsageError('BAD_ARGUMENT', 'FltEnumerateInstances with neither a Volume nor a Filter: call sim.FltEnumerateInstances(null, null, n)');
  return enumerateInstances(fltMgr, Volume, Filter, NumberInstancesProvided);
}

export function enumerateInstances(fltMgr: FilterManager, Volume: VolumeObject | null, Filter: FilterObject | null, NumberInstancesProvided: number): EnumerationResult<InstanceObject> {
  const found: InstanceObject[] = [];
  for (const volume of fltMgr.volumes) {
    if (Volume !== null && volume !== Volume) continue;
    const here = volume.instances.filter((i) => i.receivesOperations && (Filter === null || i.filter === Filter));
    here.sort((a, b) => compareAltitudes(b.altitude, a.altitude));
    found.push(...here);
  }
  return handOut(fltMgr, 'FltEnumerateInstances', Volume ?? Filter ?? 'sim', found, NumberInstancesProvided);
}
