/**
 * The fast half of NtQueryFullAttributesFile (§24.2): IRP_MJ_NETWORK_QUERY_OPEN, a fast I/O operation
 * on a stack-based file object that is never opened, cleaned up or closed (the file system opens,
 * queries and closes inside FastIoQueryOpen, src/fs/queryOpen.ts). Minifilters see it with
 * FLTFL_CALLBACK_DATA_FAST_IO_OPERATION; FLT_PREOP_DISALLOW_FASTIO (or the file system's FALSE)
 * sends the I/O manager down the slow path: open, query FileNetworkOpenInformation, close, as IRPs.
 * It is always tried, whatever `semantics.fastIo` says: it has no IRP form of its own.
 */
import type { Blocking } from '../kernel/effects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import { DEFAULT_USER_SID } from '../kernel/sids.js';
import { FILE_OPEN, FILE_READ_ATTRIBUTES, FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE } from '../wdk/createConstants.js';
import { IRP_MJ_NETWORK_QUERY_OPEN, SL_CASE_SENSITIVE } from '../wdk/irp.js';
import { STATUS_FLT_DISALLOW_FAST_IO } from '../wdk/ntstatus.js';
import { packCreateOptions } from '../wdk/parameters.js';
import type { FsOutput } from '../fs/types.js';
import type { VolumeObject } from '../fltmgr/volumeObject.js';
import { driveToCompletion } from './dispatch.js';
import { createFileObject, fileObjectDiscarded } from './fileObjectLifecycle.js';
import { startOperation } from './startOperation.js';

/** What the fast query open answered, or null when it was refused and the slow path must run. */
/** The caller (IoManager) has run the volume's first-operation attach (beforeFirstOperation, a layer above this one). */
export function* fastQueryOpen(fltMgr: FilterManager, volume: VolumeObject, fileName: string, CaseSensitive: boolean): Blocking<{ status: number; information: number; output: FsOutput | null } | null> {
  const fo = createFileObject(fltMgr, volume, fileName, null, null);
  const op = startOperation(fltMgr, {
    volume,
    fileObject: fo,
    MajorFunction: IRP_MJ_NETWORK_QUERY_OPEN,
    Parameters: {
      NetworkQueryOpen: {
        Irp: {
          Flags: CaseSensitive ? SL_CASE_SENSITIVE : 0,
          Options: packCreateOptions(FILE_OPEN, 0),
          DesiredAccess: FILE_READ_ATTRIBUTES,
          ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
          FileAttributes: 0,
        },
        NetworkInformation: null,
      },
    },
    RequestorMode: 'UserMode',
    requestorSid: fltMgr.kernel.current?.token ?? DEFAULT_USER_SID,
    initiator: null,
    fastIo: true,
  });
  yield* driveToCompletion(fltMgr, op);
  fileObjectDiscarded(fltMgr, fo);
  const { Status, Information } = op.data.IoStatus;
  return Status === STATUS_FLT_DISALLOW_FAST_IO ? null : { status: Status, information: Information, output: op.output };
}
