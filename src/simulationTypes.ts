/**
 * The shapes a simulation's caller sees: a driver to load and its DriverEntry, a thread handle, and
 * how a run ended. Re-exported from simulation.ts.
 */
import type { Blocking } from './kernel/effects.js';
import type { BlockedThread } from './kernel/kernel.js';
import type { SimThread } from './kernel/thread.js';
import { DriverObject } from './fltmgr/driverObject.js';
import type { InstancesKey } from './fltmgr/registration.js';
import type { WaitForEdge } from './projection/waitFor.js';
import type { NTSTATUS } from './wdk/ntstatus.js';
import type { PendingFsRequest } from './io/heldRequests.js';

export interface DriverSpec {
  /** The service name; also the filter's name. */
  readonly name: string;
  /** The registry `Instances` key the INF would write; omit to model a missing key. */
  readonly instances?: InstancesKey;
}

export type DriverEntry = (driver: DriverObject) => Blocking<NTSTATUS>;

/** A simulated thread as a caller sees it. */
export interface ThreadHandle {
  readonly id: string;
  readonly name: string;
  readonly state: SimThread['state'];
  /** The body's return value once exited (an NTSTATUS for routines that return one). */
  readonly result: unknown;
  readonly error: unknown;
}

export type RunResult =
  | { readonly reason: 'idle'; readonly steps: number }
  | {
      readonly reason: 'deadlock';
      readonly steps: number;
      readonly blocked: readonly BlockedThread[];
      /** The wait-for cycles among the blocked threads, edge by edge (empty when the waits end at something no thread owes, §18.5). */
      readonly cycles: readonly (readonly WaitForEdge[])[];
    }
  | { readonly reason: 'limit'; readonly steps: number }
  /** Host-owned clock only (`clock: 'host'`): nothing is ready and the first sleeper is due at `until`. */
  | { readonly reason: 'waiting'; readonly steps: number; readonly until: number }
  /**
   * `fileSystemCompletion: 'host'`: nothing can run until the host completes one of `requests`
   * (`sim.completeRequest`); `blocked` are the threads waiting, as a deadlock would list them.
   */
  | { readonly reason: 'waitingForHost'; readonly steps: number; readonly requests: readonly PendingFsRequest[]; readonly blocked: readonly BlockedThread[] };
