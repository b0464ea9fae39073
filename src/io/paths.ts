/**
 * Turning a path an application passes into a volume and a volume-relative name:
 * `C:\dir\f.txt`, `\??\C:\dir\f.txt`, `\DosDevices\C:\dir`, `\Device\HarddiskVolume1\dir\f.txt`;
 * `\??\Volume{GUID}\dir\f.txt` (the name FltGetVolumeGuidName gives, §23.2); the volume alone (`C:`,
 * `\Device\HarddiskVolume1`) opens the volume itself (file name '').
 */
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { VolumeObject } from '../fltmgr/volumeObject.js';
import { volumeByGuidName } from '../fltmgr/volumeInformation.js';

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
