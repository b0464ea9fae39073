/**
 * The fold of the facts about objects the file systems keep for waiting requests: byte-range locks
 * (§21.10). Lifecycle states come from the same machines the live objects use; released and
 * abandoned locks leave the state (their facts stay in the log).
 */
import type { Draft } from 'immer';
import type { Fact, FactOf } from '../kernel/facts.js';
import { byteRangeLockMachine } from '../machines/byteRangeLock.js';
import type { Advance, Born } from './fold.js';
import type { SimState } from './simState.js';

export type FsFact = FactOf<'ByteRangeLockWaiting'> | FactOf<'ByteRangeLockGranted'> | FactOf<'ByteRangeLockReleased'> | FactOf<'ByteRangeLockAbandoned'>;

const FS_FACTS = new Set<string>(['ByteRangeLockWaiting', 'ByteRangeLockGranted', 'ByteRangeLockReleased', 'ByteRangeLockAbandoned']);

export function isFsFact(fact: Fact): fact is FsFact {
  return FS_FACTS.has(fact.type);
}

export function applyFsFact(d: Draft<SimState>, fact: FsFact, born: Born, advance: Advance): void {
  const id = fact.object;
  switch (fact.type) {
    case 'ByteRangeLockWaiting':
    case 'ByteRangeLockGranted': {
      const existing = d.byteRangeLocks[id];
      if (existing === undefined) born(id, byteRangeLockMachine);
      const state = advance(fact) as never;
      const { operation, fileObject, fileId, byteOffset, length, key, processId, exclusive } = fact;
      d.byteRangeLocks[id] = { operation, fileObject, fileId, byteOffset, length, key, processId, exclusive, state };
      return;
    }
    case 'ByteRangeLockReleased':
    case 'ByteRangeLockAbandoned':
      advance(fact);
      delete d.byteRangeLocks[id];
      return;
  }
}
