/**
 * IRP_MJ_DIRECTORY_CONTROL / IRP_MN_QUERY_DIRECTORY.
 *
 * Entries come in NTFS order: "." and ".." first (not in the root), then names sorted by upcased
 * UTF-16 code units. The search pattern (`*`, `?`, case-insensitive) is fixed by the first query on
 * the handle or by SL_RESTART_SCAN; the cursor (the last name returned) lives in the handle's context,
 * so entries added or removed meanwhile are seen or skipped as on NTFS. Each entry takes
 * FIELD_OFFSET(FileName) + name bytes, 8-byte aligned except the last. First query with no match →
 * STATUS_NO_SUCH_FILE, later → STATUS_NO_MORE_FILES; a first entry too long for the buffer is
 * returned truncated with STATUS_BUFFER_OVERFLOW.
 */
import type { EnumerationCursor, FsLink, FsNode, FsState, OpenContext } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import type { DirectoryEntry } from '../wdk/parameters.js';
import { compareNames, reportedAttributes, upcase } from './model.js';
import { complete } from './types.js';
import { FILE_INFORMATION_CLASS as C, FILE_LIST_DIRECTORY } from '../wdk/fileConstants.js';
import { SL_RESTART_SCAN, SL_RETURN_SINGLE_ENTRY } from '../wdk/irp.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_BUFFER_OVERFLOW,
  STATUS_INFO_LENGTH_MISMATCH,
  STATUS_INVALID_INFO_CLASS,
  STATUS_INVALID_PARAMETER,
  STATUS_NO_MORE_FILES,
  STATUS_NO_SUCH_FILE,
  STATUS_OBJECT_NAME_INVALID,
  STATUS_SUCCESS,
} from '../wdk/ntstatus.js';
import { FILE_INFORMATION_LAYOUT, parametersMember } from '../wdk/parameters.js';

const DIRECTORY_CLASSES = [C.FileDirectoryInformation, C.FileBothDirectoryInformation, C.FileNamesInformation, C.FileIdBothDirectoryInformation] as number[];

/** FsRtlIsNameInExpression for `*` and `?`, case-insensitive. */
export function matchesPattern(name: string, pattern: string): boolean {
  const n = upcase(name);
  const p = upcase(pattern);
  let reachable = new Set<number>([0]);
  const closeStars = (set: Set<number>): Set<number> => {
    for (const i of [...set].sort((a, b) => a - b)) {
      let j = i;
      while (p[j] === '*') set.add(++j);
    }
    return set;
  };
  reachable = closeStars(reachable);
  for (const ch of n) {
    const next = new Set<number>();
    for (const i of reachable) {
      const token = p[i];
      if (token === '*') next.add(i);
      else if (token === '?' || token === ch) next.add(i + 1);
    }
    reachable = closeStars(next);
    if (reachable.size === 0) return false;
  }
  return reachable.has(p.length);
}

interface Candidate {
  readonly name: string;
  readonly node: FsNode;
  readonly stage: 0 | 1 | 2;
  /** The entry's 8.3 alias (FileBoth/IdBothDirectoryInformation ShortName), if it has one. */
  readonly shortName?: string | null;
}

function* candidates(state: FsState, dir: FsNode, cursor: EnumerationCursor): Generator<Candidate> {
  const isRoot = dir === state.root;
  if (!isRoot && cursor.stage === 0) yield { name: '.', node: dir, stage: 0 };
  if (!isRoot && cursor.stage <= 1) yield { name: '..', node: dir.links[0]?.parent ?? dir, stage: 1 };
  const links: FsLink[] = [...(dir.children?.values() ?? [])].sort((a, b) => compareNames(a.name, b.name));
  for (const link of links) {
    if (cursor.afterKey !== null && upcase(link.name) <= cursor.afterKey) continue;
    yield { name: link.name, node: link.node, stage: 2, shortName: link.shortName };
  }
}

function entryFor(cls: number, c: Candidate, fileName: string): DirectoryEntry {
  const n = c.node;
  const names = { NextEntryOffset: 0, FileIndex: 0, FileNameLength: c.name.length * 2, FileName: fileName };
  if (cls === C.FileNamesInformation) return names;
  const directory = {
    ...names,
    CreationTime: n.creationTime,
    LastAccessTime: n.lastAccessTime,
    LastWriteTime: n.lastWriteTime,
    ChangeTime: n.changeTime,
    EndOfFile: n.data.length,
    AllocationSize: n.allocationSize,
    FileAttributes: reportedAttributes(n),
  };
  if (cls === C.FileDirectoryInformation) return directory;
  // NTFS reports the reparse tag in EaSize for reparse points.
  const shortName = c.shortName ?? '';
  const both = { ...directory, EaSize: n.reparse?.tag ?? 0, ShortNameLength: shortName.length * 2, ShortName: shortName };
  if (cls === C.FileBothDirectoryInformation) return both;
  return { ...both, FileId: n.fileId };
}

export function queryDirectory(state: FsState, request: FsRequest, ctx: OpenContext): FsCompletion {
  const control = parametersMember(request.Parameters, 'DirectoryControl');
  const params = control?.QueryDirectory ?? null;
  if (params === null || typeof params !== 'object') return complete(STATUS_INVALID_PARAMETER);
  const cls = params.FileInformationClass;
  if (!DIRECTORY_CLASSES.includes(cls)) return complete(STATUS_INVALID_INFO_CLASS);
  const dir = ctx.kind === 'volume' ? null : ctx.node;
  if (dir === null || dir.kind !== 'directory') return complete(STATUS_INVALID_PARAMETER);
  if (!(ctx.grantedAccess & FILE_LIST_DIRECTORY)) return complete(STATUS_ACCESS_DENIED);
  const layout = FILE_INFORMATION_LAYOUT[cls];
  if (layout === undefined || typeof params.Length !== 'number' || params.Length < layout.size) return complete(STATUS_INFO_LENGTH_MISMATCH);

  if (ctx.enumeration === null || request.OperationFlags & SL_RESTART_SCAN) {
    const pattern = params.FileName === null || params.FileName === undefined || params.FileName === '' ? '*' : params.FileName;
    if (typeof pattern !== 'string' || pattern.includes('\\')) return complete(STATUS_OBJECT_NAME_INVALID);
    ctx.enumeration = { pattern, stage: 0, afterKey: null, returnedAny: false };
  }
  const cursor = ctx.enumeration;
  const single = (request.OperationFlags & SL_RETURN_SINGLE_ENTRY) !== 0;
  const nameOffset = layout.nameOffset ?? 0;
  const entries: DirectoryEntry[] = [];
  let used = 0;
  let lastSize = 0;
  let status: number = STATUS_SUCCESS;
  for (const c of candidates(state, dir, cursor)) {
    if (!matchesPattern(c.name, cursor.pattern)) {
      advance(cursor, c);
      continue;
    }
    const start = entries.length === 0 ? 0 : used + ((8 - (lastSize % 8)) % 8);
    const size = nameOffset + c.name.length * 2;
    if (start + size > params.Length) {
      if (entries.length > 0) break;
      // The first entry does not fit: return what fits of its name.
      const room = Math.max(0, Math.floor((params.Length - nameOffset) / 2));
      entries.push(entryFor(cls, c, c.name.slice(0, room)));
      used = nameOffset + room * 2;
      status = STATUS_BUFFER_OVERFLOW;
      advance(cursor, c);
      break;
    }
    const previous = entries[entries.length - 1];
    if (previous !== undefined) previous.NextEntryOffset = start - (used - lastSize);
    entries.push(entryFor(cls, c, c.name));
    used = start + size;
    lastSize = size;
    advance(cursor, c);
    if (single) break;
  }
  if (entries.length === 0) return complete(cursor.returnedAny ? STATUS_NO_MORE_FILES : STATUS_NO_SUCH_FILE);
  cursor.returnedAny = true;
  return { Status: status, Information: used, output: { kind: 'directory', FileInformationClass: cls, entries } };
}

function advance(cursor: EnumerationCursor, c: Candidate): void {
  if (c.stage === 2) {
    cursor.stage = 2;
    cursor.afterKey = upcase(c.name);
  } else {
    cursor.stage = c.stage === 0 ? 1 : 2;
  }
}
