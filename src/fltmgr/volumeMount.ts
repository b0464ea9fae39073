/**
 * A volume dismounted with FSCTL_DISMOUNT_VOLUME while its device stays (§21.7): the FLT_VOLUME and
 * its instances live on until the last file object on the old mount is closed, then FltMgr tears the
 * instances down (FLTFL_INSTANCE_TEARDOWN_VOLUME_DISMOUNT) on a thread of its own. The next open of
 * the volume by name (an application's, or FltCreateFile* without an instance) makes the I/O manager
 * mount the file system again: a new FLT_VOLUME over the same disk, offered to every filter like any
 * newly mounted volume (InstanceSetup with FLTFL_INSTANCE_SETUP_NEWLY_MOUNTED_VOLUME, §13 A7).
 * File objects of the old mount keep getting STATUS_VOLUME_DISMOUNTED; a create that names an
 * instance of the old volume goes down the old stack and gets it too.
 */
import type { Blocking } from '../kernel/effects.js';
import type { FilterManager } from './filterManager.js';
import type { VolumeObject } from './volumeObject.js';
import { offerNewVolume, tearDownVolume } from './volumeRoutines.js';

/** The volume an open by name reaches: `volume`, or the mount that replaced it, mounting one if needed. */
export function* volumeForOpen(fltMgr: FilterManager, volume: VolumeObject): Blocking<VolumeObject> {
  if (!volume.fileSystem.remountable) return volume;
  const newer = fltMgr.volumeByName(volume.name);
  if (newer !== undefined && newer !== volume) return yield* volumeForOpen(fltMgr, newer);
  const mounted = fltMgr.createVolume(volume.name, volume.dosName, volume.fsType as 'NTFS' | 'FAT' | 'ReFS', volume.deviceType, volume.sectorSize, volume.fileSystem.readOnly, volume.fileSystem.shortNames, volume);
  for (const legacy of fltMgr.legacyFilters) fltMgr.attachLegacyFilter(mounted, legacy);
  fltMgr.emitFact({ seq: 0, time: 0, object: mounted.id, type: 'VolumeMounted' }, mounted);
  // Otherwise the open's own first operation offers it (beforeFirstOperation, §13 A7 default).
  if (fltMgr.options.instanceSetupOnMount === 'mount') yield* offerNewVolume(fltMgr, mounted);
  return mounted;
}

/** FltMgr watches every close: the simulation installs this once. */
export function installTeardownAtLastClose(fltMgr: FilterManager): void {
  fltMgr.closesOnVolumes.subscribe((volume) => fileObjectClosedOn(fltMgr, volume));
}

/**
 * After an IRP_MJ_CLOSE on `volume` completed: if it was the last file object of a dismounted mount
 * whose FLT_VOLUME still stands, its instances are torn down now, on a thread of FltMgr's.
 */
export function fileObjectClosedOn(fltMgr: FilterManager, volume: VolumeObject): void {
  if (volume.state !== 'Mounted' || !volume.fileSystem.remountable || volume.fileSystem.openFileObjects > 0) return;
  // Dismounting from this moment (the machine says so to any later close); the teardown can block.
  fltMgr.emitFact({ seq: 0, time: 0, object: volume.id, type: 'VolumeDismount' }, volume);
  fltMgr.kernel.spawn(`dismount ${volume.dosName ?? volume.name}`, tearDownVolume(fltMgr, volume));
}
