/**
 * FileRenameInformation and FileLinkInformation (MS-FSA 2.1.5.15.11 / 2.1.5.15.6).
 *
 * The target directory is, in order: ParentOfTarget (the directory the I/O manager opened with
 * SL_OPEN_TARGET_DIRECTORY), RootDirectory (a file object id), the parent named by an absolute
 * FileName, or the source's own directory for a simple name.
 */
import { reportChange } from './directoryNotify.js';
import { FILE_ACTION_ADDED, FILE_ACTION_REMOVED, FILE_ACTION_RENAMED_NEW_NAME, FILE_ACTION_RENAMED_OLD_NAME, FILE_NOTIFY_CHANGE_DIR_NAME, FILE_NOTIFY_CHANGE_FILE_NAME } from '../wdk/directoryNotify.js';
import type { FsLink, FsNode, FsState, OpenContext } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import type { FILE_RENAME_INFORMATION, SetFileInformationParameters } from '../wdk/parameters.js';
import { addLink, childLink, enterLink, hasOpenHandlesBelow, isDescendantOf, leaveLink, removeLink, upcase } from './model.js';
import { isValidComponent, parseFileName, walkToParent } from './namespace.js';
import { complete } from './types.js';
import { DELETE, FILE_ATTRIBUTE_READONLY } from '../wdk/fileConstants.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_DELETE_PENDING,
  STATUS_FILE_IS_A_DIRECTORY,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_PARAMETER,
  STATUS_OBJECT_NAME_COLLISION,
  STATUS_OBJECT_NAME_INVALID,
  STATUS_OBJECT_PATH_NOT_FOUND,
  STATUS_SUCCESS,
} from '../wdk/ntstatus.js';

/** FIELD_OFFSET(FILE_RENAME_INFORMATION, FileName) on x64. */
const FILE_NAME_OFFSET = 20;

type Target = { readonly dir: FsNode; readonly name: string } | number;

function resolveTarget(state: FsState, ctx: OpenContext, params: SetFileInformationParameters, info: FILE_RENAME_INFORMATION): Target {
  const fileName = info.FileName;
  if (params.ParentOfTarget !== null && params.ParentOfTarget !== undefined) {
    const target = state.contexts.get(params.ParentOfTarget);
    if (target === undefined || target.node.kind !== 'directory') return STATUS_INVALID_PARAMETER;
    const name = fileName.split('\\').pop() ?? '';
    return { dir: target.kind === 'volume' ? state.root : target.node, name };
  }
  if (info.RootDirectory !== null) {
    const root = state.contexts.get(info.RootDirectory);
    if (root === undefined) return STATUS_INVALID_HANDLE;
    if (root.node.kind !== 'directory') return STATUS_INVALID_PARAMETER;
    return walkTarget(root.kind === 'volume' ? state.root : root.node, fileName, true);
  }
  if (fileName.startsWith('\\')) return walkTarget(state.root, fileName, false);
  if (fileName.includes('\\')) return STATUS_OBJECT_NAME_INVALID;
  const parent = ctx.link?.parent;
  return parent === undefined ? STATUS_INVALID_PARAMETER : { dir: parent, name: fileName };
}

function walkTarget(start: FsNode, fileName: string, relative: boolean): Target {
  const parsed = parseFileName(fileName, relative);
  if (typeof parsed === 'number') return parsed;
  if (parsed.components.length === 0 || parsed.trailingBackslash) return STATUS_OBJECT_NAME_INVALID;
  const walk = walkToParent(start, parsed.components);
  // A reparse point on the way would have sent the target-directory open elsewhere: not this volume's name.
  if (walk.kind !== 'parent') return walk.kind === 'error' ? walk.status : STATUS_OBJECT_PATH_NOT_FOUND;
  return { dir: walk.dir, name: parsed.components[parsed.components.length - 1] ?? '' };
}

export function renameOrLink(
  state: FsState,
  request: FsRequest,
  ctx: OpenContext,
  params: SetFileInformationParameters & { InfoBuffer: FILE_RENAME_INFORMATION },
  isLink: boolean,
): FsCompletion {
  const info = params.InfoBuffer;
  if (typeof info.FileName !== 'string' || info.FileName.length === 0 || typeof info.ReplaceIfExists !== 'boolean') {
    return complete(STATUS_INVALID_PARAMETER);
  }
  if (FILE_NAME_OFFSET + 2 * info.FileName.length > params.Length) return complete(STATUS_INVALID_PARAMETER);
  const node = ctx.node;
  if (isLink) {
    if (state.options.fsType === 'FAT') return complete(STATUS_INVALID_DEVICE_REQUEST);
    if (node.kind === 'directory') return complete(STATUS_FILE_IS_A_DIRECTORY);
  } else if (!(ctx.grantedAccess & DELETE)) {
    return complete(STATUS_ACCESS_DENIED);
  }
  const source = ctx.link;
  if (source === null || node === state.root) return complete(STATUS_ACCESS_DENIED);
  const target = resolveTarget(state, ctx, params, info);
  if (typeof target === 'number') return complete(target);
  if (!isValidComponent(target.name)) return complete(STATUS_OBJECT_NAME_INVALID);
  if (target.dir.links[0]?.deletePending) return complete(STATUS_DELETE_PENDING);
  if (node.kind === 'directory' && isDescendantOf(target.dir, node)) return complete(STATUS_INVALID_PARAMETER);
  // NTFS refuses to rename a directory while anything below it is open.
  if (!isLink && node.kind === 'directory' && hasOpenHandlesBelow(state, node)) return complete(STATUS_ACCESS_DENIED);

  const existing = childLink(target.dir, target.name);
  const nameFilter = node.kind === 'directory' ? FILE_NOTIFY_CHANGE_DIR_NAME : FILE_NOTIFY_CHANGE_FILE_NAME;
  if (existing === source && !isLink) {
    // Same entry (only the case changes, or the target was the alias): the entry keeps its alias.
    reportChange(state, source.parent, source.name, FILE_ACTION_RENAMED_OLD_NAME, nameFilter);
    const key = upcase(source.name);
    if (source.parent.children?.get(key) === source) source.parent.children.delete(key);
    if (source.shortName === null || upcase(target.name) !== upcase(source.shortName)) source.name = target.name;
    source.parent.children?.set(upcase(source.name), source);
    reportChange(state, source.parent, source.name, FILE_ACTION_RENAMED_NEW_NAME, nameFilter);
    return renamed(state, node, source);
  }
  if (existing !== null) {
    const replaced = replaceTarget(state, existing, info.ReplaceIfExists);
    if (replaced !== STATUS_SUCCESS) return complete(replaced);
  }
  if (isLink) {
    addLink(target.dir, target.name, node);
    node.changeTime = state.options.now();
    reportChange(state, target.dir, target.name, FILE_ACTION_ADDED, nameFilter);
    return complete(STATUS_SUCCESS);
  }
  reportChange(state, source.parent, source.name, FILE_ACTION_RENAMED_OLD_NAME, nameFilter);
  leaveLink(source);
  touch(state, source.parent);
  source.name = target.name;
  enterLink(target.dir, source);
  reportChange(state, target.dir, target.name, FILE_ACTION_RENAMED_NEW_NAME, nameFilter);
  return renamed(state, node, source);
}

/** ReplaceIfExists: refused for directories, open files and read-only files (STATUS_ACCESS_DENIED). */
function replaceTarget(state: FsState, existing: FsLink, replaceIfExists: boolean): number {
  if (!replaceIfExists) return STATUS_OBJECT_NAME_COLLISION;
  const victim = existing.node;
  if (victim.kind === 'directory' || victim.uncleanCount > 0 || victim.attributes & FILE_ATTRIBUTE_READONLY) return STATUS_ACCESS_DENIED;
  const { parent, name } = existing;
  removeLink(state, victim, existing);
  reportChange(state, parent, name, FILE_ACTION_REMOVED, FILE_NOTIFY_CHANGE_FILE_NAME);
  return STATUS_SUCCESS;
}

function touch(state: FsState, dir: FsNode): void {
  const now = state.options.now();
  dir.lastWriteTime = now;
  dir.changeTime = now;
}

function renamed(state: FsState, node: FsNode, link: FsLink): FsCompletion {
  touch(state, link.parent);
  node.changeTime = state.options.now();
  // Names typed by openers of this file (or anything below it) are stale now.
  for (const ctx of state.contexts.values()) {
    if (ctx.link === link || (node.kind === 'directory' && isDescendantOf(ctx.node, node))) ctx.openedName = null;
  }
  return complete(STATUS_SUCCESS);
}
