/**
 * Sections backed by files (§24.1, §24.4): the section object, its handles and mapped views, and
 * the table of live ones. Lifecycle in src/machines/section.ts; references are data changed only
 * through facts. The routines (src/fltmgr/sectionRoutines.ts, src/issuedIo/mappedFiles.ts) sit
 * above the I/O walk because deleting a section may send IRP_MJ_CLOSE and the modified page writer
 * sends paging writes.
 *
 * References a section counts: each open handle, each object reference (the one
 * FltCreateSectionForDataScan returns, and ObReferenceObject's), each mapped view, FltMgr's own while
 * the data-scan section is open, and the modified page writer's while pages are dirty.
 */
import { type Actor } from 'xstate';
import { modifiedPageWriterQueued, sectionMachine, sectionState, type SectionState } from '../machines/section.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Waitable } from '../kernel/waitable.js';
import type { FileObject } from '../io/fileObject.js';
import type { ContextObject } from './contextObject.js';
import type { InstanceObject } from './instanceObject.js';

/** A section handle: in the table of the process it was created in, or a kernel handle (OBJ_KERNEL_HANDLE). */
export class SectionHandle {
  constructor(
    readonly id: string,
    readonly section: SectionObject,
    /** The owning process (P…); kernel handles belong to System (P0). */
    readonly process: string,
    readonly kernelHandle: boolean,
  ) {}

  /** The HANDLE value (what a message carries to another process; MapViewOfFile and CloseHandle take it too). */
  get value(): number {
    return Number(this.id.slice(1));
  }

  toString(): string {
    return `${this.id}(section ${this.section.id})`;
  }
}

/** A mapped view: the pages of the section as the process sees them. */
export class SectionView {
  constructor(
    readonly id: string,
    readonly section: SectionObject,
    readonly process: string,
    readonly writable: boolean,
  ) {}

  /** RegionSize: the file size rounded up to whole pages (as VirtualQuery reports it). */
  get RegionSize(): number {
    return Math.ceil(this.section.size / PAGE_SIZE) * PAGE_SIZE;
  }

  toString(): string {
    return `${this.id}(view of ${this.section.id})`;
  }
}

export const PAGE_SIZE = 4096;

export class SectionObject {
  references: number;
  readonly handles: SectionHandle[] = [];
  readonly views: SectionView[] = [];
  /** Bytes written through views and not yet written by the modified page writer: offset → byte. */
  readonly dirty = new Map<number, number>();
  /** The writes that dirtied them, in order (what the state shows until the writer takes them). */
  readonly dirtyRanges: { offset: number; length: number }[] = [];
  /** The section context of a data-scan section, and the instance it is attached for. */
  context: ContextObject<object> | null = null;
  instance: InstanceObject | null = null;
  /**
   * Free (signaled) while no paging write of this section's pages is in flight: the modified page
   * writer and FlushViewOfFile take it before they take the dirty pages (src/issuedIo/mappedFiles.ts).
   * Made at the first paging write.
   */
  pagingWriteGate: Waitable | null = null;

  constructor(
    readonly id: string,
    readonly kind: 'dataScan' | 'mapping',
    readonly fileObject: FileObject,
    /** The file's size when the section was created (MaximumSize defaults to it). */
    readonly size: number,
    readonly writable: boolean,
    references: number,
    /** @internal */ readonly actor: Actor<typeof sectionMachine>,
  ) {
    this.references = references;
  }

  get state(): SectionState {
    return sectionState(this.actor.getSnapshot());
  }

  /** The modified page writer has been queued for this section's dirty pages (the machine's ModifiedPageWriterQueued part). */
  get writerQueued(): boolean {
    return modifiedPageWriterQueued(this.actor.getSnapshot());
  }

  toString(): string {
    return `${this.id}(section of ${this.fileObject})`;
  }
}

export class SectionTable {
  /** Sections not yet deleted, in creation order. */
  readonly live = new Map<string, SectionObject>();
  /** Open handles by id. */
  readonly handles = new Map<string, SectionHandle>();

  constructor(private readonly kernel: Kernel) {}

  create(kind: 'dataScan' | 'mapping', fileObject: FileObject, size: number, writable: boolean, process: string, kernelHandle: boolean): { section: SectionObject; handle: SectionHandle } {
    const kernel = this.kernel;
    const id = kernel.nextId('Z');
    const handleId = kernel.nextId('H');
    // The handle and the caller's object reference.
    kernel.emitFact({ seq: 0, time: 0, object: id, type: 'SectionCreate', kind, fileObject: fileObject.id, handle: handleId, process, kernelHandle, size, writable, count: 2 });
    const actor = kernel.startMachine(sectionMachine);
    kernel.attachActor(id, actor);
    const section = new SectionObject(id, kind, fileObject, size, writable, 2, actor);
    const handle = new SectionHandle(handleId, section, process, kernelHandle);
    section.handles.push(handle);
    this.live.set(id, section);
    this.handles.set(handleId, handle);
    kernel.objectHandles.set(handle.value, handle);
    return { section, handle };
  }

  /** Open data-scan sections on the stream `fileId` of `fileObject`'s volume, in creation order. */
  dataScanSectionsOn(fileObject: FileObject, fileId: number): SectionObject[] {
    const out: SectionObject[] = [];
    for (const s of this.live.values()) {
      if (s.state !== 'DataScanOpen' || s.fileObject.volume !== fileObject.volume) continue;
      const open = s.fileObject.volume.fileSystem.openOf(s.fileObject.id);
      if (open !== null && open.kind === 'file' && open.fileId === fileId) out.push(s);
    }
    return out;
  }
}
