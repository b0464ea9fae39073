/**
 * IRP_MJ_CREATE: parameter validation, name resolution, volume opens, open-by-file-id and
 * SL_OPEN_TARGET_DIRECTORY. Opening an existing file and creating a new one are in createOpen.ts.
 *
 * Called by: MemoryFileSystem.dispatch for IRP_MJ_CREATE on a mounted volume.
 * Returns: STATUS_SUCCESS with Information = FILE_* result and fileObjectFlags, STATUS_REPARSE with
 * Information = the tag and tagData, or a failure status with Information 0 (FILE_EXISTS for a
 * FILE_CREATE collision).
 */
import type { FsState, OpenContext } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import type { CreateParameters } from '../wdk/parameters.js';
import { type CreateRequest, createNew, openContext, openExisting, reparseCompletion } from './createOpen.js';
import { WRITE_LIKE_ACCESS, childLink, linkPath } from './model.js';
import { parseFileName, splitStreamSuffix, walkToParent } from './namespace.js';
import { IoCheckShareAccess } from './shareAccess.js';
import { implicitLockFor } from './volumeLock.js';
import { beginAtomicRequest } from './oplocks.js';
import { grantFrom, mapGenericMask } from './security.js';
import { complete } from './types.js';
import {
  DELETE,
  FILE_ALL_ACCESS,
  FILE_ATTRIBUTE_VALID_FLAGS,
  FILE_CREATE,
  FILE_DELETE_ON_CLOSE,
  FILE_DIRECTORY_FILE,
  FILE_DOES_NOT_EXIST,
  FILE_EXISTS,
  FILE_MAXIMUM_DISPOSITION,
  FILE_NON_DIRECTORY_FILE,
  FILE_OPEN,
  FILE_OPEN_BY_FILE_ID,
  FILE_OPEN_REQUIRING_OPLOCK,
  FILE_OPEN_IF,
  FILE_OPENED,
  FILE_SHARE_VALID_FLAGS,
  FILE_SYNCHRONOUS_IO_ALERT,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FILE_VALID_OPTION_FLAGS,
  FO_VOLUME_OPEN,
} from '../wdk/fileConstants.js';
import { SL_OPEN_TARGET_DIRECTORY } from '../wdk/irp.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_EAS_NOT_SUPPORTED,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_PARAMETER,
  STATUS_MEDIA_WRITE_PROTECTED,
  STATUS_NOT_A_DIRECTORY,
  STATUS_OBJECT_NAME_INVALID,
  STATUS_SUCCESS,
} from '../wdk/ntstatus.js';
import { parametersMember, unpackCreateOptions } from '../wdk/parameters.js';

export function create(state: FsState, request: FsRequest): FsCompletion {
  const done = createOrOpen(state, request);
  // FILE_OPEN_REQUIRING_OPLOCK: the open and its oplock are one atomic request; other opens wait for the oplock (§21.8).
  const ctx = done.Status === STATUS_SUCCESS ? state.contexts.get(request.FileObject.id) : undefined;
  const params = parametersMember(request.Parameters, 'Create');
  if (ctx !== undefined && ctx.kind === 'file' && ctx.node.kind === 'file' && params !== null && request.operation !== undefined && (unpackCreateOptions(params.Options >>> 0).CreateOptions & FILE_OPEN_REQUIRING_OPLOCK) !== 0) {
    beginAtomicRequest(state, ctx, request.operation);
  }
  return done;
}

function createOrOpen(state: FsState, request: FsRequest): FsCompletion {
  const params = parametersMember(request.Parameters, 'Create');
  if (params === null || state.contexts.has(request.FileObject.id)) return complete(STATUS_INVALID_PARAMETER);
  const parsed = validateCreate(params);
  if (typeof parsed === 'number') return complete(parsed);
  const { disposition, options } = parsed;
  const desired = mapGenericMask(params.SecurityContext.DesiredAccess >>> 0);
  const shareAccess = params.ShareAccess & FILE_SHARE_VALID_FLAGS;
  const base = { state, request, params, disposition, options, desired, shareAccess };

  const fo = request.FileObject;
  if (fo.fileName === '' && fo.relatedFileObjectId === null) return openVolume(base);
  if (options & FILE_OPEN_BY_FILE_ID) return openByFileId(base);

  let related: OpenContext | null = null;
  if (fo.relatedFileObjectId !== null) {
    related = state.contexts.get(fo.relatedFileObjectId) ?? null;
    if (related === null) return complete(STATUS_INVALID_HANDLE);
  }
  // `file:stream[:$DATA]` opens a named data stream of `file` (§21.5).
  const streamSplit = splitStreamSuffix(fo.fileName);
  if (typeof streamSplit === 'number') return complete(streamSplit);
  const { stream: streamName, suffix } = streamSplit;
  const parsedName = parseFileName(streamSplit.fileName, related !== null);
  if (typeof parsedName === 'number') return complete(parsedName);
  const start = related === null || related.kind === 'volume' ? state.root : related.node;
  const { components, trailingBackslash } = parsedName;
  if (components.length > 0 && start.kind !== 'directory') return complete(STATUS_INVALID_PARAMETER);
  const typedPrefix = related === null ? '' : related.kind === 'volume' ? '' : relatedPath(related);
  if (suffix !== '' && (components.length === 0 || trailingBackslash || request.OperationFlags & SL_OPEN_TARGET_DIRECTORY)) return complete(STATUS_OBJECT_NAME_INVALID);
  const typedName = components.length === 0 ? (related === null ? '\\' : relatedPath(related)) : `${typedPrefix}\\${components.join('\\')}${suffix}`;
  // Written out: a spread into a literal with more fields takes V8's generic copy (a hot line of every create in a profile).
  const req: CreateRequest = { state, request, params, disposition, options, desired, shareAccess, trailingBackslash, typedName, streamName };

  if (components.length === 0) {
    if (request.OperationFlags & SL_OPEN_TARGET_DIRECTORY) return complete(STATUS_OBJECT_NAME_INVALID);
    return openExisting(req, start, related?.kind === 'file' ? related.link : null);
  }
  const walk = walkToParent(start, components);
  if (walk.kind === 'error') return complete(walk.status);
  if (walk.kind === 'reparse') return reparseCompletion(walk.node, walk.unparsedNameLength);
  const finalName = components[components.length - 1] ?? '';
  const existing = childLink(walk.dir, finalName);

  if (request.OperationFlags & SL_OPEN_TARGET_DIRECTORY) {
    const dirTyped = components.length === 1 ? (typedPrefix === '' ? '\\' : typedPrefix) : `${typedPrefix}\\${components.slice(0, -1).join('\\')}`;
    const dirReq: CreateRequest = { ...req, disposition: FILE_OPEN, options: options & ~FILE_NON_DIRECTORY_FILE, typedName: dirTyped, targetName: finalName };
    const opened = openExisting(dirReq, walk.dir, walk.dir.links[0] ?? null);
    if (opened.Status !== STATUS_SUCCESS) return opened;
    return { ...opened, Information: existing === null ? FILE_DOES_NOT_EXIST : FILE_EXISTS };
  }
  if (existing !== null) return openExisting(req, existing.node, existing);
  return createNew(req, walk.dir, finalName);
}

function relatedPath(related: OpenContext): string {
  const path = related.openedName ?? linkPath(related.link);
  return path === '\\' ? '' : path;
}

function validateCreate(params: CreateParameters): { disposition: number; options: number } | number {
  if (typeof params !== 'object' || typeof params.SecurityContext !== 'object' || params.SecurityContext === null) return STATUS_INVALID_PARAMETER;
  const { CreateDisposition: disposition, CreateOptions: options } = unpackCreateOptions(params.Options >>> 0);
  if (disposition > FILE_MAXIMUM_DISPOSITION) return STATUS_INVALID_PARAMETER;
  if (options & ~FILE_VALID_OPTION_FLAGS) return STATUS_INVALID_PARAMETER;
  if (options & FILE_DIRECTORY_FILE && options & FILE_NON_DIRECTORY_FILE) return STATUS_INVALID_PARAMETER;
  if (options & FILE_SYNCHRONOUS_IO_ALERT && options & FILE_SYNCHRONOUS_IO_NONALERT) return STATUS_INVALID_PARAMETER;
  // NtCreateFile: with FILE_DIRECTORY_FILE the disposition must be FILE_CREATE, FILE_OPEN or FILE_OPEN_IF.
  if (options & FILE_DIRECTORY_FILE && disposition !== FILE_CREATE && disposition !== FILE_OPEN && disposition !== FILE_OPEN_IF) {
    return STATUS_INVALID_PARAMETER;
  }
  // MS-FSA 2.1.5.1: FILE_DELETE_ON_CLOSE without DELETE in DesiredAccess.
  if (options & FILE_DELETE_ON_CLOSE && !(mapGenericMask(params.SecurityContext.DesiredAccess >>> 0) & DELETE)) return STATUS_INVALID_PARAMETER;
  if ((params.FileAttributes >>> 0) & ~FILE_ATTRIBUTE_VALID_FLAGS) return STATUS_INVALID_PARAMETER;
  if ((params.ShareAccess >>> 0) & ~FILE_SHARE_VALID_FLAGS) return STATUS_INVALID_PARAMETER;
  if ((params.AllocationSize ?? 0) < 0) return STATUS_INVALID_PARAMETER;
  if (params.EaLength > 0) return STATUS_EAS_NOT_SUPPORTED;
  return { disposition, options };
}

type BaseRequest = Omit<CreateRequest, 'trailingBackslash' | 'typedName'>;

/** Volume open (empty name, no related object): FastFAT/Raw rules, share access on the volume. */
function openVolume(req: BaseRequest): FsCompletion {
  const { state, request, disposition, options, desired, shareAccess } = req;
  if (disposition !== FILE_OPEN && disposition !== FILE_OPEN_IF) return complete(STATUS_ACCESS_DENIED);
  if (options & FILE_DIRECTORY_FILE) return complete(STATUS_NOT_A_DIRECTORY);
  if (state.options.readOnly && desired & WRITE_LIKE_ACCESS) return complete(STATUS_MEDIA_WRITE_PROTECTED);
  const granted = grantFrom(desired, FILE_ALL_ACCESS) ?? 0;
  // Sharing neither write nor delete asks for an implicit lock of the volume (§21.7, volumeLock.ts).
  const implicit = implicitLockFor(state, granted, shareAccess);
  if (typeof implicit === 'number') return complete(implicit);
  const share = IoCheckShareAccess(granted, implicit.lock ? implicit.shareAccess : shareAccess, state.volumeShare, true);
  if (share.Status !== STATUS_SUCCESS) return complete(share.Status);
  state.volumeShare = share.ShareAccess;
  const completion = openContext(
    { ...req, trailingBackslash: false, typedName: '' },
    { kind: 'volume', node: state.root, link: null, granted, share: share.FileObject, information: FILE_OPENED },
  );
  if (implicit.lock) state.lockedBy = request.FileObject.id;
  return { ...completion, fileObjectFlags: (completion.fileObjectFlags ?? request.FileObject.flags) | FO_VOLUME_OPEN };
}

/** FILE_OPEN_BY_FILE_ID: FileName carries the 64-bit file id as 16 hex digits. */
function openByFileId(req: BaseRequest): FsCompletion {
  const { state, request, disposition } = req;
  if (disposition !== FILE_OPEN && disposition !== FILE_OPEN_IF) return complete(STATUS_ACCESS_DENIED);
  const match = /^\\?([0-9a-fA-F]{16})$/.exec(request.FileObject.fileName);
  if (!match) return complete(STATUS_INVALID_PARAMETER);
  const node = state.nodes.get(Number.parseInt(match[1] ?? '', 16));
  if (node === undefined || (node.links.length === 0 && node !== state.root)) return complete(STATUS_INVALID_PARAMETER);
  const link = node.links[0] ?? null;
  return openExisting({ ...req, disposition: FILE_OPEN, trailingBackslash: false, typedName: linkPath(link) }, node, link);
}
