/**
 * FltCreateSystemVolumeInformationFolder(Instance) (§23.4): make sure `\System Volume Information`
 * exists in the volume root, creating it if it does not, with a create (FILE_OPEN_IF of a hidden
 * system directory) issued below the instance, then close it. The ACL fix-up NTFS does (one
 * inheritable full-control ACE for LocalSystem) is not modelled; the folder gets the root's
 * inherited security.
 */
import type { Blocking } from '../kernel/effects.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import {
  FILE_ATTRIBUTE_HIDDEN,
  FILE_ATTRIBUTE_SYSTEM,
  FILE_DIRECTORY_FILE,
  FILE_OPEN_IF,
  FILE_READ_ATTRIBUTES,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  SYNCHRONIZE,
} from '../wdk/createConstants.js';
import { NT_SUCCESS, type NTSTATUS } from '../wdk/ntstatus.js';
import { FltClose, FltCreateFile } from './createFile.js';
import { instanceArgument } from './routineArguments.js';

export const SYSTEM_VOLUME_INFORMATION = '\\System Volume Information';

export function* FltCreateSystemVolumeInformationFolder(Instance: InstanceObject): Blocking<NTSTATUS> {
  instanceArgument('FltCreateSystemVolumeInformationFolder', 'Instance', Instance);
  const open = yield* FltCreateFile(
    Instance.filter,
    Instance,
    FILE_READ_ATTRIBUTES | SYNCHRONIZE,
    { ObjectName: `${Instance.volume.name}${SYSTEM_VOLUME_INFORMATION}` },
    0,
    FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM,
    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
    FILE_OPEN_IF,
    FILE_DIRECTORY_FILE,
  );
  if (!NT_SUCCESS(open.status) || open.FileHandle === null) return open.status;
  yield* FltClose(open.FileHandle);
  return open.status;
}
