// Issue 10, "everywhere" (the short run; callbackIo.deep.test.ts is the long one): random filters
// doing random generated I/O from every callback on random stacks never meet an internal error of
// ours (no CRASH, no finding at all: they do nothing illegal), the file system sees at most one
// CLEANUP and one CLOSE per file object (§11.3, §11.13, §14 inv. 15), every §14 invariant holds,
// and the log folds to the live state.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IRP_MJ_CLEANUP } from '../../src/index.js';
import { budget } from '../support/deep.js';
import { callbackIoSystem, checkCallbackIo, fsCleanupsAndCloses } from './callbackIoSystem.js';

describe('random filters issuing I/O from every callback (issue 10)', () => {
  it('no internal error, at most one CLEANUP and one CLOSE per file object at the FS, every §14 invariant', () => {
    // 4 runs in npm test; test:deep 400 (callbackIo.deep.test.ts).
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), checkCallbackIo), { numRuns: budget(4, 400) });
  });

  it('the count catches what it must: a log with a second CLEANUP of one file object at the FS', () => {
    const sim = callbackIoSystem(3);
    sim.run();
    const first = [...fsCleanupsAndCloses(sim)].find(([, c]) => c.cleanup === 1)!;
    const start = sim.log.find((f) => f.type === 'IoStart' && f.major === IRP_MJ_CLEANUP && f.fileObject === first[0])!;
    const dispatch = sim.log.find((f) => f.type === 'FsDispatch' && f.object === start.object)!;
    const doubled = { log: [...sim.log, dispatch] } as unknown as Parameters<typeof fsCleanupsAndCloses>[0];
    expect(fsCleanupsAndCloses(doubled).get(first[0])!.cleanup).toBe(2);
  });
});
