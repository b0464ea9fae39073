// §2, §4, invariant 18: the unload gate opens once, when nothing is outstanding.
import { describe, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';
import { unloadGate } from '../../src/streams/unloadGate.js';
import type { Outstanding } from '../../src/streams/outstanding.js';

const zero: Outstanding = { references: 0, pendedOperations: 0, generatedIo: 0, workItems: 0, instanceReferences: 0, callbacksInProgress: 0, contexts: 0, serverPorts: 0, portCallbacks: 0, openFiles: 0 };
const values: Record<string, Outstanding> = {
  a: { ...zero, references: 1 },
  b: { ...zero, generatedIo: 2 },
  c: { ...zero, pendedOperations: 1 },
  i: { ...zero, instanceReferences: 1 },
  z: zero,
};

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('unloadGate', () => {
  it('opens at the first moment everything is zero, then completes and unsubscribes', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const counts = cold('--a--b--z--c--z--|', values);
      expectObservable(unloadGate(counts)).toBe('--------(z|)', values);
      expectSubscriptions(counts.subscriptions).toBe('^-------!');
    });
  });

  it('opens immediately when already drained', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(unloadGate(cold('z-a-|', values))).toBe('(z|)', values);
    });
  });

  it('stays shut while a reference on an instance is held', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(unloadGate(cold('-i-i-|', values))).toBe('-----|', values);
    });
  });
});
