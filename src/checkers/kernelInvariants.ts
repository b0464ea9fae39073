/**
 * §14 invariants that concern filters, instances and volumes, checked over a log alone.
 * Each returns the violations it finds as `{ invariant, seq, message }`; an empty list means the
 * log satisfies it. The I/O invariants join these as the I/O path lands; exploration runs them all.
 */
import type { Fact } from '../kernel/facts.js';
import { compareAltitudes } from '../wdk/altitude.js';

export interface InvariantViolation {
  /** The §14 invariant number, or a name for fltsim's own invariants. */
  readonly invariant: string;
  readonly seq: number;
  readonly message: string;
}

type Check = (facts: readonly Fact[]) => InvariantViolation[];

/** 17 (teardown part): TeardownStart before TeardownComplete, once each, per instance. */
export const teardownOrder: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const started = new Set<string>();
  const completed = new Set<string>();
  for (const f of facts) {
    if (f.type === 'InstanceTeardownStart') {
      if (started.has(f.object)) out.push({ invariant: '17', seq: f.seq, message: `${f.object} TeardownStart twice` });
      started.add(f.object);
    } else if (f.type === 'InstanceTeardownComplete') {
      if (!started.has(f.object)) out.push({ invariant: '17', seq: f.seq, message: `${f.object} TeardownComplete before TeardownStart` });
      if (completed.has(f.object)) out.push({ invariant: '17', seq: f.seq, message: `${f.object} TeardownComplete twice` });
      completed.add(f.object);
    }
  }
  return out;
};

/** 22: at most one instance per (volume, altitude) among instances holding an altitude. */
export const oneInstancePerAltitude: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const holding = new Map<string, { volume: string; altitude: string }>();
  for (const f of facts) {
    if (f.type === 'InstanceSetup') {
      for (const [id, h] of holding) {
        if (h.volume === f.volume && compareAltitudes(h.altitude, f.altitude) === 0) {
          out.push({ invariant: '22', seq: f.seq, message: `${f.object} at ${f.altitude} on ${f.volume} while ${id} holds it` });
        }
      }
      holding.set(f.object, { volume: f.volume, altitude: f.altitude });
    } else if ((f.type === 'InstanceSetupReturned' && f.status >>> 30 >= 2) || f.type === 'InstanceTeardownCompleteReturned') {
      holding.delete(f.object);
    }
  }
  return out;
};

/**
 * 18 (references part): FltUnregisterFilter returns only when the filter and its instances hold no
 * rundown references.
 */
export const unloadWaitsForReferences: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const refs = new Map<string, number>();
  const filterOf = new Map<string, string>();
  for (const f of facts) {
    if (f.type === 'InstanceSetup') filterOf.set(f.object, f.filter);
    else if (f.type === 'FltObjectReference' || f.type === 'FltObjectDereference') refs.set(f.object, f.count);
    else if (f.type === 'FltUnregisterFilterReturned') {
      let held = refs.get(f.object) ?? 0;
      for (const [inst, filter] of filterOf) if (filter === f.object) held += refs.get(inst) ?? 0;
      if (held !== 0) out.push({ invariant: '18', seq: f.seq, message: `${f.object} finished unregistering with ${held} references held` });
    }
  }
  return out;
};

/** 5 (lifecycle part): no instance callback after TeardownComplete returned, none before setup. */
export const instanceCallbacksInLifetime: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const done = new Set<string>();
  for (const f of facts) {
    if (f.type === 'InstanceTeardownCompleteReturned') done.add(f.object);
    else if ((f.type === 'InstanceQueryTeardown' || f.type === 'InstanceTeardownStart') && done.has(f.object)) {
      out.push({ invariant: '5', seq: f.seq, message: `${f.object} got ${f.type} after its teardown completed` });
    }
  }
  return out;
};

export const KERNEL_INVARIANTS: Readonly<Record<string, Check>> = {
  teardownOrder,
  oneInstancePerAltitude,
  unloadWaitsForReferences,
  instanceCallbacksInLifetime,
};

export function checkKernelInvariants(facts: readonly Fact[]): InvariantViolation[] {
  return Object.values(KERNEL_INVARIANTS).flatMap((check) => check(facts));
}
