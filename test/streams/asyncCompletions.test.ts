// §11.10, §14 invariant 6: each asynchronous run's callback is delivered exactly once.
import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { asyncCompletions, type CompletedRun } from '../../src/streams/asyncCompletions.js';

const runs: Record<string, CompletedRun> = {
  a: { run: 'D1#1', callbackOwed: true },
  b: { run: 'D2#1', callbackOwed: false }, // its callback already ran inline
  c: { run: 'D3#1', callbackOwed: true },
  x: { run: 'D1#1', callbackOwed: true }, // the same run of D1 again
  r: { run: 'D1#2', callbackOwed: true }, // D1 reused: a new run
};

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('asyncCompletions', () => {
  it('passes each owed run once, drops runs whose callback already ran, and never delivers a run twice', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const completed = cold('--a--b--x--c--|', runs);
      expectObservable(asyncCompletions(completed)).toBe('--a--------c--|', runs);
      expectSubscriptions(completed.subscriptions).toBe('^-------------!');
    });
  });

  it('a reused callback data is a new run and is delivered again', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(asyncCompletions(cold('-a-r-|', runs))).toBe('-a-r-|', runs);
    });
  });
});
