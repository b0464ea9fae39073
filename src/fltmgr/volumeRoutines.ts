/**
 * Volumes (§5, §6): mount and dismount, the lazy automatic attachment of A7, name lookup, and the
 * instance-walking helpers (FltGetTopInstance & co.), each of which hands out a referenced object.
 */
import { preempt, type Blocking } from '../kernel/effects.js';
import { compareAltitudes } from '../wdk/altitude.js';
import { FLTFL_INSTANCE_SETUP_NEWLY_MOUNTED_VOLUME, FLTFL_INSTANCE_TEARDOWN_VOLUME_DISMOUNT } from '../wdk/fltConstants.js';
import {
  NT_SUCCESS,
  STATUS_FLT_DELETING_OBJECT,
  STATUS_FLT_VOLUME_NOT_FOUND,
  STATUS_INVALID_PARAMETER,
  STATUS_NO_MORE_ENTRIES,
  STATUS_SUCCESS,
  type NTSTATUS,
} from '../wdk/ntstatus.js';
import type { FilterManager } from './filterManager.js';
import type { FilterObject } from './filterObject.js';
import { offerVolume } from './filterRoutines.js';
import type { InstanceObject } from './instanceObject.js';
import { ensureTornDown } from './instanceRoutines.js';
import { referenceObject } from './references.js';
import { fail } from './routineSupport.js';
import { filterArgument, instanceArgument, volumeArgument } from './objectArguments.js';
import { stringArgument } from '../kernel/arguments.js';
import type { VolumeObject, VolumeSpec } from './volumeObject.js';

/** Mount a volume: the device appears, legacy filters attach at their positions, then it is Mounted. */
export function mountVolume(fltMgr: FilterManager, spec: VolumeSpec): VolumeObject {
  const volume = fltMgr.createVolume(
    spec.name,
    spec.dosName ?? null,
    spec.fsType ?? 'NTFS',
    spec.deviceType ?? 'FILE_DEVICE_DISK_FILE_SYSTEM',
    spec.sectorSize ?? 512,
    spec.readOnly ?? false,
    spec.shortNames === true,
  );
  for (const legacy of fltMgr.legacyFilters) fltMgr.attachLegacyFilter(volume, legacy);
  fltMgr.emitFact({ seq: 0, time: 0, object: volume.id, type: 'VolumeMounted' }, volume);
  return volume;
}

/**
 * Automatic attachment to a newly mounted volume (§13 A7). With `instanceSetupOnMount: 'mount'` a
 * thread does this right after the mount; by default the I/O path calls it on the issuing thread
 * before the first operation reaches the volume.
 */
export function* offerNewVolume(fltMgr: FilterManager, volume: VolumeObject): Blocking<void> {
  for (const filter of fltMgr.filters.slice()) {
    if (volume.state !== 'Mounted') return;
    if (filter.state === 'Filtering') yield* offerVolume(fltMgr, filter, volume, FLTFL_INSTANCE_SETUP_NEWLY_MOUNTED_VOLUME);
  }
}

/** Dismount: every instance is torn down with VOLUME_DISMOUNT, top of the stack first (§4). */
export function* dismountVolume(fltMgr: FilterManager, volume: VolumeObject): Blocking<NTSTATUS> {
  yield* preempt();
  if (volume.state !== 'Mounted') return fail(fltMgr, volume, 'Dismount', STATUS_FLT_DELETING_OBJECT, `${volume} is ${volume.state}`);
  fltMgr.emitFact({ seq: 0, time: 0, object: volume.id, type: 'VolumeDismount' }, volume);
  return yield* tearDownVolume(fltMgr, volume);
}

/** A Dismounting volume: its instances go, top of the stack first, then the volume is Dismounted. */
export function* tearDownVolume(fltMgr: FilterManager, volume: VolumeObject): Blocking<NTSTATUS> {
  for (;;) {
    const next = volume.instances.find((i) => !i.isGone);
    if (next === undefined) break;
    yield* ensureTornDown(fltMgr, next, FLTFL_INSTANCE_TEARDOWN_VOLUME_DISMOUNT);
  }
  fltMgr.emitFact({ seq: 0, time: 0, object: volume.id, type: 'VolumeDismounted' }, volume);
  // The volume object is deleted once dismounted and unreferenced; its volume contexts go with it (§15.8).
  if (volume.rundown.value.references === 0) fltMgr.contexts.volumeDeleted(volume);
  return STATUS_SUCCESS;
}

export interface VolumeResult {
  readonly status: NTSTATUS;
  /** Referenced on success: release with FltObjectDereference. */
  readonly volume: VolumeObject | null;
}

/** FltGetVolumeFromName(Filter, VolumeName): `\Device\…`, `\DosDevices\D:`, `\??\D:` or `D:`. */
export function FltGetVolumeFromName(Filter: FilterObject, VolumeName: string): VolumeResult {
  filterArgument('FltGetVolumeFromName', Filter);
  stringArgument('FltGetVolumeFromName', 'VolumeName', VolumeName);
  const fltMgr = Filter.fltMgr;
  if (VolumeName.length === 0) return { status: fail(fltMgr, Filter, 'FltGetVolumeFromName', STATUS_INVALID_PARAMETER, 'empty volume name'), volume: null };
  const volume = fltMgr.volumeByName(VolumeName);
  if (volume === undefined) {
    return { status: fail(fltMgr, Filter, 'FltGetVolumeFromName', STATUS_FLT_VOLUME_NOT_FOUND, `no volume '${VolumeName}'`), volume: null };
  }
  const status = referenceObject(fltMgr, volume);
  return NT_SUCCESS(status) ? { status, volume } : { status, volume: null };
}

/** FltGetVolumeFromInstance(Instance). */
export function FltGetVolumeFromInstance(Instance: InstanceObject): VolumeResult {
  instanceArgument('FltGetVolumeFromInstance', Instance);
  const status = referenceObject(Instance.filter.fltMgr, Instance.volume);
  return NT_SUCCESS(status) ? { status, volume: Instance.volume } : { status, volume: null };
}

export interface InstanceResult {
  readonly status: NTSTATUS;
  /** Referenced on success: release with FltObjectDereference. */
  readonly instance: InstanceObject | null;
}

function handOut(fltMgr: FilterManager, routine: string, object: FilterObject | VolumeObject | InstanceObject, found: InstanceObject | undefined): InstanceResult {
  if (found === undefined) return { status: fail(fltMgr, object, routine, STATUS_NO_MORE_ENTRIES, 'no such instance'), instance: null };
  const status = referenceObject(fltMgr, found);
  return NT_SUCCESS(status) ? { status, instance: found } : { status, instance: null };
}

function attachedOn(volume: VolumeObject): InstanceObject[] {
  return volume.instances.filter((i) => i.receivesOperations);
}

/** FltGetTopInstance(Volume): the highest attached instance. */
export function FltGetTopInstance(Volume: VolumeObject): InstanceResult {
  volumeArgument('FltGetTopInstance', Volume);
  return handOut(Volume.fltMgr, 'FltGetTopInstance', Volume, attachedOn(Volume)[0]);
}

/** FltGetBottomInstance(Volume): the lowest attached instance. */
export function FltGetBottomInstance(Volume: VolumeObject): InstanceResult {
  volumeArgument('FltGetBottomInstance', Volume);
  const all = attachedOn(Volume);
  return handOut(Volume.fltMgr, 'FltGetBottomInstance', Volume, all[all.length - 1]);
}

/** FltGetUpperInstance(CurrentInstance): the next attached instance above. */
export function FltGetUpperInstance(CurrentInstance: InstanceObject): InstanceResult {
  instanceArgument('FltGetUpperInstance', CurrentInstance, 'CurrentInstance');
  const above = attachedOn(CurrentInstance.volume).filter((i) => compareAltitudes(i.altitude, CurrentInstance.altitude) > 0);
  return handOut(CurrentInstance.filter.fltMgr, 'FltGetUpperInstance', CurrentInstance, above[above.length - 1]);
}

/** FltGetLowerInstance(CurrentInstance): the next attached instance below. */
export function FltGetLowerInstance(CurrentInstance: InstanceObject): InstanceResult {
  instanceArgument('FltGetLowerInstance', CurrentInstance, 'CurrentInstance');
  const below = attachedOn(CurrentInstance.volume).filter((i) => compareAltitudes(i.altitude, CurrentInstance.altitude) < 0);
  return handOut(CurrentInstance.filter.fltMgr, 'FltGetLowerInstance', CurrentInstance, below[0]);
}

/**
 * FltCompareInstanceAltitudes(Instance1, Instance2): >0 if Instance1 is higher, <0 if lower, 0 for
 * the same instance or instances on different volumes (altitudes only order one volume, §3).
 */
export function FltCompareInstanceAltitudes(Instance1: InstanceObject, Instance2: InstanceObject): number {
  instanceArgument('FltCompareInstanceAltitudes', Instance1, 'Instance1');
  instanceArgument('FltCompareInstanceAltitudes', Instance2, 'Instance2');
  if (Instance1 === Instance2 || Instance1.volume !== Instance2.volume) return 0;
  return Math.sign(compareAltitudes(Instance1.altitude, Instance2.altitude));
}

/**
 * Automatic attachment before the first operation reaches a newly mounted volume (§13 A7,
 * default). Runs on the issuing thread, before the operation is built.
 */
export function* beforeFirstOperation(fltMgr: FilterManager, volume: VolumeObject): Blocking<void> {
  if (fltMgr.options.instanceSetupOnMount !== 'firstOperation') return;
  // The volume's machine says whether this is the first operation (Mounted.AwaitingFirstOperation);
  // a volume already dismounting is offered to nobody. Read off its value, both parts being atomic
  // states: matches() built XState's state path on every create (~0.6% of an explored schedule).
  const value = volume.actor.getSnapshot().value;
  if (typeof value === 'string' || value['Mounted'] !== 'AwaitingFirstOperation') return;
  fltMgr.emitFact({ seq: 0, time: 0, object: volume.id, type: 'VolumeFirstOperation' }, volume);
  yield* offerNewVolume(fltMgr, volume);
}
