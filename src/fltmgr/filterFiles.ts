/**
 * Files a filter opened with FltCreateFile* and has not closed: its kernel handles (FltClose) and
 * the file-object references FltCreateFileEx handed it (ObDereferenceObject). Windows does not tie
 * them to the filter, so FltUnregisterFilter does not wait for them by default; Filter Verifier
 * reports what is left when the filter unloads (FILE_HANDLE_LEAKED, FILE_OBJECT_LEAKED, naming the
 * opener). With `semantics.leakedFilesHoldUnload` they hold the unload gate shut instead (§2, §12).
 */
import type { FileObject } from '../io/fileObject.js';
import type { FilterObject } from './filterObject.js';
import type { InstanceObject } from './instanceObject.js';

/** Who opened a file, for the leak report: the filter, its instance (null: Instance = NULL), the thread and the log position. */
export interface FilterOpen {
  readonly fo: FileObject;
  readonly instance: InstanceObject | null;
  readonly thread: string;
  readonly seq: number;
}

export class FilterFiles {
  readonly #handles = new Map<string, FilterOpen>();
  readonly #references: FilterOpen[] = [];

  constructor(private readonly filter: FilterObject) {}

  /**
   * Kernel handles by id, in the order they were opened. Kept with the filter's counts (every open
   * and close counts openFiles): going through them all reads the counts; one handle is its own
   * entry (`hasHandle`, opened, closed), so threads that open and close their own handles commute.
   */
  get handles(): ReadonlyMap<string, FilterOpen> {
    this.filter.rundown.looked();
    return this.#handles;
  }

  /** References FltCreateFileEx handed out, one entry per reference. */
  get references(): readonly FilterOpen[] {
    this.filter.rundown.looked();
    return this.#references;
  }

  /** Whether this filter opened `handle` and has not closed it. */
  hasHandle(handle: string): boolean {
    this.filter.rundown.entry(`handle:${handle}`, false);
    return this.#handles.has(handle);
  }

  /** Whether this filter holds a FltCreateFileEx reference on `fo`. */
  holdsReference(fo: FileObject): boolean {
    this.filter.rundown.entry(`reference:${fo.id}`, false);
    return this.#references.some((r) => r.fo === fo);
  }

  opened(handle: string, open: FilterOpen, withReference: boolean): void {
    this.filter.rundown.entry(`handle:${handle}`, true);
    this.#handles.set(handle, open);
    this.filter.rundown.add('openFiles', 1);
    if (withReference) {
      this.filter.rundown.entry(`reference:${open.fo.id}`, true);
      this.#references.push(open);
      this.filter.rundown.add('openFiles', 1);
    }
  }

  closed(handle: string): void {
    this.filter.rundown.entry(`handle:${handle}`, true);
    if (this.#handles.delete(handle)) this.filter.rundown.add('openFiles', -1);
  }

  /** Drop one reference on `fo`, if this filter holds one; true if it did. */
  dereferenced(fo: FileObject): boolean {
    this.filter.rundown.entry(`reference:${fo.id}`, true);
    const i = this.#references.findIndex((r) => r.fo === fo);
    if (i < 0) return false;
    this.#references.splice(i, 1);
    this.filter.rundown.add('openFiles', -1);
    return true;
  }

  /** The opener of a handle or reference, as a report names it. */
  static opener(filter: FilterObject, open: FilterOpen): string {
    return `opened by ${open.instance === null ? `${filter.name} (Instance = NULL)` : open.instance.id} on ${open.thread} at #${open.seq}`;
  }
}
