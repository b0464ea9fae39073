/**
 * What the I/O checkers share: which facts belong to the walk of an operation, and the instance
 * table (altitude, volume, lifetime) they check order and lifetime against.
 */
import type { Fact } from '../kernel/facts.js';
import { compareAltitudes } from '../wdk/altitude.js';
import { FLT_PREOP_SUCCESS_WITH_CALLBACK, FLT_PREOP_SYNCHRONIZE } from '../wdk/fltConstants.js';
import type { InvariantViolation } from './kernelInvariants.js';

export type Check = (facts: readonly Fact[]) => InvariantViolation[];

// ---------------------------------------------------------------------------------------------------
// What the checks share: which facts move an operation, and what the log says about instances.

/** Facts that are the operation's own walk; RoutineFailed and VerifierViolation only report a caller's misuse. */
export const WALK_TYPES = [
  'IoStart',
  'PreOperation',
  'PreOperationReturned',
  'FltCompletePendedPreOperation',
  'LegacyFilterDispatch',
  'LegacyFilterCompletion',
  'FsDispatch',
  'FsPending',
  'FsComplete',
  'FsFastIoDeclined',
  'PostOperation',
  'PostOperationReturned',
  'FltCompletePendedPostOperation',
  'DrainPostOperation',
  'DrainPostOperationReturned',
  'IoComplete',
] as const satisfies readonly Fact['type'][];

export type WalkType = (typeof WALK_TYPES)[number];
export const WALK: ReadonlySet<string> = new Set(WALK_TYPES);
export type WalkFact = Extract<Fact, { type: WalkType }>;

export function isWalkFact(f: Fact): f is WalkFact {
  return WALK.has(f.type);
}

/** The instance a walk fact is about, or null (FS, legacy filters, start and completion). */
export function instanceOf(f: Fact): string | null {
  return 'instance' in f && typeof f.instance === 'string' ? f.instance : null;
}

export interface InstanceInfo {
  readonly altitude: string;
  readonly frame: number;
  readonly volume: string;
}

/** InstanceSetup of every instance in the log, by id. Altitudes never change (§14 inv. 22). */
export function instanceTable(facts: readonly Fact[]): Map<string, InstanceInfo> {
  const out = new Map<string, InstanceInfo>();
  for (const f of facts) if (f.type === 'InstanceSetup') out.set(f.object, { altitude: f.altitude, frame: f.frame, volume: f.volume });
  return out;
}

/** `a` above `b`; an instance the log never set up sorts as unknown (false both ways). */
export function above(table: Map<string, InstanceInfo>, a: string, b: string): boolean {
  const x = table.get(a);
  const y = table.get(b);
  return x !== undefined && y !== undefined && compareAltitudes(x.altitude, y.altitude) > 0;
}

export function label(table: Map<string, InstanceInfo>, instance: string): string {
  const info = table.get(instance);
  return info === undefined ? instance : `${instance}@${info.altitude}`;
}

export const asksForCallback = (result: number): boolean => result === FLT_PREOP_SUCCESS_WITH_CALLBACK || result === FLT_PREOP_SYNCHRONIZE;

export function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------------
