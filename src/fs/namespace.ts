/**
 * Names and lookup. Volume-relative names start with '\'; names relative to a related file object
 * do not. Names are case-insensitive and case-preserving; components follow NTFS rules (no
 * control characters, none of " * / : < > ? \ |, at most 255 characters, not "." or "..").
 */
import { UsageError } from '../kernel/errors.js';
import type { FsLink, FsNode, FsState } from './model.js';
import { childLink } from './model.js';
import { STATUS_OBJECT_NAME_INVALID, STATUS_OBJECT_PATH_NOT_FOUND } from '../wdk/ntstatus.js';

export const MAX_COMPONENT_LENGTH = 255;

export interface ParsedName {
  readonly components: readonly string[];
  /** `\dir\` names a directory; on a file it is STATUS_OBJECT_NAME_INVALID. */
  readonly trailingBackslash: boolean;
}

const BACKSLASH = 0x5c;
const INVALID_CHARACTERS = /[\u0000-\u001f"*/:<>?\\|]/;

export function isValidComponent(name: string): boolean {
  return name.length > 0 && name.length <= MAX_COMPONENT_LENGTH && name !== '.' && name !== '..' && !INVALID_CHARACTERS.test(name);
}

/**
 * Splits FileObject.FileName. `relative` = a related file object is present, in which case a
 * leading '\' is invalid (FastFAT/NTFS: STATUS_OBJECT_NAME_INVALID); without one it is required.
 */
export function parseFileName(fileName: string, relative: boolean): ParsedName | number {
  if (typeof fileName !== 'string') return STATUS_OBJECT_NAME_INVALID;
  let rest = fileName;
  if (relative) {
    if (rest.startsWith('\\')) return STATUS_OBJECT_NAME_INVALID;
  } else {
    if (!rest.startsWith('\\')) return STATUS_OBJECT_NAME_INVALID;
    rest = rest.slice(1);
  }
  if (rest === '') return { components: [], trailingBackslash: false };
  let trailingBackslash = false;
  if (rest.endsWith('\\')) {
    trailingBackslash = true;
    rest = rest.slice(0, -1);
  }
  const components = rest.split('\\');
  if (!components.every(isValidComponent)) return STATUS_OBJECT_NAME_INVALID;
  return { components, trailingBackslash };
}

/**
 * Splits a stream suffix off the final component (§21.5): `f:s` and `f:s:$DATA` name the data stream
 * `s` of `f`; `f::$DATA` is `f`'s default stream. Any other stream type, an empty stream name
 * without a type, or a bad stream name is STATUS_OBJECT_NAME_INVALID. `suffix` is the text as typed,
 * for the opened name.
 */
export function splitStreamSuffix(fileName: string): { fileName: string; stream: string | null; suffix: string } | number {
  if (typeof fileName !== 'string') return STATUS_OBJECT_NAME_INVALID;
  const colon = fileName.indexOf(':', fileName.lastIndexOf('\\') + 1);
  if (colon < 0) return { fileName, stream: null, suffix: '' };
  const suffix = fileName.slice(colon);
  const [stream = '', type, ...extra] = suffix.slice(1).split(':');
  if (extra.length > 0 || (type !== undefined && type.toUpperCase() !== '$DATA')) return STATUS_OBJECT_NAME_INVALID;
  if (stream === '') return type === undefined ? STATUS_OBJECT_NAME_INVALID : { fileName: fileName.slice(0, colon), stream: null, suffix };
  if (!isValidComponent(stream)) return STATUS_OBJECT_NAME_INVALID;
  return { fileName: fileName.slice(0, colon), stream, suffix };
}

export type WalkResult =
  | { readonly kind: 'error'; readonly status: number }
  | { readonly kind: 'reparse'; readonly node: FsNode; readonly unparsedNameLength: number }
  | { readonly kind: 'parent'; readonly dir: FsNode };

/**
 * Resolves every component but the last, from `start`. A missing or non-directory component is
 * STATUS_OBJECT_PATH_NOT_FOUND; a component carrying a reparse point stops the walk (STATUS_REPARSE
 * is due whatever FILE_OPEN_REPARSE_POINT says: that option only concerns the final component).
 */
export function walkToParent(start: FsNode, components: readonly string[]): WalkResult {
  let dir = start;
  for (let i = 0; i < components.length - 1; i++) {
    const link = childLink(dir, components[i] ?? '');
    if (link === null) return { kind: 'error', status: STATUS_OBJECT_PATH_NOT_FOUND };
    const node = link.node;
    if (node.reparse !== null) {
      const remaining = components.slice(i + 1);
      return { kind: 'reparse', node, unparsedNameLength: 2 * (remaining.join('\\').length + 1) };
    }
    if (node.kind !== 'directory') return { kind: 'error', status: STATUS_OBJECT_PATH_NOT_FOUND };
    dir = node;
  }
  return { kind: 'parent', dir };
}

/** Seeding paths: `\a\b`, `a\b` or `/a/b`; returns components or throws for a malformed path. */
export function seedComponents(path: string): string[] {
  // Forward slashes as backslashes, then no leading or trailing backslash: scanned, not three regular-expression replaces (per seeded file of every explored schedule).
  const slashed = path.includes('/') ? path.replaceAll('/', '\\') : path;
  let start = 0;
  let end = slashed.length;
  while (start < end && slashed.charCodeAt(start) === BACKSLASH) start++;
  while (end > start && slashed.charCodeAt(end - 1) === BACKSLASH) end--;
  const normalized = slashed.slice(start, end);
  if (normalized === '') return [];
  const components = normalized.split('\\');
  for (const c of components) if (!isValidComponent(c)) throw new UsageError('BAD_PATH', `fltsim fs: invalid path component '${c}' in '${path}'`);
  return components;
}

/** Lookup without access checks or reparse processing, for seeding and inspection. */
export function lookupSeedPath(state: FsState, path: string): { node: FsNode; link: FsLink | null } | null {
  let node = state.root;
  let link: FsLink | null = null;
  for (const component of seedComponents(path)) {
    const next = childLink(node, component);
    if (next === null) return null;
    link = next;
    node = next.node;
  }
  return { node, link };
}
