/**
 * Turning a path an application passes into a volume and a volume-relative name:
 * `C:\dir\f.txt`, `\??\C:\dir\f.txt`, `\DosDevices\C:\dir`, `\Device\HarddiskVolume1\dir\f.txt`;
 * `\??\Volume{GUID}\dir\f.txt` (the name FltGetVolumeGuidName gives, §23.2); the volume alone (`C:`,
 * `\Device\HarddiskVolume1`) opens the volume itself (file name '').
 */
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { VolumeObject } from '../fltmgr/volumeObject.js';

export interface ResolvedPath {
  readonly volume: VolumeObject;
  readonly fileName: string;
}

export function resolvePath(fltMgr: FilterManager, path: string): ResolvedPath | null {
  const guidName = /^(\\\?\?\\Volume\{[0-9A-Fa-f-]{36}\})(\\.*)?$/.exec(path);
  if (guidName !== null) {
    const volume = volumeByGuidName(fltMgr.volumes, guidName[1]!);
    return volume === undefined ? null : { volume, fileName: guidName[2] ?? '' };
  }
  let rest = path.replace(/^\\\?\?\\/, '').replace(/^\\DosDevices\\/i, '');
  const drive = /^([A-Za-z]:)(\\.*)?$/.exec(rest);
  if (drive !== null) {
    const volume = fltMgr.volumeByName(drive[1]!);
    return volume === undefined ? null : { volume, fileName: drive[2] ?? '' };
  }
  const device = /^(\\Device\\[^\\]+)(\\.*)?$/i.exec(rest);
  if (device !== null) {
    const volume = fltMgr.volumeByName(device[1]!);
    return volume === undefined ? null : { volume, fileName: device[2] ?? '' };
  }
  rest = '';
  return null;
}

/**
 * The volume a `\??\Volume{GUID}` name designates (the mount manager's persistent link to it, the
 * name FltGetVolumeGuidName returns), or undefined. Local volumes only, as that routine.
 */
function volumeByGuidName(volumes: readonly VolumeObject[], guidName: string): VolumeObject | undefined {
  const wanted = guidName.toLowerCase();
  for (let i = volumes.length - 1; i >= 0; i--) {
    const v = volumes[i]!;
    if (v.state !== 'Dismounted' && v.deviceType !== 'FILE_DEVICE_NETWORK_FILE_SYSTEM' && `\\??\\volume{${volumeGuid(v.name)}}` === wanted) return v;
  }
  return undefined;
}

/** A volume's GUID (FltGetVolumeGuidName): GUID-shaped, from FNV-1a hashes of the device name, so every run gives the same one. */
export function volumeGuid(name: string): string {
  const hash = (seed: number): number => {
    let h = seed >>> 0;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
    return h;
  };
  const hex = (n: number, digits: number): string => (n >>> 0).toString(16).padStart(8, '0').slice(0, digits);
  const [a, b, c, d] = [hash(0x811c9dc5), hash(0x01234567), hash(0x89abcdef), hash(0x13579bdf)];
  return `${hex(a, 8)}-${hex(b, 4)}-${hex(b << 16, 4)}-${hex(c, 4)}-${hex(c << 16, 4)}${hex(d, 8)}`;
}
