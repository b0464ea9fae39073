/**
 * Every fact the log can hold, as one discriminated union on `type`.
 *
 * A fact is a change that has happened. Facts are named in the WDK's words: a callback
 * invocation is named after the callback (`InstanceSetup`) and its return is `<name>Returned`.
 * The payload carries everything a fold needs to rebuild the state of every object
 * (see src/projection/fold.ts); nothing the live kernel knows is missing from the log.
 *
 * Object ids are per-simulation counters with a kind prefix: F filter, I instance, V volume,
 * L legacy filter, T thread, W waitable, O file object, D callback data, H handle, E KEVENT, K lock
 * (ERESOURCE, mutex, push lock, spin lock), C context, P process, G ECP list, X ECP, N file name
 * information, R server port, Q client port (connection), M port message, U a FilterGetMessage
 * request, J the IRP behind an operation once its cancel state matters (§19), B cancel-safe
 * callback-data queue (Cbdq), S pool block, A MDL; lowercase once the capitals ran out: r byte-range lock (§21.10), w directory change notification (§21.9), o oplock (§21.8), d a driver's own device object (IoCreateDevice), t KTM transaction (§22.4), q work item (§12.1). `sim` is the simulation itself.
 *
 * The union has two parts, one file each: coreFacts.ts (the walk and FltMgr's objects) and
 * facilityFacts.ts (§15–§24). Add a fact to the part its object belongs to.
 */
import { FltSimError } from './errors.js';
import type { CoreFact } from './coreFacts.js';
import type { FacilityFact } from './facilityFacts.js';

export type { EventType, FrameSpec, LockMode, LockType, ParametersSummary, WorkQueueType } from './coreFacts.js';
export type { ByteRangeLockFields, CancelRoutineKind, OplockBreakTarget, OplockLevel } from './facilityFacts.js';

export interface FactHeader {
  /** 0-based position in the log. */
  readonly seq: number;
  /** Virtual time when the fact was appended. */
  readonly time: number;
  /** The object the fact is about. */
  readonly object: string;
}

export type FactBody = CoreFact | FacilityFact;

export type FactType = FactBody['type'];
export type Fact = FactHeader & FactBody;
export type FactOf<T extends FactType> = FactHeader & Extract<FactBody, { type: T }>;

/** Use in the `default` branch of every switch over facts: fails to compile if a type is missed. */
export function assertNever(value: never, what = 'value'): never {
  throw new FltSimError(`internal: unhandled ${what}: ${JSON.stringify(value)}`);
}
