/** PFLT_INSTANCE: one filter attached to one volume at one altitude. Lifecycle in src/machines/instance.ts. */
import type { Actor } from 'xstate';
import type { Waitable } from '../kernel/waitable.js';
import { instanceState, registeredForDataScan, type instanceMachine, type InstanceState } from '../machines/instance.js';
import type { FilterObject } from './filterObject.js';
import { Rundown } from './rundown.js';
import type { VolumeObject } from './volumeObject.js';

/** States in which the instance is linked into its volume and receives new operations. */
const RECEIVING: ReadonlySet<InstanceState> = new Set(['Attached', 'QueryTeardown', 'TeardownApproved']);
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
  }

  get state(): InstanceState {
    return instanceState(this.actor.getSnapshot());
  }

  /** FltRegisterForDataScan succeeded (§24.4): the machine's RegisteredForDataScan part. */
  get registeredForDataScan(): boolean {
    return registeredForDataScan(this.actor.getSnapshot());
  }

  /** Receives callbacks for operations that start now (§14 invariant 5). */
  get receivesOperations(): boolean {
    return RECEIVING.has(this.state);
  }

  get isGone(): boolean {
    return GONE.has(this.state);
  }

  toString(): string {
    return `${this.id}(${this.filter.name}/${this.name}@${this.altitude})`;
  }
}
