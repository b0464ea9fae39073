/**
 * What the Filter Manager learns from the file system about names without an open file object:
 * the normalization of a name that is about to be opened (pre-create, §16.3), done on Windows by
 * opening the parent and asking for each component's long name (FileNamesInformation,
 * ddi/nc-fltkernel-pflt_normalize_name_component). The model answers from the directory entries
 * directly; no filter sees those queries (they are FltMgr's own, below every minifilter).
 */
import type { FsNode, FsState } from './model.js';
import { childLink, isDescendantOf, linkPath } from './model.js';
import { parseFileName } from './namespace.js';
import {
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_PARAMETER,
  STATUS_OBJECT_NAME_INVALID,
  STATUS_OBJECT_PATH_NOT_FOUND,
  STATUS_REPARSE,
  STATUS_SUCCESS,
} from '../wdk/ntstatus.js';

export interface NameLookup {
  readonly status: number;
  /** Volume-relative normalized path (long names, stored case) when status is STATUS_SUCCESS. */
  readonly name: string;
}

/**
 * Normalize `fileName` (as FILE_OBJECT.FileName holds it, relative to `relatedFileObjectId` if
 * set): every existing component becomes its long name in the case stored; a missing final
 * component stays as typed (pre-create NORMALIZED succeeds then); a missing intermediate one is
 * STATUS_OBJECT_PATH_NOT_FOUND; a reparse point on the way is STATUS_REPARSE (the name belongs to
 * wherever the I/O manager will reparse it).
 */
export function normalizeUnopenedName(state: FsState, fileName: string, relatedFileObjectId: string | null): NameLookup {
  let start: FsNode = state.root;
  let prefix = '';
  if (relatedFileObjectId !== null) {
    const related = state.contexts.get(relatedFileObjectId);
    if (related === undefined) return { status: STATUS_INVALID_HANDLE, name: '' };
    if (related.kind === 'file') {
      start = related.node;
      prefix = related.link === null ? '' : linkPath(related.link);
    }
  }
  const parsed = parseFileName(fileName, relatedFileObjectId !== null);
  if (typeof parsed === 'number') return { status: parsed, name: '' };
  const parts: string[] = [];
  let dir = start;
  const { components } = parsed;
  for (let i = 0; i < components.length; i++) {
    if (dir.kind !== 'directory') return { status: STATUS_OBJECT_PATH_NOT_FOUND, name: '' };
    const typed = components[i]!;
    const link = childLink(dir, typed);
    const last = i === components.length - 1;
    if (link === null) {
      if (!last) return { status: STATUS_OBJECT_PATH_NOT_FOUND, name: '' };
      parts.push(typed);
      break;
    }
    if (!last && link.node.reparse !== null) return { status: STATUS_REPARSE, name: '' };
    parts.push(link.name);
    dir = link.node;
  }
  if (parts.length === 0) return prefix === '' ? { status: STATUS_SUCCESS, name: '\\' } : { status: STATUS_SUCCESS, name: prefix };
  if (parts.some((p) => p === '')) return { status: STATUS_OBJECT_NAME_INVALID, name: '' };
  return { status: STATUS_SUCCESS, name: `${prefix}\\${parts.join('\\')}` };
}

/**
 * The normalized path of the file a FILE_OPEN_BY_FILE_ID name designates (§21.4): the 64-bit id
 * as 16 hex digits, as the create path reads it. A removed or unknown id is STATUS_INVALID_PARAMETER,
 * as the open itself would be; the root's path is `\`.
 */
export function pathOfFileId(state: FsState, fileName: string): NameLookup {
  const match = /^\\?([0-9a-fA-F]{16})$/.exec(fileName);
  const node = match === null ? undefined : state.nodes.get(Number.parseInt(match[1]!, 16));
  if (node === undefined || (node.links.length === 0 && node !== state.root)) return { status: STATUS_INVALID_PARAMETER, name: '' };
  return { status: STATUS_SUCCESS, name: linkPath(node.links[0] ?? null) };
}

/** Whether file `fileId` lies at or below directory `ancestorId` now (the name cache drops descendants on a directory rename). */
export function fileIsWithin(state: FsState, fileId: number, ancestorId: number): boolean {
  const node = state.nodes.get(fileId);
  const ancestor = state.nodes.get(ancestorId);
  return node !== undefined && ancestor !== undefined && isDescendantOf(node, ancestor);
}

/** What FltMgr reads off FILE_OBJECT.FsContext: which stream (file) an open file object is, for per-stream name caching. */
export interface FsContextIdentity {
  readonly fileId: number;
  /** Names the file has (NTFS hard links, delete-pending ones excluded). */
  readonly linkCount: number;
  readonly directory: boolean;
  /** The named data stream it is open on, as the file system stores its name; null for the default stream (§21.5). */
  readonly stream: string | null;
}

export function fsContextOf(state: FsState, fileObjectId: string): FsContextIdentity | null {
  const ctx = state.contexts.get(fileObjectId);
  if (ctx === undefined || ctx.kind === 'volume') return null;
  return { fileId: ctx.node.fileId, linkCount: ctx.node.links.filter((l) => !l.deletePending).length, directory: ctx.node.kind === 'directory', stream: ctx.stream?.name ?? null };
}
