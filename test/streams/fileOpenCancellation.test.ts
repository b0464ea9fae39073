// §11.13, §14 invariant 15: after FltCancelFileOpen, one cleanup at once and one close after the create completes.
import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { fileOpenCancellation } from '../../src/streams/fileOpenCancellation.js';

const requests = { a: 'cleanup', b: 'close' } as const;

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('fileOpenCancellation', () => {
  it('cleanup when the cancel comes, close when the create then completes, and nothing more', () => {
    scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const cancel = hot('---c--c---', { c: undefined });
      const completed = hot('--------x-|', { x: undefined });
      expectObservable(fileOpenCancellation(cancel, completed)).toBe('---a----(b|)', requests);
      expectSubscriptions(completed.subscriptions).toBe('---^----!');
    });
  });

  it('a create that completes without a cancel owes nothing', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const cancel = hot('-------|');
      const completed = hot('--x-----', { x: undefined });
      expectObservable(fileOpenCancellation(cancel, completed)).toBe('-------|', requests);
      expectSubscriptions(completed.subscriptions).toBe([]);
    });
  });
});
