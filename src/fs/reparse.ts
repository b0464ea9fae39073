/**
 * FSCTL_SET/GET/DELETE_REPARSE_POINT, following MS-FSA 2.1.5.10 and the statuses MS-FSCC lists
 * (docs/semantics.md §11.6, §11.7). Input and output are REPARSE_DATA_BUFFER (Microsoft tags, 8-byte
 * header) or REPARSE_GUID_DATA_BUFFER (ReparseGuid set, 24-byte header) as structures; the byte
 * lengths in the FSCTL parameters are still checked against those layouts.
 */
import type { FsState, OpenContext } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import type { FileSystemControlParameters, REPARSE_DATA_BUFFER } from '../wdk/parameters.js';
import { holdsSecurityPrivilege, defaultTokenGroups } from './security.js';
import { complete } from './types.js';
import {
  FILE_ATTRIBUTE_ARCHIVE,
  FILE_WRITE_ATTRIBUTES,
  FILE_WRITE_DATA,
  IO_REPARSE_TAG_MOUNT_POINT,
  IO_REPARSE_TAG_SYMLINK,
  IsReparseTagMicrosoft,
  IsReparseTagValid,
  MAXIMUM_REPARSE_DATA_BUFFER_SIZE,
  REPARSE_DATA_BUFFER_HEADER_SIZE,
  REPARSE_GUID_DATA_BUFFER_HEADER_SIZE,
} from '../wdk/fileConstants.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_BUFFER_OVERFLOW,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_DIRECTORY_NOT_EMPTY,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_INVALID_PARAMETER,
  STATUS_IO_REPARSE_DATA_INVALID,
  STATUS_IO_REPARSE_TAG_INVALID,
  STATUS_IO_REPARSE_TAG_MISMATCH,
  STATUS_MEDIA_WRITE_PROTECTED,
  STATUS_NOT_A_DIRECTORY,
  STATUS_NOT_A_REPARSE_POINT,
  STATUS_REPARSE_ATTRIBUTE_CONFLICT,
  STATUS_SUCCESS,
} from '../wdk/ntstatus.js';

function asReparseBuffer(input: unknown): REPARSE_DATA_BUFFER | null {
  if (typeof input !== 'object' || input === null || input instanceof Uint8Array) return null;
  const b = input as Partial<REPARSE_DATA_BUFFER>;
  if (typeof b.ReparseTag !== 'number' || typeof b.ReparseDataLength !== 'number' || !(b.DataBuffer instanceof Uint8Array)) return null;
  if (b.ReparseGuid !== null && typeof b.ReparseGuid !== 'string') return null;
  return b as REPARSE_DATA_BUFFER;
}

function headerSize(guid: string | null): number {
  return guid === null ? REPARSE_DATA_BUFFER_HEADER_SIZE : REPARSE_GUID_DATA_BUFFER_HEADER_SIZE;
}

/** Phase 1 checks common to set and delete: access, media, FS support. */
function writeChecks(state: FsState, ctx: OpenContext): number {
  if (state.options.fsType !== 'NTFS') return STATUS_INVALID_DEVICE_REQUEST;
  // MS-FSCC: "the handle is not to a file or directory".
  if (ctx.kind === 'volume') return STATUS_INVALID_PARAMETER;
  if (!(ctx.grantedAccess & (FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES))) return STATUS_ACCESS_DENIED;
  if (state.options.readOnly) return STATUS_MEDIA_WRITE_PROTECTED;
  return STATUS_SUCCESS;
}

export function setReparsePoint(state: FsState, request: FsRequest, ctx: OpenContext, params: FileSystemControlParameters): FsCompletion {
  const checked = writeChecks(state, ctx);
  if (checked !== STATUS_SUCCESS) return complete(checked);
  const input = asReparseBuffer(params.InputBuffer);
  const length = params.InputBufferLength;
  if (input === null || length < REPARSE_DATA_BUFFER_HEADER_SIZE || length > MAXIMUM_REPARSE_DATA_BUFFER_SIZE) return complete(STATUS_IO_REPARSE_DATA_INVALID);
  if (input.DataBuffer.length !== input.ReparseDataLength || length !== headerSize(input.ReparseGuid) + input.ReparseDataLength) {
    return complete(STATUS_IO_REPARSE_DATA_INVALID);
  }
  const tag = input.ReparseTag >>> 0;
  if (!IsReparseTagValid(tag)) return complete(STATUS_IO_REPARSE_TAG_INVALID);
  // Third-party tags must come in a REPARSE_GUID_DATA_BUFFER.
  if (!IsReparseTagMicrosoft(tag) && input.ReparseGuid === null) return complete(STATUS_IO_REPARSE_DATA_INVALID);
  const node = ctx.node;
  if (tag === IO_REPARSE_TAG_MOUNT_POINT && node.kind !== 'directory') return complete(STATUS_NOT_A_DIRECTORY);
  if (tag === IO_REPARSE_TAG_SYMLINK && request.RequestorMode === 'UserMode') {
    const groups = state.options.tokenGroups ? [request.requestorSid, ...state.options.tokenGroups(request.requestorSid)] : defaultTokenGroups(request.requestorSid);
    // SeCreateSymbolicLinkPrivilege: held by the same accounts as SeSecurityPrivilege in this model.
    if (!holdsSecurityPrivilege(groups)) return complete(STATUS_ACCESS_DENIED);
  }
  if (node.kind === 'directory' && (node.children?.size ?? 0) > 0) return complete(STATUS_DIRECTORY_NOT_EMPTY);
  const existing = node.reparse;
  const guid = IsReparseTagMicrosoft(tag) ? null : input.ReparseGuid;
  if (existing !== null) {
    if (existing.tag !== tag) return complete(STATUS_IO_REPARSE_TAG_MISMATCH);
    if (!IsReparseTagMicrosoft(tag) && existing.guid?.toLowerCase() !== guid?.toLowerCase()) return complete(STATUS_REPARSE_ATTRIBUTE_CONFLICT);
  }
  node.reparse = { tag, guid, data: input.DataBuffer.slice() };
  node.attributes |= FILE_ATTRIBUTE_ARCHIVE;
  node.changeTime = state.options.now();
  return complete(STATUS_SUCCESS);
}

export function getReparsePoint(state: FsState, ctx: OpenContext, params: FileSystemControlParameters): FsCompletion {
  if (state.options.fsType !== 'NTFS') return complete(STATUS_INVALID_DEVICE_REQUEST);
  const reparse = ctx.kind === 'volume' ? null : ctx.node.reparse;
  if (reparse === null) return complete(STATUS_NOT_A_REPARSE_POINT);
  const header = headerSize(reparse.guid);
  const room = params.OutputBufferLength - header;
  if (room < 0) return complete(STATUS_BUFFER_TOO_SMALL);
  const copied = Math.min(room, reparse.data.length);
  const buffer: REPARSE_DATA_BUFFER = {
    ReparseTag: reparse.tag,
    ReparseDataLength: reparse.data.length,
    ReparseGuid: reparse.guid,
    DataBuffer: reparse.data.slice(0, copied),
  };
  const status = copied < reparse.data.length ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
  return { Status: status, Information: header + copied, output: { kind: 'reparse', buffer } };
}

export function deleteReparsePoint(state: FsState, ctx: OpenContext, params: FileSystemControlParameters): FsCompletion {
  const checked = writeChecks(state, ctx);
  if (checked !== STATUS_SUCCESS) return complete(checked);
  const input = asReparseBuffer(params.InputBuffer);
  if (input === null || input.ReparseDataLength !== 0 || input.DataBuffer.length !== 0) return complete(STATUS_IO_REPARSE_DATA_INVALID);
  if (params.InputBufferLength !== headerSize(input.ReparseGuid)) return complete(STATUS_IO_REPARSE_DATA_INVALID);
  const tag = input.ReparseTag >>> 0;
  if (!IsReparseTagValid(tag)) return complete(STATUS_IO_REPARSE_TAG_INVALID);
  if (!IsReparseTagMicrosoft(tag) && input.ReparseGuid === null) return complete(STATUS_IO_REPARSE_DATA_INVALID);
  const node = ctx.node;
  const existing = node.reparse;
  if (existing === null) return complete(STATUS_NOT_A_REPARSE_POINT);
  if (existing.tag !== tag) return complete(STATUS_IO_REPARSE_TAG_MISMATCH);
  if (!IsReparseTagMicrosoft(tag) && existing.guid?.toLowerCase() !== input.ReparseGuid?.toLowerCase()) return complete(STATUS_REPARSE_ATTRIBUTE_CONFLICT);
  node.reparse = null;
  node.changeTime = state.options.now();
  return complete(STATUS_SUCCESS);
}
