/**
 * The file system's state: files (one record per file id, like an MFT record), links (names in a
 * directory; a file has one per hard link), and per-file-object contexts (FsContext2 / CCB).
 * Everything is owned by one `FsState`; nothing lives at module level.
 *
 * The flags on these records (a link's or stream's delete disposition, a context's delete-on-close
 * and cleanup, the volume's dismount) stay data, not machine states: they are the FSD's own
 * FCB/CCB/VCB flags, which no fact records — the file system is a component the kernel calls, its
 * records are saved and re-seeded as plain data (src/fs/seed.ts), and a file system built without a
 * kernel runs them alone — so no fold could replay a machine of theirs. What the rest of the
 * simulation sees of a file object's life is the FILE_OBJECT machine (src/machines/fileObject.ts),
 * moved by the I/O manager's facts. The objects the file system keeps for waiting requests
 * (byte-range locks, notify structures, oplocks) are facts' objects, and there the machine decides.
 */
import type { FileObjectShare, ShareAccess } from './shareAccess.js';
import type { FsVolumeOptions } from './types.js';
import type { FsKernelLink } from './kernelLink.js';
import type { FileLock } from './byteRangeLocks.js';
import type { NotifyChange } from './directoryNotify.js';
import type { Oplock } from './oplocks.js';
import type { Guid, SecurityDescriptor } from '../wdk/parameters.js';
import { EMPTY_SHARE_ACCESS } from './shareAccess.js';
import { generateShortName } from './shortNames.js';
import { upcase } from './collation.js';
import {
  DELETE,
  FILE_APPEND_DATA,
  FILE_ATTRIBUTE_DIRECTORY,
  FILE_ATTRIBUTE_NORMAL,
  FILE_ATTRIBUTE_REPARSE_POINT,
  FILE_WRITE_ATTRIBUTES,
  FILE_WRITE_DATA,
  FILE_WRITE_EA,
} from '../wdk/fileConstants.js';

export interface ReparsePoint {
  readonly tag: number;
  readonly guid: Guid | null;
  readonly data: Uint8Array;
}

/** A name of a file in a directory. Mutable: rename moves it, so every open through it follows. */
export interface FsLink {
  readonly node: FsNode;
  parent: FsNode;
  name: string;
  /** Open.Link.IsDeleted in MS-FSA: set by FileDispositionInformation or delete-on-close (an FSD flag: data, see the header). */
  deletePending: boolean;
  /** The 8.3 alias (§21.6), on volumes that generate them and only for names that are not 8.3 already. */
  shortName: string | null;
}

/**
 * A named data stream of a file (`file:name`, §21.5). The default stream is the file record's own
 * data; a named stream has its own data, share access, handle counts and delete disposition, and is
 * removed at its own last cleanup while delete-pending.
 */
export interface FsStream {
  readonly node: FsNode;
  /** As created (case kept); looked up case-insensitively. */
  readonly name: string;
  data: Uint8Array;
  allocationSize: number;
  share: ShareAccess;
  /** Set by a disposition or a delete-on-close cleanup on a handle to this stream. */
  deletePending: boolean;
  /** Handles to this stream not yet cleaned up. */
  uncleanCount: number;
  /** Removed from its file (its own delete, or the file's); file objects on it then see STATUS_FILE_DELETED. */
  deleted: boolean;
}

export interface FsNode {
  readonly fileId: number;
  readonly kind: 'file' | 'directory';
  data: Uint8Array;
  allocationSize: number;
  /** Stored attributes; DIRECTORY and REPARSE_POINT are derived, NORMAL is never stored. */
  attributes: number;
  creationTime: number;
  lastAccessTime: number;
  lastWriteTime: number;
  changeTime: number;
  /** null on FAT, which keeps no security. */
  security: SecurityDescriptor | null;
  reparse: ReparsePoint | null;
  objectId: Guid | null;
  /** Names of this file; empty once every name is gone (the file lives on while opened). */
  links: FsLink[];
  /** Directory entries keyed by upcased name; null for files. */
  readonly children: Map<string, FsLink> | null;
  /** Directory entries keyed by upcased 8.3 alias; null for files and on volumes without 8.3 names. */
  shortChildren: Map<string, FsLink> | null;
  share: ShareAccess;
  /** Named data streams by upcased name (§21.5); the default stream is `data` above. */
  readonly streams: Map<string, FsStream>;
  /** Handles not yet cleaned up, to any of its streams (Fcb->UncleanCount). */
  uncleanCount: number;
  /** File objects not yet closed (Fcb->CloseCount). */
  openCount: number;
}

export interface EnumerationCursor {
  readonly pattern: string;
  /** 0 = '.' next, 1 = '..' next, 2 = names after `afterKey`. */
  stage: 0 | 1 | 2;
  afterKey: string | null;
  returnedAny: boolean;
}

/** FsContext2 / CCB: what the FS knows about one FILE_OBJECT. */
export interface OpenContext {
  readonly fileObjectId: string;
  readonly kind: 'volume' | 'file';
  readonly node: FsNode;
  /** The name it was opened by; null for the root and volume opens. */
  readonly link: FsLink | null;
  /** The named stream it was opened on; null for the default stream (§21.5). */
  readonly stream: FsStream | null;
  readonly grantedAccess: number;
  readonly share: FileObjectShare;
  /** Name as the opener spelled it; null once a rename made it stale (then the stored name is used). */
  openedName: string | null;
  /** FILE_DELETE_ON_CLOSE, and FILE_DISPOSITION_POSIX_SEMANTICS of its disposition: the CCB's flags (data, see the header). */
  deleteOnClose: boolean;
  posixDelete: boolean;
  /** IRP_MJ_CLEANUP came for it (the CCB's cleanup flag; the FILE_OBJECT machine's own CleanedUp is the I/O manager's). */
  state: 'open' | 'cleanedUp';
  enumeration: EnumerationCursor | null;
  /** Final component of an SL_OPEN_TARGET_DIRECTORY open, for the rename/link that follows. */
  readonly targetName: string | null;
}

export interface FsState {
  readonly options: FsVolumeOptions;
  readonly clusterSize: number;
  readonly totalBytes: number;
  readonly serialNumber: number;
  readonly createdAt: number;
  readonly root: FsNode;
  /** Every live file record, by file id (insertion order = creation order). */
  readonly nodes: Map<number, FsNode>;
  readonly contexts: Map<string, OpenContext>;
  /** Ids of file objects that were closed, so late I/O gets STATUS_FILE_CLOSED. */
  readonly closed: Set<string>;
  volumeShare: ShareAccess;
  nextFileId: number;
  /** FSCTL_DISMOUNT_VOLUME came (the VCB's flag; the volume's mount state FltMgr sees is the volume machine's). */
  dismounted: boolean;
  /** IRP_MN_REMOVE_DEVICE or SURPRISE_REMOVAL came: the device is gone, so no open mounts it again (§21.7). */
  deviceRemoved: boolean;
  /**
   * The volume open holding FSCTL_LOCK_VOLUME, if any (§21.7), or PNP_REMOVE_LOCK while a PnP
   * query-remove it granted waits for its REMOVE or CANCEL (src/fs/volumeRequests.ts).
   */
  lockedBy: string | null;
  /** Facts about the objects below, and the parked requests let go (src/fs/kernelLink.ts). */
  readonly link: FsKernelLink;
  /** FILE_LOCK per stream, by file id (§21.10), created with the stream's first lock request. */
  readonly fileLocks: Map<number, FileLock>;
  /** FsRtl's notify structure per directory handle (§21.9), by file object id, until its close. */
  /** By directory file object; kept after FsRtlNotifyCleanup (the machine says so) until the close. */
  readonly notifies: Map<string, NotifyChange>;
  /** The oplock of each stream that has one (§21.8), by file id. */
  readonly oplocks: Map<number, Oplock>;
}

/** Access bits that modify the volume; refused on a read-only volume. */
export const WRITE_LIKE_ACCESS = FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA | DELETE;

export const ROOT_FILE_ID = 5;
export const FIRST_USER_FILE_ID = 64;

export function makeNode(fileId: number, kind: 'file' | 'directory', security: SecurityDescriptor | null, now: number): FsNode {
  return {
    fileId,
    kind,
    data: new Uint8Array(0),
    allocationSize: 0,
    attributes: 0,
    creationTime: now,
    lastAccessTime: now,
    lastWriteTime: now,
    changeTime: now,
    security,
    reparse: null,
    objectId: null,
    links: [],
    children: kind === 'directory' ? new Map() : null,
    shortChildren: null,
    share: EMPTY_SHARE_ACCESS,
    streams: new Map(),
    uncleanCount: 0,
    openCount: 0,
  };
}

/** A new file record with the next file id and every timestamp = now(). */
export function newNode(state: FsState, kind: 'file' | 'directory', security: SecurityDescriptor | null): FsNode {
  const node = makeNode(state.nextFileId++, kind, security, state.options.now());
  if (kind === 'directory' && state.options.shortNames === true) node.shortChildren = new Map();
  state.nodes.set(node.fileId, node);
  return node;
}

export { compareNames, upcase } from './collation.js';

export function addLink(parent: FsNode, name: string, node: FsNode): FsLink {
  const link: FsLink = { node, parent, name, deletePending: false, shortName: null };
  enterLink(parent, link);
  node.links.push(link);
  return link;
}

/** Put `link` (already named) into `dir`'s entries, giving it an 8.3 alias where the volume makes them. */
export function enterLink(dir: FsNode, link: FsLink): void {
  link.parent = dir;
  dir.children?.set(upcase(link.name), link);
  const shorts = dir.shortChildren;
  if (shorts === null) {
    link.shortName = null;
    return;
  }
  link.shortName = generateShortName(link.name, (alias) => shorts.has(alias) || dir.children?.has(alias) === true);
  if (link.shortName !== null) shorts.set(upcase(link.shortName), link);
}

/** Take `link` out of its directory's entries (both its long name and its alias). */
export function leaveLink(link: FsLink): void {
  const dir = link.parent;
  const key = upcase(link.name);
  if (dir.children?.get(key) === link) dir.children.delete(key);
  if (link.shortName !== null && dir.shortChildren?.get(upcase(link.shortName)) === link) dir.shortChildren.delete(upcase(link.shortName));
}

/** Removes a name from its directory; the file record goes when no name and no open remain. */
export function removeLink(state: FsState, node: FsNode, link: FsLink): void {
  leaveLink(link);
  node.links = node.links.filter((l) => l !== link);
  // The file is gone with its last name, and its named streams with it (§21.5).
  if (node.links.length === 0 && node !== state.root) for (const stream of [...node.streams.values()]) removeStream(stream);
  const now = state.options.now();
  link.parent.lastWriteTime = now;
  link.parent.changeTime = now;
  forgetIfUnreferenced(state, node);
}

/** The data a file object reads and writes: its named stream's, or the file's default stream. */
export function streamOf(ctx: OpenContext): { data: Uint8Array; allocationSize: number } {
  return ctx.stream ?? ctx.node;
}

/** A new, empty named stream of `node`. */
export function addStream(node: FsNode, name: string): FsStream {
  const stream: FsStream = { node, name, data: new Uint8Array(0), allocationSize: 0, share: EMPTY_SHARE_ACCESS, deletePending: false, uncleanCount: 0, deleted: false };
  node.streams.set(upcase(name), stream);
  return stream;
}

/** A named stream leaves its file (its last cleanup while delete-pending, or the file's removal). */
export function removeStream(stream: FsStream): void {
  if (stream.node.streams.get(upcase(stream.name)) === stream) stream.node.streams.delete(upcase(stream.name));
  stream.deleted = true;
}

export function forgetIfUnreferenced(state: FsState, node: FsNode): void {
  if (node.links.length === 0 && node.openCount === 0 && node !== state.root) state.nodes.delete(node.fileId);
}

/** The entry `name` names in `dir`: its long name, or else its 8.3 alias. */
export function childLink(dir: FsNode, name: string): FsLink | null {
  const key = upcase(name);
  return dir.children?.get(key) ?? dir.shortChildren?.get(key) ?? null;
}

/** Volume-relative full path of a link, from the names as stored (the normalized name). */
export function linkPath(link: FsLink | null): string {
  if (link === null) return '\\';
  const parts: string[] = [link.name];
  let parent = link.parent;
  while (parent.links.length > 0) {
    const up = parent.links[0];
    if (up === undefined) break;
    parts.unshift(up.name);
    parent = up.parent;
  }
  return '\\' + parts.join('\\');
}

/** Attributes as queries report them. */
export function reportedAttributes(node: FsNode): number {
  let attributes = node.attributes;
  if (node.kind === 'directory') attributes |= FILE_ATTRIBUTE_DIRECTORY;
  if (node.reparse !== null) attributes |= FILE_ATTRIBUTE_REPARSE_POINT;
  return attributes === 0 ? FILE_ATTRIBUTE_NORMAL : attributes;
}

export function roundUp(value: number, unit: number): number {
  return Math.ceil(value / unit) * unit;
}

export function usedBytes(state: FsState): number {
  let used = 0;
  for (const node of state.nodes.values()) {
    used += node.allocationSize;
    for (const stream of node.streams.values()) used += stream.allocationSize;
  }
  return used;
}

export function freeBytes(state: FsState): number {
  return Math.max(0, state.totalBytes - usedBytes(state));
}

export function isDescendantOf(node: FsNode, ancestor: FsNode): boolean {
  let current: FsNode = node;
  for (;;) {
    if (current === ancestor) return true;
    const up = current.links[0];
    if (up === undefined) return false;
    current = up.parent;
  }
}

/** True when some file strictly below `dir` has a handle that has not been cleaned up. */
export function hasOpenHandlesBelow(state: FsState, dir: FsNode): boolean {
  for (const node of state.nodes.values()) {
    if (node !== dir && node.uncleanCount > 0 && isDescendantOf(node, dir)) return true;
  }
  return false;
}

export function hex(value: number, digits: number): string {
  return (value >>> 0).toString(16).padStart(digits, '0').slice(-digits);
}
