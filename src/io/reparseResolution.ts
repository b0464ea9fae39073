/**
 * The I/O manager's half of reparse points (§21.11, §11.1): when a create comes back with
 * STATUS_REPARSE and no filter took it over, IopParseDevice follows a symbolic link or mount point
 * itself — it builds the new name from the reparse data and the part of the name the file system
 * did not parse, and sends a new create from the top of the (possibly other) volume's stack. A
 * create completed with STATUS_REPARSE and Information IO_REPARSE (a filter that replaced
 * FileObject->FileName with IoReplaceFileObjectName, as simrep does in pre-create) is re-parsed from
 * that name, a full path, the same way: a new file object and a create from the top, so filters and
 * the file system below the one that reparsed never see the old name. At most 63 reparses are
 * followed in one open, whichever kind (then STATUS_REPARSE_POINT_NOT_RESOLVED) [model: the 63 is
 * the documented symbolic-link limit; one count for both kinds keeps a filter that reparses a name
 * onto itself from looping forever, as the object manager's own limit does]. Any other tag
 * nobody handled is STATUS_IO_REPARSE_TAG_NOT_HANDLED. A targeted create (FltCreateFile* with an
 * instance) cannot leave its instance's volume: STATUS_MOUNT_POINT_NOT_RESOLVED.
 */
import type { Blocking } from '../kernel/effects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { VolumeObject } from '../fltmgr/volumeObject.js';
import type { FsTagData } from '../fs/types.js';
import { IO_REPARSE, IO_REPARSE_TAG_MOUNT_POINT, IO_REPARSE_TAG_SYMLINK } from '../wdk/fileConstants.js';
import {
  STATUS_IO_REPARSE_DATA_INVALID,
  STATUS_IO_REPARSE_TAG_NOT_HANDLED,
  STATUS_MOUNT_POINT_NOT_RESOLVED,
  STATUS_OBJECT_PATH_NOT_FOUND,
  STATUS_REPARSE,
  STATUS_REPARSE_POINT_NOT_RESOLVED,
  STATUS_STOPPED_ON_SYMLINK,
  type NTSTATUS,
} from '../wdk/ntstatus.js';
import { parseNameSurrogate, SYMLINK_FLAG_RELATIVE } from '../wdk/reparseData.js';
import type { FileObject } from './fileObject.js';
import type { IoOperation } from './ioOperation.js';
import { resolvePath } from './paths.js';

/** Reparse points one open may traverse (Vista and later). */
export const MAX_REPARSE_POINTS = 63;

export interface CreateAttempt {
  readonly op: IoOperation;
  readonly fo: FileObject;
}

/** Send one create for `fileName` on `volume` (relative to `related` when given) and wait for it. */
export type CreateAttemptFn = (volume: VolumeObject, fileName: string, related: FileObject | null) => Blocking<CreateAttempt>;

export interface ReparseRules {
  /** A targeted create may only be reparsed onto its instance's volume. */
  readonly confinedTo: VolumeObject | null;
  /** IO_STOP_ON_SYMLINK: a symbolic link ends the open with STATUS_STOPPED_ON_SYMLINK. */
  readonly stopOnSymlink: boolean;
}

export interface CreateOutcome {
  /** The last create sent. */
  readonly attempt: CreateAttempt;
  /** The open's result: the last create's status, or why the I/O manager could not follow a reparse. */
  readonly status: NTSTATUS;
  /**
   * Where a targeted create confined to its instance's volume was reparsed to on another volume
   * (status STATUS_MOUNT_POINT_NOT_RESOLVED): FltCreateFileEx2's target ECP (§22.3) can continue there.
   */
  readonly crossing?: { readonly volume: VolumeObject; readonly fileName: string };
}

/** Open `fileName`, following symbolic links and mount points as the I/O manager does. */
export function* createFollowingReparse(
  fltMgr: FilterManager,
  volume: VolumeObject,
  fileName: string,
  related: FileObject | null,
  attemptCreate: CreateAttemptFn,
  rules: ReparseRules,
): Blocking<CreateOutcome> {
  let reparses = 0;
  let attempt = yield* attemptCreate(volume, fileName, related);
  for (;;) {
    const status = attempt.op.data.IoStatus.Status;
    if (status !== STATUS_REPARSE) return { attempt, status };
    if (attempt.op.data.IoStatus.Information === IO_REPARSE) {
      if (++reparses > MAX_REPARSE_POINTS) return { attempt, status: STATUS_REPARSE_POINT_NOT_RESOLVED };
      // The name the driver put into the file object is the whole new name, from the namespace root.
      const renamed = resolvePath(fltMgr, attempt.fo.FileName);
      if (renamed === null) return { attempt, status: STATUS_OBJECT_PATH_NOT_FOUND };
      if (rules.confinedTo !== null && renamed.volume !== rules.confinedTo) return { attempt, status: STATUS_MOUNT_POINT_NOT_RESOLVED, crossing: renamed };
      volume = renamed.volume;
      fileName = renamed.fileName;
      related = null;
      attempt = yield* attemptCreate(volume, fileName, related);
      continue;
    }
    const tagData = attempt.op.data.TagData;
    const tag = (tagData?.ReparseTag ?? 0) >>> 0;
    if (tagData === null || (tag !== IO_REPARSE_TAG_SYMLINK && tag !== IO_REPARSE_TAG_MOUNT_POINT)) {
      return { attempt, status: STATUS_IO_REPARSE_TAG_NOT_HANDLED };
    }
    if (rules.stopOnSymlink && tag === IO_REPARSE_TAG_SYMLINK) return { attempt, status: STATUS_STOPPED_ON_SYMLINK };
    if (++reparses > MAX_REPARSE_POINTS) return { attempt, status: STATUS_REPARSE_POINT_NOT_RESOLVED };
    const fullName = related === null ? fileName : joinNames(related.FileName, fileName);
    const next = reparsedName(attempt.fo.volume, fullName, tagData);
    if (next === null) return { attempt, status: STATUS_IO_REPARSE_DATA_INVALID };
    const target = resolvePath(fltMgr, next);
    if (target === null) return { attempt, status: STATUS_OBJECT_PATH_NOT_FOUND };
    if (rules.confinedTo !== null && target.volume !== rules.confinedTo) return { attempt, status: STATUS_MOUNT_POINT_NOT_RESOLVED, crossing: target };
    volume = target.volume;
    fileName = target.fileName;
    related = null;
    attempt = yield* attemptCreate(volume, fileName, related);
  }
}

/**
 * The name IopParseDevice re-parses: the substitute name (absolute, or for a relative symbolic link
 * resolved against the link's directory) followed by what the file system did not parse. Null for
 * reparse data that is not a well-formed name surrogate.
 */
export function reparsedName(volume: VolumeObject, fileName: string, tagData: FsTagData): string | null {
  const surrogate = parseNameSurrogate(tagData.ReparseTag, tagData.data);
  if (surrogate === null) return null;
  // A trailing backslash is not part of any component, so the unparsed count does not include it.
  const trailing = fileName.length > 1 && fileName.endsWith('\\') ? '\\' : '';
  const name = trailing === '' ? fileName : fileName.slice(0, -1);
  const unparsed = Math.min(name.length, tagData.UnparsedNameLength / 2);
  const remainder = name.slice(name.length - unparsed) + trailing;
  if ((surrogate.Flags & SYMLINK_FLAG_RELATIVE) === 0) return collapse(surrogate.SubstituteName + remainder);
  const link = name.slice(0, name.length - unparsed);
  const directory = link.slice(0, Math.max(0, link.lastIndexOf('\\')));
  const resolved = normalize(`${directory}\\${surrogate.SubstituteName}`);
  const prefix = volume.dosName === null ? volume.name : `\\??\\${volume.dosName}`;
  return collapse(prefix + resolved + remainder);
}

function joinNames(parent: string, child: string): string {
  return parent.endsWith('\\') ? parent + child : `${parent}\\${child}`;
}

function collapse(path: string): string {
  return path.replace(/\\{2,}/g, '\\');
}

/** Resolve `.` and `..` in a volume-relative name (`..` at the root stays at the root). */
function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split('\\')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `\\${out.join('\\')}`;
}
