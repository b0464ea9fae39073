/** PFLT_FILTER: a registered minifilter. Lifecycle in src/machines/filter.ts. */
import type { Actor } from 'xstate';
import type { filterMachine, FilterState } from '../machines/filter.js';
import type { FilterManager } from './filterManager.js';
import type { InstanceObject } from './instanceObject.js';
import type { FLT_REGISTRATION, InstancesKey } from './registration.js';
import { Rundown } from './rundown.js';
import { FilterFiles } from './filterFiles.js';

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
  }

  get state(): FilterState {
    return this.actor.getSnapshot().value as FilterState;
  }

  /** FltUnregisterFilter has returned: the filter's code is gone, what it still holds is leaked. */
  get isGone(): boolean {
    const state = this.state;
    return state === 'Unregistered' || state === 'Unloaded';
  }

  toString(): string {
    return `${this.id}(${this.name})`;
  }
}
