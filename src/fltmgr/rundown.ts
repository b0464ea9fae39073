/**
 * What an object still owes before it may go away: rundown references, pended operations,
 * generated I/O, queued work items. Counts are published as a BehaviorSubject so the unload gate
 * (src/streams/unloadGate.ts) can open at the exact moment the last one is released.
 */
import { FltSimError } from '../kernel/errors.js';
import { BehaviorSubject, type Observable } from 'rxjs';
import type { FootprintRecorder } from '../kernel/footprint.js';
import { NOTHING_OUTSTANDING, type Outstanding } from '../streams/outstanding.js';

export function ignoreReferences(o: Outstanding): Outstanding {
  return o.references === 0 ? o : { ...o, references: 0 };
}

export function ignoreContexts(o: Outstanding): Outstanding {
  return o.contexts === 0 ? o : { ...o, contexts: 0 };
}

/** What a filter's unload waits for when open files do not hold it (the default). */
export function ignoreOpenFiles(o: Outstanding): Outstanding {
  return o.openFiles === 0 ? o : { ...o, openFiles: 0 };
}

/**
 * The counts are state no fact carries: partial-order reduction (src/kernel/footprint.ts) learns
 * of them here, as an object of their own beside their owner's record (`I1:counts` for instance
 * I1; the owner's machine does not read them, the routines that do read them here). Looking at
 * the counts reads them. Changing one is a commutative update while nothing watches the counts
 * (two threads' +1 and −1 give the same counts in either order), and a write while something
 * does (the unload gate and teardown's drain subscribe, and act at zero): then the order matters.
 */
export class Rundown {
  /** The counts now. */
  #value: Outstanding = NOTHING_OUTSTANDING;
  /**
   * The counts as a stream, made the first time something asks for it (most objects never wait on
   * their rundown: an instance per attach, a filter per load; each had a BehaviorSubject it never used).
   */
  #outstanding: BehaviorSubject<Outstanding> | null = null;
  /** Who holds each rundown reference (`T3 (worker) at #45`), oldest first: what a hung unload names. */
  readonly referenceTakers: string[] = [];
  /** Threads of the work items queued against this object and not finished. */
  readonly workItemThreads: string[] = [];

  private readonly footprintId: string;

  /** `owner`: the object's id; `footprints`: the kernel's recorder, when exploration installed one. */
  constructor(
    private readonly owner: string,
    private readonly footprints: () => FootprintRecorder | null,
  ) {
    this.footprintId = `${owner}:counts`;
  }

  /** The counts as a stream (the unload gate and teardown's drain wait on it): subscribing reads them. */
  get outstanding$(): Observable<Outstanding> {
    this.looked();
    return (this.#outstanding ??= new BehaviorSubject<Outstanding>(this.#value));
  }

  get value(): Outstanding {
    this.looked();
    return this.#value;
  }

  /** Something kept with the counts (a filter's open files) was looked at as a whole. */
  looked(): void {
    this.footprints()?.read(this.footprintId);
  }

  /** One entry of what is kept with the counts (`<owner>:<key>`, a filter's handle) was looked at or changed. */
  entry(key: string, write: boolean): void {
    const recorder = this.footprints();
    if (recorder === null) return;
    const id = `${this.owner}:${key}`;
    if (write) recorder.write(id);
    else recorder.read(id);
  }

  add(field: keyof Outstanding, delta: number): number {
    const recorder = this.footprints();
    if (recorder !== null) {
      if (this.#outstanding?.observed === true) recorder.write(this.footprintId);
      else recorder.update(this.footprintId);
    }
    const next = copyOf(this.#value);
    next[field] += delta;
    if (next[field] < 0) throw new FltSimError(`internal: rundown ${field} below zero`);
    this.#value = next;
    this.#outstanding?.next(next);
    return next[field];
  }
}

type Counts = { -readonly [K in keyof Outstanding]: number };

/**
 * A fresh copy to change: every pre- and post-operation callback counts itself in and out here, so
 * this runs four times per instance per operation. Written out field by field because a spread
 * with a computed key (`{ ...now, [field]: n }`) takes V8's slow generic path, ~5× slower measured.
 */
function copyOf(o: Outstanding): Counts {
  return {
    references: o.references,
    pendedOperations: o.pendedOperations,
    generatedIo: o.generatedIo,
    workItems: o.workItems,
    instanceReferences: o.instanceReferences,
    callbacksInProgress: o.callbacksInProgress,
    contexts: o.contexts,
    serverPorts: o.serverPorts,
    portCallbacks: o.portCallbacks,
    openFiles: o.openFiles,
  };
}
