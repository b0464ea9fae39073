/**
 * What an object still owes before it may go away: rundown references, pended operations,
 * generated I/O, queued work items. Counts are published as a BehaviorSubject so the unload gate
 * (src/streams/unloadGate.ts) can open at the exact moment the last one is released.
 */
import { BehaviorSubject } from 'rxjs';

export interface Outstanding {
  /** FltObjectReference and routines that hand out referenced objects (§12). */
  readonly references: number;
  /** Operations this object pended (pre or post) and has not completed yet (§4 step 4). */
  readonly pendedOperations: number;
  /** I/O this object generated that has not completed (§10). */
  readonly generatedIo: number;
  /** FltQueueGenericWorkItem items not yet run (§12). */
  readonly workItems: number;
  /** For a filter: references held on its instances, which also keep its unload gate shut. */
  readonly instanceReferences: number;
  /** Operation callbacks (pre, post, drain) running now: FltMgr holds instance rundown protection across them. */
  readonly callbacksInProgress: number;
}

export const NOTHING_OUTSTANDING: Outstanding = Object.freeze({ references: 0, pendedOperations: 0, generatedIo: 0, workItems: 0, instanceReferences: 0, callbacksInProgress: 0 });

export function isDrained(o: Outstanding): boolean {
  return o.references === 0 && o.pendedOperations === 0 && o.generatedIo === 0 && o.workItems === 0 && o.instanceReferences === 0 && o.callbacksInProgress === 0;
}

export function ignoreReferences(o: Outstanding): Outstanding {
  return o.references === 0 ? o : { ...o, references: 0 };
}

export class Rundown {
  readonly outstanding$ = new BehaviorSubject<Outstanding>(NOTHING_OUTSTANDING);

  get value(): Outstanding {
    return this.outstanding$.value;
  }

  add(field: keyof Outstanding, delta: number): number {
    const now = this.outstanding$.value;
    const next = { ...now, [field]: now[field] + delta };
    if (next[field] < 0) throw new Error(`rundown ${field} below zero`);
    this.outstanding$.next(next);
    return next[field];
  }
}
