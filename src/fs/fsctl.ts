/**
 * IRP_MJ_FILE_SYSTEM_CONTROL and IRP_MJ_DEVICE_CONTROL.
 *
 * Modelled FSCTLs: the reparse-point trio (reparse.ts), the object-id family, FSCTL_IS_VOLUME_MOUNTED,
 * volume lock, unlock and dismount (volumeLock.ts),
 * and the oplock FSCTLs (§21.8, oplockRequests.ts: legacy and Windows 7 requests, acknowledgements,
 * FSCTL_OPLOCK_BREAK_NOTIFY). Every other FSCTL, and every IOCTL except
 * IOCTL_DISK_GET_LENGTH_INFO on a volume open, is STATUS_INVALID_DEVICE_REQUEST.
 */
import { dismountVolume, lockVolume, unlockVolume } from './volumeLock.js';
import { acknowledgeOplockBreak, oplockBreakNotify, requestOplock, requestOplockWin7 } from './oplockRequests.js';
import type { FsState, OpenContext } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import type { FILE_OBJECTID_BUFFER } from '../wdk/parameters.js';
import { STATUS_INVALID_OPLOCK_PROTOCOL } from '../wdk/ntstatus.js';
import { hex } from './model.js';
import { deleteReparsePoint, getReparsePoint, setReparsePoint } from './reparse.js';
import { volumeObjectId } from './volumeInformation.js';
import { complete } from './types.js';
import {
  FILE_WRITE_ATTRIBUTES,
  FILE_WRITE_DATA,
  FSCTL_CREATE_OR_GET_OBJECT_ID,
  FSCTL_DELETE_OBJECT_ID,
  FSCTL_DELETE_REPARSE_POINT,
  FSCTL_GET_OBJECT_ID,
  FSCTL_GET_REPARSE_POINT,
  FSCTL_IS_VOLUME_MOUNTED,
  FSCTL_OPBATCH_ACK_CLOSE_PENDING,
  FSCTL_OPLOCK_BREAK_ACK_NO_2,
  FSCTL_OPLOCK_BREAK_ACKNOWLEDGE,
  FSCTL_OPLOCK_BREAK_NOTIFY,
  FSCTL_REQUEST_BATCH_OPLOCK,
  FSCTL_REQUEST_FILTER_OPLOCK,
  FSCTL_REQUEST_OPLOCK,
  FSCTL_REQUEST_OPLOCK_LEVEL_1,
  FSCTL_REQUEST_OPLOCK_LEVEL_2,
  FSCTL_SET_OBJECT_ID,
  FSCTL_LOCK_VOLUME,
  FSCTL_UNLOCK_VOLUME,
  FSCTL_DISMOUNT_VOLUME,
  FSCTL_SET_REPARSE_POINT,
  IOCTL_DISK_GET_LENGTH_INFO,
} from '../wdk/fileConstants.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_INVALID_PARAMETER,
  STATUS_MEDIA_WRITE_PROTECTED,
  STATUS_OBJECT_NAME_COLLISION,
  STATUS_OBJECTID_NOT_FOUND,
  STATUS_OPLOCK_NOT_GRANTED,
  STATUS_SUCCESS,
} from '../wdk/ntstatus.js';
import { FILE_OBJECTID_BUFFER_SIZE, GET_LENGTH_INFORMATION_SIZE, parametersMember } from '../wdk/parameters.js';

const OPLOCK_REQUESTS = [FSCTL_REQUEST_OPLOCK_LEVEL_1, FSCTL_REQUEST_OPLOCK_LEVEL_2, FSCTL_REQUEST_BATCH_OPLOCK, FSCTL_REQUEST_FILTER_OPLOCK, FSCTL_REQUEST_OPLOCK];
const OPLOCK_ACKNOWLEDGEMENTS = [FSCTL_OPLOCK_BREAK_ACKNOWLEDGE, FSCTL_OPBATCH_ACK_CLOSE_PENDING, FSCTL_OPLOCK_BREAK_NOTIFY, FSCTL_OPLOCK_BREAK_ACK_NO_2];

export function fileSystemControl(state: FsState, request: FsRequest, ctx: OpenContext): FsCompletion {
  const params = parametersMember(request.Parameters, 'FileSystemControl');
  if (params === null || typeof params.FsControlCode !== 'number') return complete(STATUS_INVALID_PARAMETER);
  const code = params.FsControlCode >>> 0;
  if (code === FSCTL_REQUEST_OPLOCK) return requestOplockWin7(state, request, ctx);
  if (OPLOCK_REQUESTS.includes(code)) return requestOplock(state, request, ctx, code);
  if (code === FSCTL_OPLOCK_BREAK_NOTIFY) return oplockBreakNotify(state, request, ctx);
  if (OPLOCK_ACKNOWLEDGEMENTS.includes(code)) return acknowledgeOplockBreak(state, request, ctx, code);
  switch (code) {
    case FSCTL_SET_REPARSE_POINT:
      return setReparsePoint(state, request, ctx, params);
    case FSCTL_GET_REPARSE_POINT:
      return getReparsePoint(state, ctx, params);
    case FSCTL_DELETE_REPARSE_POINT:
      return deleteReparsePoint(state, ctx, params);
    case FSCTL_IS_VOLUME_MOUNTED:
      return complete(STATUS_SUCCESS);
    case FSCTL_LOCK_VOLUME:
      return lockVolume(state, ctx);
    case FSCTL_UNLOCK_VOLUME:
      return unlockVolume(state, ctx);
    case FSCTL_DISMOUNT_VOLUME:
      return dismountVolume(state, ctx);
    case FSCTL_GET_OBJECT_ID:
    case FSCTL_CREATE_OR_GET_OBJECT_ID:
      return getObjectId(state, ctx, params.OutputBufferLength, code === FSCTL_CREATE_OR_GET_OBJECT_ID);
    case FSCTL_SET_OBJECT_ID:
    case FSCTL_DELETE_OBJECT_ID:
      return setObjectId(state, ctx, code === FSCTL_SET_OBJECT_ID ? params.InputBuffer : null, params.InputBufferLength, code === FSCTL_DELETE_OBJECT_ID);
    default:
      return complete(STATUS_INVALID_DEVICE_REQUEST);
  }
}

/** The object id FSCTL_CREATE_OR_GET_OBJECT_ID assigns: a GUID derived from serial number and file id. */
export function objectIdFor(state: FsState, fileId: number): string {
  const id = hex(Math.floor(fileId / 2 ** 32), 4) + hex(fileId, 8);
  return `${hex(state.serialNumber, 8)}-0000-4000-8000-${id}`;
}

function objectIdBuffer(state: FsState, objectId: string): FILE_OBJECTID_BUFFER {
  return { ObjectId: objectId, BirthVolumeId: volumeObjectId(state), BirthObjectId: objectId, DomainId: '00000000-0000-0000-0000-000000000000' };
}

function getObjectId(state: FsState, ctx: OpenContext, outputLength: number, createIfMissing: boolean): FsCompletion {
  if (state.options.fsType !== 'NTFS') return complete(STATUS_INVALID_DEVICE_REQUEST);
  if (ctx.kind === 'volume') return complete(STATUS_INVALID_PARAMETER);
  if (!(outputLength >= FILE_OBJECTID_BUFFER_SIZE)) return complete(STATUS_BUFFER_TOO_SMALL);
  const node = ctx.node;
  if (node.objectId === null) {
    if (!createIfMissing) return complete(STATUS_OBJECTID_NOT_FOUND);
    if (state.options.readOnly) return complete(STATUS_MEDIA_WRITE_PROTECTED);
    node.objectId = objectIdFor(state, node.fileId);
  }
  return { Status: STATUS_SUCCESS, Information: FILE_OBJECTID_BUFFER_SIZE, output: { kind: 'objectId', buffer: objectIdBuffer(state, node.objectId) } };
}

function setObjectId(state: FsState, ctx: OpenContext, input: unknown, inputLength: number, remove: boolean): FsCompletion {
  if (state.options.fsType !== 'NTFS') return complete(STATUS_INVALID_DEVICE_REQUEST);
  if (ctx.kind === 'volume') return complete(STATUS_INVALID_PARAMETER);
  if (!(ctx.grantedAccess & (FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES))) return complete(STATUS_ACCESS_DENIED);
  if (state.options.readOnly) return complete(STATUS_MEDIA_WRITE_PROTECTED);
  const node = ctx.node;
  if (remove) {
    node.objectId = null;
    return complete(STATUS_SUCCESS);
  }
  const buffer = input as Partial<FILE_OBJECTID_BUFFER> | null;
  if (inputLength !== FILE_OBJECTID_BUFFER_SIZE || typeof buffer !== 'object' || buffer === null || typeof buffer.ObjectId !== 'string') {
    return complete(STATUS_INVALID_PARAMETER);
  }
  if (node.objectId !== null) return complete(STATUS_OBJECT_NAME_COLLISION);
  node.objectId = buffer.ObjectId.toLowerCase();
  return complete(STATUS_SUCCESS);
}

export function deviceControl(state: FsState, request: FsRequest, ctx: OpenContext): FsCompletion {
  const params = parametersMember(request.Parameters, 'DeviceIoControl');
  if (params === null) return complete(STATUS_INVALID_PARAMETER);
  if (params.IoControlCode >>> 0 === IOCTL_DISK_GET_LENGTH_INFO && ctx.kind === 'volume') {
    if (!(params.OutputBufferLength >= GET_LENGTH_INFORMATION_SIZE)) return complete(STATUS_BUFFER_TOO_SMALL);
    return { Status: STATUS_SUCCESS, Information: GET_LENGTH_INFORMATION_SIZE, output: { kind: 'lengthInfo', info: { Length: state.totalBytes } } };
  }
  return complete(STATUS_INVALID_DEVICE_REQUEST);
}
