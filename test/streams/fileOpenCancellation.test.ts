// §11.13, §14 invariant 15: after FltCancelFileOpen, one cleanup at once and one close once the file object is released.
import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { fileOpenCancellation } from '../../src/streams/fileOpenCancellation.js';

const requests = { a: 'cleanup', b: 'close' } as const;

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('fileOpenCancellation', () => {
  it('cleanup when the cancel comes, close when the file object is then released, and nothing more', () => {
    scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const cancel = hot('---c--c---', { c: undefined });
      const released = hot('--------x-|', { x: undefined });
      expectObservable(fileOpenCancellation(cancel, released)).toBe('---a----(b|)', requests);
      expectSubscriptions(released.subscriptions).toBe('---^----!');
    });
  });

  it('a create that completes without a cancel owes nothing', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const cancel = hot('-------|');
      const released = hot('--x-----', { x: undefined });
      expectObservable(fileOpenCancellation(cancel, released)).toBe('-------|', requests);
      expectSubscriptions(released.subscriptions).toBe([]);
    });
  });
});
