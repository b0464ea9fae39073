/**
 * IRP_MJ_SET_INFORMATION, following the object-store rules of MS-FSA 2.1.5.15: Basic, Disposition(Ex),
 * Position, EndOfFile, Allocation, Rename and Link. The FS checks the handle's granted access itself
 * (FILE_WRITE_ATTRIBUTES for Basic, FILE_WRITE_DATA for sizes, DELETE for disposition and rename), for
 * every requestor mode, as NTFS does.
 */
import { oplockGate } from './oplockGate.js';
import type { OplockBreakCause } from './oplockBreakRules.js';
import { notifyDirectoryDeleting, reportModified } from './directoryNotify.js';
import { FILE_NOTIFY_CHANGE_ATTRIBUTES, FILE_NOTIFY_CHANGE_CREATION, FILE_NOTIFY_CHANGE_LAST_ACCESS, FILE_NOTIFY_CHANGE_LAST_WRITE, FILE_NOTIFY_CHANGE_SIZE } from '../wdk/directoryNotify.js';
import type { FsNode, FsState, OpenContext } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import type { FILE_RENAME_INFORMATION, SetFileInformationParameters } from '../wdk/parameters.js';
import { STATUS_DISK_FULL } from '../wdk/ntstatus.js';
import { freeBytes, roundUp, streamOf } from './model.js';
import { isFileInformationClassInRange } from './information.js';
import { renameOrLink } from './rename.js';
import { complete } from './types.js';
import {
  DELETE,
  FILE_ATTRIBUTE_ARCHIVE,
  FILE_ATTRIBUTE_DIRECTORY,
  FILE_ATTRIBUTE_NORMAL,
  FILE_ATTRIBUTE_READONLY,
  FILE_ATTRIBUTE_TEMPORARY,
  FILE_ATTRIBUTE_VALID_SET_FLAGS,
  FILE_DISPOSITION_DELETE,
  FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE,
  FILE_DISPOSITION_ON_CLOSE,
  FILE_DISPOSITION_POSIX_SEMANTICS,
  FILE_INFORMATION_CLASS as C,
  FILE_WRITE_ATTRIBUTES,
  FILE_WRITE_DATA,
  FO_NO_INTERMEDIATE_BUFFERING,
} from '../wdk/fileConstants.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_CANNOT_DELETE,
  STATUS_DIRECTORY_NOT_EMPTY,
  STATUS_INFO_LENGTH_MISMATCH,
  STATUS_INVALID_INFO_CLASS,
  STATUS_INVALID_PARAMETER,
  STATUS_MEDIA_WRITE_PROTECTED,
  STATUS_SUCCESS,
} from '../wdk/ntstatus.js';
import { FILE_INFORMATION_LAYOUT, parametersMember } from '../wdk/parameters.js';

const SETTABLE = [
  C.FileBasicInformation,
  C.FileRenameInformation,
  C.FileLinkInformation,
  C.FileDispositionInformation,
  C.FilePositionInformation,
  C.FileAllocationInformation,
  C.FileEndOfFileInformation,
  C.FileDispositionInformationEx,
] as number[];

export function setInformation(state: FsState, request: FsRequest, ctx: OpenContext): FsCompletion {
  const params = parametersMember(request.Parameters, 'SetFileInformation');
  if (params === null) return complete(STATUS_INVALID_PARAMETER);
  const cls = params.FileInformationClass;
  if (!isFileInformationClassInRange(cls)) return complete(STATUS_INVALID_INFO_CLASS);
  const layout = FILE_INFORMATION_LAYOUT[cls];
  if (layout === undefined || !SETTABLE.includes(cls) || ctx.kind === 'volume') return complete(STATUS_INVALID_PARAMETER);
  if (!(typeof params.Length === 'number' && params.Length >= layout.size)) return complete(STATUS_INFO_LENGTH_MISMATCH);
  const buffer = params.InfoBuffer as unknown as Record<string, unknown> | null;
  if (typeof buffer !== 'object' || buffer === null) return complete(STATUS_INVALID_PARAMETER);
  if (cls === C.FilePositionInformation) return setPosition(state, request, buffer);
  if (state.options.readOnly) return complete(STATUS_MEDIA_WRITE_PROTECTED);
  const cause = oplockCauseOf(cls, buffer);
  const gate = cause === null ? null : oplockGate(state, request, ctx, cause);
  if (gate !== null) return gate;
  switch (cls) {
    case C.FileBasicInformation:
      return setBasic(state, ctx, buffer);
    case C.FileDispositionInformation:
      if (typeof buffer['DeleteFile'] !== 'boolean') return complete(STATUS_INVALID_PARAMETER);
      return setDisposition(state, ctx, buffer['DeleteFile'] ? FILE_DISPOSITION_DELETE : 0);
    case C.FileDispositionInformationEx:
      if (typeof buffer['Flags'] !== 'number') return complete(STATUS_INVALID_PARAMETER);
      return setDisposition(state, ctx, buffer['Flags']);
    case C.FileEndOfFileInformation:
      return setSize(state, ctx, buffer['EndOfFile'], 'endOfFile');
    case C.FileAllocationInformation:
      return setSize(state, ctx, buffer['AllocationSize'], 'allocation');
    default:
      return renameOrLink(state, request, ctx, params as SetFileInformationParameters & { InfoBuffer: FILE_RENAME_INFORMATION }, cls === C.FileLinkInformation);
  }
}

/** What a change of this class does to an oplock held through another handle (§21.8): a size change, a rename or link, a delete. */
function oplockCauseOf(cls: number, buffer: Record<string, unknown>): OplockBreakCause | null {
  if (cls === C.FileEndOfFileInformation || cls === C.FileAllocationInformation) return { kind: 'setEndOfFile' };
  if (cls === C.FileRenameInformation || cls === C.FileLinkInformation) return { kind: 'rename' };
  const deleting = cls === C.FileDispositionInformation ? buffer['DeleteFile'] === true : cls === C.FileDispositionInformationEx && typeof buffer['Flags'] === 'number' && (buffer['Flags'] & FILE_DISPOSITION_DELETE) !== 0;
  return deleting ? { kind: 'delete' } : null;
}

function validTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** 0 (and -1/-2, the "stop/resume updating" values) leave a time unchanged; attributes 0 likewise. */
function setBasic(state: FsState, ctx: OpenContext, info: Record<string, unknown>): FsCompletion {
  if (!(ctx.grantedAccess & FILE_WRITE_ATTRIBUTES)) return complete(STATUS_ACCESS_DENIED);
  const times = ['CreationTime', 'LastAccessTime', 'LastWriteTime', 'ChangeTime'] as const;
  if (!times.every((t) => validTime(info[t])) || typeof info['FileAttributes'] !== 'number') return complete(STATUS_INVALID_PARAMETER);
  const node = ctx.node;
  const attributes = info['FileAttributes'] >>> 0;
  if (attributes !== 0) {
    if (node.kind === 'file' && attributes & FILE_ATTRIBUTE_DIRECTORY) return complete(STATUS_INVALID_PARAMETER);
    if (node.kind === 'directory' && attributes & FILE_ATTRIBUTE_TEMPORARY) return complete(STATUS_INVALID_PARAMETER);
    if (attributes & ~(FILE_ATTRIBUTE_VALID_SET_FLAGS | FILE_ATTRIBUTE_NORMAL | FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_ARCHIVE)) {
      return complete(STATUS_INVALID_PARAMETER);
    }
  }
  const value = (t: (typeof times)[number]): number => info[t] as number;
  if (value('CreationTime') > 0) node.creationTime = value('CreationTime');
  if (value('LastAccessTime') > 0) node.lastAccessTime = value('LastAccessTime');
  if (value('LastWriteTime') > 0) node.lastWriteTime = value('LastWriteTime');
  if (attributes !== 0) node.attributes = attributes & FILE_ATTRIBUTE_VALID_SET_FLAGS;
  node.changeTime = value('ChangeTime') > 0 ? value('ChangeTime') : state.options.now();
  const changed =
    (attributes !== 0 ? FILE_NOTIFY_CHANGE_ATTRIBUTES : 0) |
    (value('CreationTime') > 0 ? FILE_NOTIFY_CHANGE_CREATION : 0) |
    (value('LastAccessTime') > 0 ? FILE_NOTIFY_CHANGE_LAST_ACCESS : 0) |
    (value('LastWriteTime') > 0 ? FILE_NOTIFY_CHANGE_LAST_WRITE : 0);
  if (changed !== 0) reportModified(state, ctx, changed);
  return complete(STATUS_SUCCESS);
}

function setPosition(state: FsState, request: FsRequest, info: Record<string, unknown>): FsCompletion {
  const offset = info['CurrentByteOffset'];
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) return complete(STATUS_INVALID_PARAMETER);
  if (request.FileObject.flags & FO_NO_INTERMEDIATE_BUFFERING && offset % state.options.sectorSize !== 0) return complete(STATUS_INVALID_PARAMETER);
  return { Status: STATUS_SUCCESS, Information: 0, currentByteOffset: offset };
}

/** MS-FSA 2.1.5.15.3: DELETE access; read-only → STATUS_CANNOT_DELETE; non-empty directory → STATUS_DIRECTORY_NOT_EMPTY. */
function setDisposition(state: FsState, ctx: OpenContext, flags: number): FsCompletion {
  if (!(ctx.grantedAccess & DELETE)) return complete(STATUS_ACCESS_DENIED);
  const node = ctx.node;
  const link = ctx.link;
  const deleting = (flags & FILE_DISPOSITION_DELETE) !== 0;
  if (deleting) {
    if (link === null || node === state.root) return complete(STATUS_CANNOT_DELETE);
    if (node.kind === 'file' && node.attributes & FILE_ATTRIBUTE_READONLY && !(flags & FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE)) {
      return complete(STATUS_CANNOT_DELETE);
    }
    if (isNonEmptyDirectory(node)) return complete(STATUS_DIRECTORY_NOT_EMPTY);
  }
  if (flags & FILE_DISPOSITION_ON_CLOSE) {
    ctx.deleteOnClose = deleting;
    return complete(STATUS_SUCCESS);
  }
  // A handle to a named stream sets that stream's disposition only (§21.5).
  if (ctx.stream !== null) {
    ctx.stream.deletePending = deleting;
    return complete(STATUS_SUCCESS);
  }
  if (link !== null) link.deletePending = deleting;
  if (deleting && node.kind === 'directory') notifyDirectoryDeleting(state, node);
  ctx.posixDelete = deleting && (flags & FILE_DISPOSITION_POSIX_SEMANTICS) !== 0;
  return complete(STATUS_SUCCESS);
}

function isNonEmptyDirectory(node: FsNode): boolean {
  return node.kind === 'directory' && (node.children?.size ?? 0) > 0;
}

/** FileEndOfFileInformation (truncates or zero-extends) and FileAllocationInformation. */
function setSize(state: FsState, ctx: OpenContext, value: unknown, which: 'endOfFile' | 'allocation'): FsCompletion {
  if (!(ctx.grantedAccess & FILE_WRITE_DATA)) return complete(STATUS_ACCESS_DENIED);
  if (ctx.node.kind === 'directory') return complete(STATUS_INVALID_PARAMETER);
  // The sizes are the opened stream's (§21.5); the times are the file's.
  const node = streamOf(ctx);
  const file = ctx.node;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return complete(STATUS_INVALID_PARAMETER);
  const cluster = state.clusterSize;
  const endOfFile = which === 'endOfFile' ? value : Math.min(node.data.length, roundUp(value, cluster));
  // Truncating also gives back clusters; extending keeps any larger explicit allocation.
  const allocation =
    which === 'allocation'
      ? roundUp(value, cluster)
      : endOfFile < node.data.length
        ? roundUp(endOfFile, cluster)
        : Math.max(node.allocationSize, roundUp(endOfFile, cluster));
  if (allocation - node.allocationSize > freeBytes(state)) return complete(STATUS_DISK_FULL);
  if (endOfFile !== node.data.length) {
    const resized = new Uint8Array(endOfFile);
    resized.set(node.data.subarray(0, Math.min(endOfFile, node.data.length)));
    node.data = resized;
  }
  node.allocationSize = allocation;
  const now = state.options.now();
  file.lastWriteTime = now;
  file.changeTime = now;
  reportModified(state, ctx, FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE);
  return complete(STATUS_SUCCESS);
}
