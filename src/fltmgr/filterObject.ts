/** PFLT_FILTER: a registered minifilter. Lifecycle in src/machines/filter.ts. */
import type { Actor } from 'xstate';
import type { filterMachine, FilterState } from '../machines/filter.js';
import type { FilterManager } from './filterManager.js';
import type { InstanceObject } from './instanceObject.js';
import type { FLT_REGISTRATION, InstancesKey } from './registration.js';
import { Rundown } from './rundown.js';
import { FilterFiles } from './filterFiles.js';

/** States in which operations reach the filter's callbacks (filtersOperations). */
const FILTERING_STATES: ReadonlySet<FilterState> = new Set(['Filtering', 'UnloadCallback']);
/** States after FltUnregisterFilter returned (isGone). */
const GONE_STATES: ReadonlySet<FilterState> = new Set(['Unregistered', 'Unloaded']);
/** The facets of a filter's state that readers ask alone (KernelObjects.declareFacet). */
const FILTERING = 'filtering';
const GONE = 'gone';

export class FilterObject {
  /** Instances in creation order, including torn-down ones until they are freed. */
  readonly instances: InstanceObject[] = [];
  /** What the filter owes before its unload gate opens, including references on its instances. */
  readonly rundown: Rundown;
  /** Flags of the unload in progress (FLTFL_FILTER_UNLOAD_MANDATORY), for the teardown reason. */
  unloadFlags = 0;
  /** While FltUnregisterFilter waits on the unload gate: what held it when the wait began (the RundownWait fact). */
  waitingFor: readonly string[] | null = null;
  /** Handles and file-object references it opened with FltCreateFile* and still holds. */
  readonly files: FilterFiles = new FilterFiles(this);

  constructor(
    /** @internal */ readonly fltMgr: FilterManager,
    readonly id: string,
    readonly name: string,
    readonly registration: FLT_REGISTRATION,
    readonly registry: InstancesKey,
    /** @internal */ readonly actor: Actor<typeof filterMachine>,
  ) {
    this.rundown = new Rundown(id, () => fltMgr.kernel.footprintRecorder);
    fltMgr.kernel.declareFacet(id, FILTERING, (snapshot) => FILTERING_STATES.has(snapshot.value as FilterState));
    fltMgr.kernel.declareFacet(id, GONE, (snapshot) => GONE_STATES.has(snapshot.value as FilterState));
  }

  get state(): FilterState {
    return this.actor.getSnapshot().value as FilterState;
  }

  /**
   * Its instances' operation callbacks are called (src/io/eligibility.ts): FltStartFiltering has
   * returned and FltUnregisterFilter not begun. An operation asks only this of the filter: a read of
   * its `filtering` facet (KernelObjects.declareFacet), which its unload callback leaves alone.
   */
  get filtersOperations(): boolean {
    return FILTERING_STATES.has(this.fltMgr.kernel.facetSnapshot(this.id, FILTERING, this.actor).value as FilterState);
  }

  /**
   * FltUnregisterFilter has returned: the filter's code is gone, what it still holds is leaked. A
   * read of its `gone` facet only (a FltClose asks it of the filter that opened the handle).
   */
  get isGone(): boolean {
    return GONE_STATES.has(this.fltMgr.kernel.facetSnapshot(this.id, GONE, this.actor).value as FilterState);
  }

  toString(): string {
    return `${this.id}(${this.name})`;
  }
}
