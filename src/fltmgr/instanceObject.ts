/** PFLT_INSTANCE: one filter attached to one volume at one altitude. Lifecycle in src/machines/instance.ts. */
import type { Actor, SnapshotFrom } from 'xstate';
import { INSTANCE_RECEIVES } from '../kernel/factFootprint.js';
import type { Waitable } from '../kernel/waitable.js';
import { instanceState, registeredForDataScan, type instanceMachine, type InstanceState } from '../machines/instance.js';
import type { FilterObject } from './filterObject.js';
import { Rundown } from './rundown.js';
import type { VolumeObject } from './volumeObject.js';

/** States in which the instance is linked into its volume and receives new operations. */
const RECEIVING: ReadonlySet<InstanceState> = new Set(['Attached', 'QueryTeardown', 'TeardownApproved']);
/** Whether an instance in state `snapshot` receives operations: its `receives` facet (receivesOperations). */
function receivesIn(snapshot: SnapshotFrom<typeof instanceMachine>): boolean {
  return RECEIVING.has(instanceState(snapshot));
}

/** States in which the instance is gone from the volume (or never made it). */
const GONE: ReadonlySet<InstanceState> = new Set(['Declined', 'Detached', 'Freed']);

export class InstanceObject {
  /** Drain accounting for TeardownComplete (§4 step 4); references are tracked separately. */
  readonly rundown: Rundown;
  /** Pulsed on every state change, so threads waiting for another thread's teardown re-check. */
  readonly changed: Waitable;
  /** While TeardownComplete waits for the drain: what held it when the wait began (the RundownWait fact). */
  waitingFor: readonly string[] | null = null;

  constructor(
    readonly id: string,
    readonly name: string,
    /** Normalised altitude string. */
    readonly altitude: string,
    readonly frame: number,
    readonly filter: FilterObject,
    readonly volume: VolumeObject,
    /** @internal */ readonly actor: Actor<typeof instanceMachine>,
    changed: Waitable,
  ) {
    this.changed = changed;
    this.rundown = new Rundown(id, () => filter.fltMgr.kernel.footprintRecorder);
    filter.fltMgr.kernel.declareFacet(id, INSTANCE_RECEIVES, (snapshot) => receivesIn(snapshot as SnapshotFrom<typeof instanceMachine>));
  }

  get state(): InstanceState {
    return instanceState(this.actor.getSnapshot());
  }

  /** FltRegisterForDataScan succeeded (§24.4): the machine's RegisteredForDataScan part. */
  get registeredForDataScan(): boolean {
    return registeredForDataScan(this.actor.getSnapshot());
  }

  /**
   * Receives callbacks for operations that start now (§14 invariant 5). What an operation passing
   * through the instance asks of it, and only that: a read of the instance's `receives` facet
   * (KernelObjects.declareFacet), which only the facts that move it in or out of RECEIVING write.
   */
  get receivesOperations(): boolean {
    return receivesIn(this.filter.fltMgr.kernel.facetSnapshot(this.id, INSTANCE_RECEIVES, this.actor) as SnapshotFrom<typeof instanceMachine>);
  }

  get isGone(): boolean {
    return GONE.has(this.state);
  }

  toString(): string {
    return `${this.id}(${this.filter.name}/${this.name}@${this.altitude})`;
  }
}
