/**
 * FILE_OBJECT: what an open looks like to filters and the file system. Lifecycle in
 * src/machines/fileObject.ts; flags and CurrentByteOffset are data, changed only through facts.
 */
import type { Actor } from 'xstate';
import { cacheMapInitialized, fileObjectState, type fileObjectMachine, type FileObjectState } from '../machines/fileObject.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import type { VolumeObject } from '../fltmgr/volumeObject.js';
import type { FsFileObjectRef } from '../fs/types.js';
import type { TransactionObject } from '../fltmgr/transactionObjects.js';

export class FileObject {
  /** FO_* flags (src/wdk/fileConstants.ts). */
  Flags = 0;
  CurrentByteOffset = 0;
  /** Open handles (cleanup is sent when this reaches zero). */
  handleCount = 0;
  /**
   * Object references, handles included (close is sent when this reaches zero). A new file object
   * starts with one: the reference the I/O manager holds for the whole create, so I/O a post-create
   * issues on it can never drop the last one (src/io/closeFile.ts, releaseCreateReference).
   */
  pointerCount = 1;
  /**
   * Set by FltCancelFileOpen (§11.13): who sends IRP_MJ_CLOSE below the canceller once the last
   * reference goes, instead of the I/O manager (src/streams/fileOpenCancellation.ts).
   */
  released: (() => void) | null = null;
  /**
   * The KTM transaction a transacted open joined (§22.4), referenced by the file object until its
   * close; FltObjects->Transaction in every callback on it. Set at creation only.
   */
  transaction: TransactionObject | null = null;
  /** Opened with IO_IGNORE_SHARE_ACCESS_CHECK: takes no part in share access. */
  ignoreSharing = false;

  constructor(
    readonly id: string,
    readonly volume: VolumeObject,
    /** Changed only by IoReplaceFileObjectName (a fact), while no file system has opened it. */
    public FileName: string,
    readonly RelatedFileObject: FileObject | null,
    /** Set for opens by FltCreateFile* with an instance: cleanup and close start below it (§13 A6). */
    readonly targetedInstance: InstanceObject | null,
    /** @internal */ readonly actor: Actor<typeof fileObjectMachine>,
  ) {}

  get state(): FileObjectState {
    return fileObjectState(this.actor.getSnapshot());
  }

  /**
   * FILE_OBJECT.PrivateCacheMap is set: the file system initiated caching on it (CcInitializeCacheMap),
   * the I/O manager's condition for trying a fast read or write (§24.2); the machine's
   * CacheMapInitialized part. Logged only under `semantics.fastIo: 'whereWindows'`.
   */
  get PrivateCacheMap(): boolean {
    return cacheMapInitialized(this.actor.getSnapshot());
  }

  /**
   * FILE_OBJECT.ReadAccess … SharedDelete: what the file system's IoSetShareAccess wrote into the
   * file object at its create (scanner reads WriteAccess in post-create). Read from the file
   * system's record of the open, so they follow its create and need no facts of their own; FALSE
   * before the open, for a volume open, and for an open that ignores sharing.
   */
  get ReadAccess(): boolean {
    return this.volume.fileSystem.fileObjectShare(this.id)?.ReadAccess ?? false;
  }
  get WriteAccess(): boolean {
    return this.volume.fileSystem.fileObjectShare(this.id)?.WriteAccess ?? false;
  }
  get DeleteAccess(): boolean {
    return this.volume.fileSystem.fileObjectShare(this.id)?.DeleteAccess ?? false;
  }
  get SharedRead(): boolean {
    return this.volume.fileSystem.fileObjectShare(this.id)?.SharedRead ?? false;
  }
  get SharedWrite(): boolean {
    return this.volume.fileSystem.fileObjectShare(this.id)?.SharedWrite ?? false;
  }
  get SharedDelete(): boolean {
    return this.volume.fileSystem.fileObjectShare(this.id)?.SharedDelete ?? false;
  }

  /**
   * FILE_OBJECT.FsContext, as far as a filter may read it: the file system's record of the open,
   * NULL until the file system has opened it (name providers test it to tell an unopened file
   * object in a pre-create from an opened one, §16.6).
   */
  get FsContext(): object | null {
    return this.volume.fileSystem.openOf(this.id);
  }

  /** The view the file system reads. */
  fsRef(): FsFileObjectRef {
    return {
      id: this.id,
      fileName: this.FileName,
      relatedFileObjectId: this.RelatedFileObject?.id ?? null,
      flags: this.Flags,
      currentByteOffset: this.CurrentByteOffset,
      ...(this.ignoreSharing ? { ignoreSharing: true } : {}),
    };
  }

  toString(): string {
    return `${this.id}(${this.FileName === '' ? '<volume>' : this.FileName})`;
  }
}
