/**
 * Seeding and inspection for scenarios and tests: direct edits and reads of the tree, no IRPs, no
 * access checks. A malformed path or a seeding request that cannot be honoured throws (it is a bug
 * in the scenario, not a modelled outcome). `snapshot()` is plain JSON, deterministic for a given
 * history: children sorted like an NTFS enumeration, file objects sorted by id.
 */
import { UsageError } from '../kernel/errors.js';
import type { FsLink, FsNode, FsState, ReparsePoint } from './model.js';
import type { SecurityDescriptor } from '../wdk/parameters.js';
import { addLink, childLink, compareNames, linkPath, newNode, reportedAttributes, roundUp } from './model.js';
import { lookupSeedPath, seedComponents } from './namespace.js';
import { cloneDescriptor, inheritDescriptor } from './security.js';
import { FILE_ATTRIBUTE_ARCHIVE, FILE_ATTRIBUTE_VALID_SET_FLAGS } from '../wdk/fileConstants.js';

export interface SeedFileOptions {
  attributes?: number;
  security?: SecurityDescriptor;
  reparse?: { tag: number; guid: string | null; data: Uint8Array };
}

export interface FsStat {
  fileId: number;
  isDirectory: boolean;
  endOfFile: number;
  allocationSize: number;
  attributes: number;
  creationTime: number;
  lastAccessTime: number;
  lastWriteTime: number;
  changeTime: number;
  numberOfLinks: number;
  deletePending: boolean;
  reparseTag: number;
  objectId: string | null;
  security: SecurityDescriptor | null;
}

export interface SnapshotEntry {
  name: string;
  fileId: number;
  kind: 'file' | 'directory';
  attributes: number;
  endOfFile: number;
  allocationSize: number;
  times: [creation: number, lastAccess: number, lastWrite: number, change: number];
  deletePending: boolean;
  numberOfLinks: number;
  /** File data as lowercase hex. */
  data?: string;
  reparse: { tag: number; guid: string | null; data: string } | null;
  objectId: string | null;
  security: SecurityDescriptor | null;
  share: { OpenCount: number; Readers: number; Writers: number; Deleters: number };
  children?: SnapshotEntry[];
}

export interface FsSnapshot {
  volume: { name: string; fsType: 'NTFS' | 'FAT'; serialNumber: number; dismounted: boolean; totalBytes: number; clusterSize: number };
  root: SnapshotEntry;
  /** Files that lost every name but are still open. */
  orphans: SnapshotEntry[];
  fileObjects: { id: string; kind: 'volume' | 'file'; fileId: number; path: string; grantedAccess: number; state: 'open' | 'cleanedUp'; deleteOnClose: boolean }[];
}

function toHex(data: Uint8Array): string {
  let out = '';
  for (const byte of data) out += byte.toString(16).padStart(2, '0');
  return out;
}

function requireNode(state: FsState, path: string): { node: FsNode; link: FsLink | null } {
  const found = lookupSeedPath(state, path);
  if (found === null) throw new UsageError('BAD_PATH', `fltsim fs: no such file '${path}'`);
  return found;
}

const UTF8 = new TextEncoder();

/**
 * A seeded file's text as UTF-8. ASCII is copied by hand: TextEncoder.encode allocates its result
 * outside the JavaScript heap, ~6x the cost of a short copy, and scenarios seed a file on every
 * schedule of an exploration.
 */
function utf8(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return UTF8.encode(text);
    out[i] = c;
  }
  return out;
}

export function seedMkdir(state: FsState, path: string): FsNode {
  return mkdirComponents(state, path, seedComponents(path));
}

/** The directories of an already split path, made where missing (seedWriteFile has split it once). */
function mkdirComponents(state: FsState, path: string, components: readonly string[]): FsNode {
  let dir = state.root;
  for (const component of components) {
    const link = childLink(dir, component);
    if (link === null) {
      const node = newNode(state, 'directory', dir.security ? inheritDescriptor(dir.security, dir.security.Owner ?? 'S-1-5-18') : null);
      addLink(dir, component, node);
      dir = node;
    } else if (link.node.kind === 'directory') {
      dir = link.node;
    } else {
      throw new UsageError('BAD_PATH', `fltsim fs: '${component}' in '${path}' is a file`);
    }
  }
  return dir;
}

export function seedWriteFile(state: FsState, path: string, content: Uint8Array | string, options: SeedFileOptions = {}): FsNode {
  const components = seedComponents(path);
  const name = components.pop();
  if (name === undefined) throw new UsageError('BAD_PATH', 'fltsim fs: cannot write the root directory');
  const dir = mkdirComponents(state, path, components);
  const data = typeof content === 'string' ? utf8(content) : content.slice();
  let node = childLink(dir, name)?.node ?? null;
  if (node?.kind === 'directory') throw new UsageError('BAD_PATH', `fltsim fs: '${path}' is a directory`);
  if (node === null) {
    node = newNode(state, 'file', dir.security ? inheritDescriptor(dir.security, dir.security.Owner ?? 'S-1-5-18') : null);
    addLink(dir, name, node);
  }
  node.data = data;
  node.allocationSize = roundUp(data.length, state.clusterSize);
  node.attributes = options.attributes === undefined ? FILE_ATTRIBUTE_ARCHIVE : options.attributes & FILE_ATTRIBUTE_VALID_SET_FLAGS;
  if (options.security !== undefined) seedSecurity(state, path, options.security);
  if (options.reparse !== undefined) seedReparsePoint(state, path, options.reparse.tag, options.reparse.guid, options.reparse.data);
  const now = state.options.now();
  node.lastWriteTime = now;
  node.changeTime = now;
  return node;
}

export function seedReparsePoint(state: FsState, path: string, tag: number, guid: string | null, data: Uint8Array): void {
  const reparse: ReparsePoint = { tag: tag >>> 0, guid, data: data.slice() };
  requireNode(state, path).node.reparse = reparse;
}

export function seedSecurity(state: FsState, path: string, sd: SecurityDescriptor): void {
  if (state.options.fsType !== 'NTFS') throw new UsageError('BAD_PATH', 'fltsim fs: FAT volumes keep no security');
  requireNode(state, path).node.security = cloneDescriptor(sd);
}

export function statOf(state: FsState, path: string): FsStat | null {
  const found = lookupSeedPath(state, path);
  if (found === null) return null;
  const n = found.node;
  return {
    fileId: n.fileId,
    isDirectory: n.kind === 'directory',
    endOfFile: n.data.length,
    allocationSize: n.allocationSize,
    attributes: reportedAttributes(n),
    creationTime: n.creationTime,
    lastAccessTime: n.lastAccessTime,
    lastWriteTime: n.lastWriteTime,
    changeTime: n.changeTime,
    numberOfLinks: n.links.length,
    deletePending: found.link?.deletePending ?? false,
    reparseTag: n.reparse?.tag ?? 0,
    objectId: n.objectId,
    security: n.security === null ? null : cloneDescriptor(n.security),
  };
}

export function readFileOf(state: FsState, path: string): Uint8Array | null {
  const found = lookupSeedPath(state, path);
  return found === null || found.node.kind !== 'file' ? null : found.node.data.slice();
}

export function listOf(state: FsState, path: string): string[] | null {
  const found = lookupSeedPath(state, path);
  if (found === null || found.node.children === null) return null;
  return [...found.node.children.values()].map((l) => l.name).sort(compareNames);
}

function entry(name: string, node: FsNode, link: FsLink | null): SnapshotEntry {
  const e: SnapshotEntry = {
    name,
    fileId: node.fileId,
    kind: node.kind,
    attributes: reportedAttributes(node),
    endOfFile: node.data.length,
    allocationSize: node.allocationSize,
    times: [node.creationTime, node.lastAccessTime, node.lastWriteTime, node.changeTime],
    deletePending: link?.deletePending ?? false,
    numberOfLinks: node.links.length,
    reparse: node.reparse === null ? null : { tag: node.reparse.tag, guid: node.reparse.guid, data: toHex(node.reparse.data) },
    objectId: node.objectId,
    security: node.security === null ? null : cloneDescriptor(node.security),
    share: { OpenCount: node.share.OpenCount, Readers: node.share.Readers, Writers: node.share.Writers, Deleters: node.share.Deleters },
  };
  if (node.kind === 'file') e.data = toHex(node.data);
  if (node.children !== null) {
    e.children = [...node.children.values()].sort((a, b) => compareNames(a.name, b.name)).map((l) => entry(l.name, l.node, l));
  }
  return e;
}

export function snapshotOf(state: FsState): FsSnapshot {
  const o = state.options;
  const orphans = [...state.nodes.values()].filter((n) => n !== state.root && n.links.length === 0).map((n) => entry('', n, null));
  const fileObjects = [...state.contexts.values()]
    .sort((a, b) => (a.fileObjectId < b.fileObjectId ? -1 : a.fileObjectId > b.fileObjectId ? 1 : 0))
    .map((c) => ({
      id: c.fileObjectId,
      kind: c.kind,
      fileId: c.node.fileId,
      path: c.kind === 'volume' ? '' : linkPath(c.link),
      grantedAccess: c.grantedAccess,
      state: c.state,
      deleteOnClose: c.deleteOnClose,
    }));
  return {
    volume: { name: o.volumeName, fsType: o.fsType, serialNumber: state.serialNumber, dismounted: state.dismounted, totalBytes: state.totalBytes, clusterSize: state.clusterSize },
    root: entry('', state.root, null),
    orphans,
    fileObjects,
  };
}
