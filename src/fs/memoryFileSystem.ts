/**
 * MemoryFileSystem: the file system at the bottom of every simulated stack. One `dispatch(request)`
 * entry point, synchronous and deterministic; every bad input is an NTSTATUS, never an exception.
 *
 * Dispatch order: CLEANUP and CLOSE always succeed (even after dismount); after `dismount()` every
 * other request is STATUS_VOLUME_DISMOUNTED; IRP_MJ_CREATE makes a context; any other request needs
 * one (unknown file object → STATUS_INVALID_HANDLE, closed → STATUS_FILE_CLOSED, cleaned up → per
 * request class, src/fs/afterCleanup.ts).
 */
import { oneOfArgument } from '../kernel/arguments.js';
import { shapeArgument } from '../kernel/dataArguments.js';
import type { FsState } from './model.js';
import type { FsSnapshot, FsStat, SeedFileOptions } from './seed.js';
import type { FsCompletion, FsRequest, FsVolumeOptions } from './types.js';
import type { SecurityDescriptor } from '../wdk/parameters.js';
import { create } from './create.js';
import { fastQueryOpen } from './queryOpen.js';
import { queryDirectory } from './directory.js';
import { deviceControl, fileSystemControl } from './fsctl.js';
import { queryInformation } from './information.js';
import { afterCleanupStatus } from './afterCleanup.js';
import { cleanup, close } from './lifecycle.js';
import { flush, read, write } from './readWrite.js';
import { fsFilterCallback } from './fsFilterCallbacks.js';
import { querySecurity, setSecurity } from './securityIrp.js';
import { listOf, readFileOf, seedMkdir, seedReparsePoint, seedSecurity, seedWriteFile, snapshotOf, statOf } from './seed.js';
import { setInformation } from './setInformation.js';
import { complete } from './types.js';
import { confinedRequest } from './fileFootprint.js';
import { FsHold, type FsHoldSpec, type HeldRequestInfo } from './holds.js';
import { fileIsWithin, fsContextOf, normalizeUnopenedName, pathOfFileId, type FsContextIdentity, type NameLookup } from './nameLookup.js';
import { queryVolumeInformation } from './volumeInformation.js';
import { PNP_REMOVE_LOCK, volumeRequest } from './volumeRequests.js';
import { remountState } from './remount.js';
import { type ReleasedRequest } from './kernelLink.js';
import { cancelWaitingLock, lockControl, type ByteRangeLock } from './byteRangeLocks.js';
import { cancelNotify, cleanedUp, notifyChangeDirectory, type NotifyChange } from './directoryNotify.js';
import { cancelOplockRequest, type Oplock } from './oplocks.js';
import type { FileObjectShare } from './shareAccess.js';
import {
  FS_FILTER_MAJORS,
  IRP_MJ_CLEANUP,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_DEVICE_CONTROL,
  IRP_MJ_DIRECTORY_CONTROL,
  IRP_MJ_FILE_SYSTEM_CONTROL,
  IRP_MJ_FLUSH_BUFFERS,
  IRP_MJ_LOCK_CONTROL,
  IRP_MJ_QUERY_INFORMATION,
  IRP_MJ_QUERY_SECURITY,
  IRP_MJ_QUERY_VOLUME_INFORMATION,
  IRP_MJ_READ,
  IRP_MJ_SET_INFORMATION,
  IRP_MJ_SET_SECURITY,
  IRP_MJ_WRITE,
  IRP_MN_NOTIFY_CHANGE_DIRECTORY,
  IRP_MN_QUERY_DIRECTORY,
} from '../wdk/irp.js';
import { STATUS_ACCESS_DENIED, STATUS_FILE_CLOSED, STATUS_INVALID_DEVICE_REQUEST, STATUS_INVALID_HANDLE, STATUS_INVALID_PARAMETER, STATUS_VOLUME_DISMOUNTED } from '../wdk/ntstatus.js';
import { FS_VOLUME_OPTIONS, createState } from './volumeState.js';

/** Requests that change nothing the file system keeps: only the file system's answer differs by order. */
// The FsFilter acquires and releases change nothing here (src/fs/fsFilterCallbacks.ts).
const LOOKS_ONLY: ReadonlySet<number> = new Set([IRP_MJ_READ, IRP_MJ_QUERY_INFORMATION, ...FS_FILTER_MAJORS]);

function wellFormed(request: FsRequest): boolean {
  return (
    typeof request === 'object' &&
    request !== null &&
    typeof request.MajorFunction === 'number' &&
    typeof request.FileObject === 'object' &&
    request.FileObject !== null &&
    typeof request.FileObject.id === 'string' &&
    typeof request.FileObject.flags === 'number' &&
    typeof request.Parameters === 'object' &&
    request.Parameters !== null
  );
}

/**
 * Every public method tells the footprint recorder whether it reads or may change the file
 * system's state (`link.touched`): partial-order reduction sees the whole file system of a volume
 * as `fs:<volume name>` and `fs:<volume name>/*`, and a request confined to one file as that file,
 * `fs:<volume name>/<file id>` (fileFootprint.ts; what the fold calls the volume, its `volume`
 * fields, is only named by the operations that pass through it).
 */
export class MemoryFileSystem {
  readonly #state: FsState;
  /** Holds a test set on this volume (src/fs/holds.ts), in the order they were made. */
  readonly holds: FsHold[] = [];

  constructor(options: FsVolumeOptions, /** @internal the state of a remount (remount()) or of a mount (mountedFileSystem) */ state?: FsState) {
    // Given a state, the options were checked (or built) where it was made.
    if (state === undefined || state === null) {
      shapeArgument('MemoryFileSystem', 'options', options, FS_VOLUME_OPTIONS, 'FsVolumeOptions ({ volumeName, fsType, sectorSize, now, … })');
      oneOfArgument('MemoryFileSystem', 'options.fsType', options.fsType, ['NTFS', 'FAT'] as const);
    }
    this.#state = state ?? createState(options);
  }

  /**
   * Dismounted (FSCTL_DISMOUNT_VOLUME, or FAT at a PnP query-remove later cancelled) while its
   * device is still there and no PnP removal holds it: the next open mounts the volume again.
   */
  get remountable(): boolean {
    const state = this.#state;
    state.link.touchedVolume(false);
    return state.dismounted && !state.deviceRemoved && state.lockedBy !== PNP_REMOVE_LOCK;
  }

  /** The PnP manager removed its device (IRP_MN_REMOVE_DEVICE or SURPRISE_REMOVAL). */
  get deviceRemoved(): boolean {
    this.#state.link.touchedVolume(false);
    return this.#state.deviceRemoved;
  }

  /** File objects opened on it and not yet closed (Vcb->OpenFileCount). */
  get openFileObjects(): number {
    this.#state.link.touched(false);
    return this.#state.contexts.size;
  }

  /** A new file system mounted on the disk this one left (src/fs/remount.ts); this one stays dismounted. */
  remount(): MemoryFileSystem {
    return new MemoryFileSystem(this.#state.options, remountState(this.#state));
  }

  /** Hold matching requests in the file system until released or cancelled (src/fs/holds.ts). */
  hold(spec: FsHoldSpec = {}): FsHold {
    this.#state.link.touchedVolume(true);
    const hold = new FsHold(spec);
    this.holds.push(hold);
    return hold;
  }

  /** The first active hold that wants this request, if any. */
  holdFor(request: HeldRequestInfo): FsHold | null {
    this.#state.link.touchedVolume(false);
    return this.holds.find((h) => h.active && h.matches(request)) ?? null;
  }

  get volumeName(): string {
    return this.#state.options.volumeName;
  }

  get fsType(): 'NTFS' | 'FAT' {
    return this.#state.options.fsType;
  }

  /** Mounted read-only: writes fail, FltIsVolumeWritable says no. */
  get readOnly(): boolean {
    return this.#state.options.readOnly === true;
  }

  /** Generates 8.3 aliases (§21.6). */
  get shortNames(): boolean {
    return this.#state.options.shortNames === true;
  }

  get sectorSize(): number {
    return this.#state.options.sectorSize;
  }

  get isDismounted(): boolean {
    this.#state.link.touchedVolume(false);
    return this.#state.dismounted;
  }

  dispatch(request: FsRequest): FsCompletion {
    const state = this.#state;
    // A request confined to one file touches that file (fileFootprint.ts), once it is known which.
    const confined = wellFormed(request) && state.link.recording ? confinedRequest(state, request) : null;
    if (confined === null) {
      // A read or an information query only looks (the byte offset it moves is the file object's, a fact).
      state.link.touched(!(wellFormed(request) && LOOKS_ONLY.has(request.MajorFunction)));
      return this.#dispatch(request);
    }
    const done = this.#dispatch(request);
    confined.settle(done);
    return done;
  }

  #dispatch(request: FsRequest): FsCompletion {
    const state = this.#state;
    if (!wellFormed(request)) return complete(STATUS_INVALID_PARAMETER);
    const major = request.MajorFunction;
    if (major === IRP_MJ_CLEANUP) return cleanup(state, request);
    if (major === IRP_MJ_CLOSE) return close(state, request);
    if (state.dismounted) return complete(STATUS_VOLUME_DISMOUNTED);
    // Only the locking file object may use a locked volume (§21.7): new opens are refused.
    if (major === IRP_MJ_CREATE) return state.lockedBy === null ? create(state, request) : complete(STATUS_ACCESS_DENIED);
    const id = request.FileObject.id;
    const ctx = state.contexts.get(id);
    if (ctx === undefined) return complete(state.closed.has(id) ? STATUS_FILE_CLOSED : STATUS_INVALID_HANDLE);
    // The memory and cache managers' acquires and releases come after cleanup too (§24.1).
    if (FS_FILTER_MAJORS.has(major)) return fsFilterCallback(state, request, ctx);
    if (ctx.state === 'cleanedUp') {
      const refused = afterCleanupStatus(state, request, ctx);
      if (refused !== null) return complete(refused);
    }
    switch (major) {
      case IRP_MJ_READ:
        return read(state, request, ctx);
      case IRP_MJ_WRITE:
        return write(state, request, ctx);
      case IRP_MJ_QUERY_INFORMATION:
        return queryInformation(state, request, ctx);
      case IRP_MJ_SET_INFORMATION:
        return setInformation(state, request, ctx);
      case IRP_MJ_QUERY_VOLUME_INFORMATION:
        return queryVolumeInformation(state, request);
      case IRP_MJ_QUERY_SECURITY:
        return querySecurity(state, request, ctx);
      case IRP_MJ_SET_SECURITY:
        return setSecurity(state, request, ctx);
      case IRP_MJ_FILE_SYSTEM_CONTROL:
        return fileSystemControl(state, request, ctx);
      case IRP_MJ_DEVICE_CONTROL:
        return deviceControl(state, request, ctx);
      case IRP_MJ_FLUSH_BUFFERS:
        return flush(state, request, ctx);
      case IRP_MJ_LOCK_CONTROL:
        return lockControl(state, request, ctx);
      case IRP_MJ_DIRECTORY_CONTROL:
        if (request.MinorFunction === IRP_MN_NOTIFY_CHANGE_DIRECTORY) return notifyChangeDirectory(state, request, ctx);
        return request.MinorFunction === IRP_MN_QUERY_DIRECTORY ? queryDirectory(state, request, ctx) : complete(STATUS_INVALID_DEVICE_REQUEST);
      default:
        return complete(STATUS_INVALID_DEVICE_REQUEST);
    }
  }

  /** IRP_MJ_PNP or IRP_MJ_SHUTDOWN on the volume device, with no file object (volumeRequests.ts); answered even after a dismount. */
  volumeRequest(MajorFunction: number, MinorFunction: number): FsCompletion {
    return volumeRequest(this.#state, MajorFunction, MinorFunction);
  }

  /**
   * FAST_IO_DISPATCH.FastIoQueryOpen (IRP_MJ_NETWORK_QUERY_OPEN, src/fs/queryOpen.ts): the file's
   * FILE_NETWORK_OPEN_INFORMATION without an open the I/O manager sees, or null (FALSE) where the
   * I/O manager must open, query and close with IRPs instead.
   */
  fastQueryOpen(request: FsRequest): FsCompletion | null {
    this.#state.link.touched(true);
    const state = this.#state;
    if (!wellFormed(request)) return complete(STATUS_INVALID_PARAMETER);
    if (state.dismounted) return complete(STATUS_VOLUME_DISMOUNTED);
    if (state.lockedBy !== null) return complete(STATUS_ACCESS_DENIED);
    return fastQueryOpen(state, request);
  }

  /**
   * Requests parked earlier (`parked: true`) that the file system has finished since the last call,
   * oldest first: an unlock granting a waiting lock, a cleanup ending one. The I/O path takes them
   * after every dispatch and cancel.
   */
  takeReleased(): ReleasedRequest[] {
    // Asked after every dispatch: taking nothing changes nothing.
    this.#state.link.touchedVolume(this.#state.link.released.length > 0);
    return this.#state.link.released.splice(0);
  }

  /** The byte-range locks it holds and the lock requests waiting in it (§21.10), stream by stream. */
  byteRangeLocks(): ByteRangeLock[] {
    this.#state.link.touchedVolume(false);
    const locks: ByteRangeLock[] = [];
    for (const fileLock of this.#state.fileLocks.values()) locks.push(...fileLock.granted, ...fileLock.waiting);
    return locks;
  }

  /** The oplocks of its streams (§21.8). */
  oplocks(): Oplock[] {
    this.#state.link.touchedVolume(false);
    return [...this.#state.oplocks.values()];
  }

  /** The notify structures of its directory handles not yet cleaned up (§21.9). */
  directoryNotifications(): NotifyChange[] {
    this.#state.link.touchedVolume(false);
    return [...this.#state.notifies.values()].filter((n) => !cleanedUp(n));
  }

  /**
   * The file system's cancel routine for a request it parked: forgets it and returns true (the I/O
   * path completes it with STATUS_CANCELLED); false if it does not hold `operation`.
   */
  cancelParked(operation: string): boolean {
    this.#state.link.touchedVolume(true);
    return cancelWaitingLock(this.#state, operation) || cancelNotify(this.#state, operation) || cancelOplockRequest(this.#state, operation);
  }

  /**
   * What an open file object is bound to: the file (its id, which names its stream, §15.1), the
   * volume itself, or null when the FS holds no open for it (not opened yet, or closed).
   */
  openOf(fileObjectId: string): { readonly kind: 'volume' } | { readonly kind: 'file'; readonly fileId: number; readonly stream: string | null } | null {
    this.#state.link.touched(false);
    const ctx = this.#state.contexts.get(fileObjectId);
    if (ctx === undefined) return null;
    return ctx.kind === 'volume' ? { kind: 'volume' } : { kind: 'file', fileId: ctx.node.fileId, stream: ctx.stream?.name ?? null };
  }

  /** What a section on an open file object maps (§24.1): whether it is a directory, and a copy of its data. */
  streamOf(fileObjectId: string): { readonly isDirectory: boolean; readonly data: Uint8Array } | null {
    this.#state.link.touched(false);
    const ctx = this.#state.contexts.get(fileObjectId);
    if (ctx === undefined || ctx.kind === 'volume') return null;
    return { isDirectory: ctx.node.kind === 'directory', data: ctx.node.data.slice() };
  }

  /** From now on every request but CLEANUP and CLOSE fails with STATUS_VOLUME_DISMOUNTED. */
  dismount(): void {
    this.#state.link.touchedVolume(true);
    this.#state.dismounted = true;
  }

  // ---- Seeding and inspection (no IRPs, no access checks) ------------------------------------
  mkdir(path: string): void {
    this.#state.link.touched(true);
    seedMkdir(this.#state, path);
  }
  writeFile(path: string, data: Uint8Array | string, options?: SeedFileOptions): void {
    this.#state.link.touched(true);
    seedWriteFile(this.#state, path, data, options);
  }
  setReparsePoint(path: string, tag: number, guid: string | null, data: Uint8Array): void {
    this.#state.link.touched(true);
    seedReparsePoint(this.#state, path, tag, guid, data);
  }
  setSecurity(path: string, sd: SecurityDescriptor): void {
    this.#state.link.touched(true);
    seedSecurity(this.#state, path, sd);
  }
  stat(path: string): FsStat | null {
    this.#state.link.touched(false);
    return statOf(this.#state, path);
  }
  readFile(path: string): Uint8Array | null {
    this.#state.link.touched(false);
    return readFileOf(this.#state, path);
  }
  list(dirPath: string): string[] | null {
    this.#state.link.touched(false);
    return listOf(this.#state, dirPath);
  }
  exists(path: string): boolean {
    this.#state.link.touched(false);
    return statOf(this.#state, path) !== null;
  }
  snapshot(): FsSnapshot {
    this.#state.link.touched(false);
    return snapshotOf(this.#state);
  }

  // ---- The Filter Manager's own name lookups (§16; no IRP, no filter sees them) ---------------
  /** Normalize a name that is not open yet (pre-create): long names, stored case; see nameLookup.ts. */
  normalizeUnopenedName(fileName: string, relatedFileObjectId: string | null): NameLookup {
    this.#state.link.touched(false);
    return normalizeUnopenedName(this.#state, fileName, relatedFileObjectId);
  }
  /** The path of the file a FILE_OPEN_BY_FILE_ID name designates (pre-create names of opens by id, §21.4). */
  pathOfFileId(fileName: string): NameLookup {
    this.#state.link.touched(false);
    return pathOfFileId(this.#state, fileName);
  }
  /** The stream an open file object refers to (what FltMgr reads from FsContext); null for volume opens and unknown ones. */
  fsContextOf(fileObjectId: string): FsContextIdentity | null {
    this.#state.link.touched(false);
    return fsContextOf(this.#state, fileObjectId);
  }
  /** What IoSetShareAccess recorded in the file object when this file system opened it (null if it did not). */
  fileObjectShare(fileObjectId: string): FileObjectShare | null {
    this.#state.link.touched(false);
    return this.#state.contexts.get(fileObjectId)?.share ?? null;
  }
  /** Whether file `fileId` is `ancestorId` or lies below it. */
  fileIsWithin(fileId: number, ancestorId: number): boolean {
    this.#state.link.touched(false);
    return fileIsWithin(this.#state, fileId, ancestorId);
  }
}

/**
 * @internal A volume's file system as the Filter Manager mounts it (createVolume): its options are
 * built from a volume spec already checked, so they are not checked field by field again — on every
 * schedule of an exploration that check was ~0.6% of a schedule of the smallest race.
 */
export function mountedFileSystem(options: FsVolumeOptions): MemoryFileSystem {
  return new MemoryFileSystem(options, createState(options));
}
