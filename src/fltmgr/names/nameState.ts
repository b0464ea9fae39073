/**
 * The Filter Manager's name state for one simulation (§16.4, §16.5): every live
 * FLT_FILE_NAME_INFORMATION, the name cache shared by all filters, and which name providers are
 * running on which thread. Every change is a fact first; src/projection/fold.ts rebuilds the same
 * records from the log.
 *
 * Cache entries, keyed `volume|scope|format|provider`:
 * - scope is the file object (`O7`) for OPENED names, which depend on how that object was opened;
 * - scope is the stream (`file#64`) for NORMALIZED and SHORT names, so every open of the stream
 *   shares them — unless the file has more than one name (hard links), where the normalized name
 *   depends on the link an open went through and the scope stays the file object [model];
 * - provider is the name-provider instance that produced the name, or `fs` (§16.6: names are
 *   cached at the level where they were produced).
 * An entry goes when its stream's last known file object closes, when a successful rename or link
 * changes the file (or, for a directory, anything below it; §16.5), or on purge.
 */
import type { Kernel } from '../../kernel/kernel.js';
import { fileNameInformationMachine } from '../../machines/fileNameInformation.js';
import type { MemoryFileSystem } from '../../fs/memoryFileSystem.js';
import type { InstanceObject } from '../instanceObject.js';
import { FileNameRecord, type FLT_FILE_NAME_INFORMATION } from './fileNameRecord.js';

export interface NewFileName {
  readonly volumeId: string;
  readonly fileObjectId: string;
  readonly filterId: string;
  readonly routine: string;
  readonly providerId: string | null;
  readonly fileId: number | null;
  readonly info: FLT_FILE_NAME_INFORMATION;
}

export interface ProviderFrame {
  readonly instance: InstanceObject;
  readonly fileObjectId: string;
}

export class FileNameState {
  /** Structures not yet freed, by id (N…), in creation order. */
  readonly records = new Map<string, FileNameRecord>();
  /** The name cache: key → the structure it holds. */
  readonly cache = new Map<string, FileNameRecord>();
  /** Name-provider callbacks running on each thread, innermost last (§16.6 dispatch, §19.9 invariant 12). */
  readonly providerFrames = new Map<string, ProviderFrame[]>();
  /** File objects the cache has seen → the file (stream) they refer to, and how many of them each file has. */
  private readonly fileOf = new Map<string, number>();
  private readonly openObjectsOf = new Map<number, number>();

  constructor(/** @internal */ readonly kernel: Kernel) {}

  create(spec: NewFileName): FileNameRecord {
    const id = this.kernel.nextId('N');
    this.kernel.emitFact({
      seq: 0, time: 0, object: id,
      type: 'FileNameInformationCreate',
      fileObject: spec.fileObjectId,
      volume: spec.volumeId,
      filter: spec.filterId,
      routine: spec.routine,
      format: spec.info.Format,
      name: spec.info.Name,
      provider: spec.providerId,
    });
    const actor = this.kernel.startMachine(fileNameInformationMachine);
    this.kernel.attachActor(id, actor);
    const record = new FileNameRecord(this, id, spec.volumeId, spec.fileObjectId, spec.providerId, spec.fileId, actor, spec.info);
    record.addReference(spec.filterId);
    this.records.set(id, record);
    return record;
  }

  lookup(key: string): FileNameRecord | undefined {
    return this.cache.get(key);
  }

  hit(record: FileNameRecord, key: string, fileObjectId: string, filterId: string): void {
    this.kernel.emitFact({ seq: 0, time: 0, object: record.id, type: 'NameCacheHit', key, fileObject: fileObjectId, filter: filterId, count: record.references + 1 });
    record.addReference(filterId);
  }

  insert(record: FileNameRecord, key: string, fileObjectId: string): void {
    const previous = this.cache.get(key);
    if (previous !== undefined) this.invalidate(previous, 'purge');
    this.kernel.emitFact({ seq: 0, time: 0, object: record.id, type: 'NameCacheInsert', key, fileId: record.fileId });
    record.cacheKey = key;
    this.cache.set(key, record);
    this.noteFileObject(fileObjectId, record.fileId);
  }

  invalidate(record: FileNameRecord, reason: 'rename' | 'link' | 'close' | 'purge'): void {
    const key = record.cacheKey;
    if (key === null) return;
    this.kernel.emitFact({ seq: 0, time: 0, object: record.id, type: 'NameCacheInvalidate', key, reason });
    this.cache.delete(key);
    record.cacheKey = null;
    if (record.state === 'Freed') this.records.delete(record.id);
  }

  reference(record: FileNameRecord, filterId: string): void {
    this.kernel.emitFact({ seq: 0, time: 0, object: record.id, type: 'FltReferenceFileNameInformation', filter: filterId, count: record.references + 1 });
    record.addReference(filterId);
  }

  release(record: FileNameRecord, filterId: string): void {
    const count = record.references - 1;
    this.kernel.emitFact({ seq: 0, time: 0, object: record.id, type: 'FltReleaseFileNameInformation', filter: filterId, count, cached: record.cacheKey !== null });
    record.dropReference(filterId);
    if (record.state === 'Freed') this.records.delete(record.id);
  }

  /** Remember which file a file object refers to, so the stream's entries can go with its last one. */
  noteFileObject(fileObjectId: string, fileId: number | null): void {
    if (fileId === null || this.fileOf.has(fileObjectId)) return;
    this.fileOf.set(fileObjectId, fileId);
    this.openObjectsOf.set(fileId, (this.openObjectsOf.get(fileId) ?? 0) + 1);
  }

  /** IRP_MJ_CLOSE of a file object: its own entries go, and the stream's with its last known file object. */
  fileObjectClosed(fileObjectId: string): void {
    if (this.cache.size === 0 && this.fileOf.size === 0) return;
    const fileId = this.fileOf.get(fileObjectId);
    let streamGone = false;
    if (fileId !== undefined) {
      this.fileOf.delete(fileObjectId);
      const left = (this.openObjectsOf.get(fileId) ?? 1) - 1;
      if (left > 0) this.openObjectsOf.set(fileId, left);
      else {
        this.openObjectsOf.delete(fileId);
        streamGone = true;
      }
    }
    const scope = `|${fileObjectId}|`;
    const streamScope = fileId === undefined ? null : `|file#${fileId}|`;
    for (const [key, record] of [...this.cache]) {
      if (key.includes(scope) || (streamGone && streamScope !== null && key.includes(streamScope))) this.invalidate(record, 'close');
    }
  }

  /**
   * A rename or link of file `fileId` succeeded (§16.5): its names — and for a directory the
   * names of everything below it — are stale. Called before the post-operation callbacks run.
   */
  namespaceChanged(fs: MemoryFileSystem, volumeId: string, fileId: number, directory: boolean, reason: 'rename' | 'link'): void {
    const prefix = `${volumeId}|`;
    for (const [key, record] of [...this.cache]) {
      if (!key.startsWith(prefix) || record.fileId === null) continue;
      if (record.fileId === fileId || (directory && fs.fileIsWithin(record.fileId, fileId))) this.invalidate(record, reason);
    }
  }

  /** Drop the entries `providerId` produced (all, or those of one file object): FltPurgeFileNameInformationCache. */
  purge(providerId: string, fileObjectId: string | null, fileId: number | null): number {
    let dropped = 0;
    for (const [key, record] of [...this.cache]) {
      if (record.providerId !== providerId) continue;
      if (fileObjectId !== null && record.fileObjectId !== fileObjectId && (fileId === null || record.fileId !== fileId)) continue;
      this.invalidate(record, 'purge');
      dropped++;
    }
    return dropped;
  }

  /** Structures `filterId` still holds references to (reported as leaks at its unload). */
  heldBy(filterId: string): FileNameRecord[] {
    return [...this.records.values()].filter((r) => (r.byFilter.get(filterId) ?? 0) > 0);
  }

  frames(threadId: string): ProviderFrame[] {
    let frames = this.providerFrames.get(threadId);
    if (frames === undefined) {
      frames = [];
      this.providerFrames.set(threadId, frames);
    }
    return frames;
  }
}
