// Partial-order reduction while instances attach and detach (issue 16): attaching instances to one
// volume at distinct altitudes commute (docs/exploration.md, "Independence": the volume's stack is
// an update, `V1:stack`), while I/O dispatch, FltEnumerateInstances in an InstanceSetup callback and
// a detach read the stack (§3, §4). On random programs where filters attach while an operation runs
// — by `fltmc attach` or by loading, maybe beside a `fltmc detach` — DPOR, stateful DPOR, sleep sets
// and the plain search with state hashing reach exactly brute force's final states (the files, each
// thread's result, what each filter counted and what middle's InstanceSetup found on the volume)
// and violations.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { budget, DEEP } from '../support/deep.js';
import { attachPrograms, checkIoAgainstBruteForce } from './reducedIoRun.js';

describe('reduced exhaustive search = brute force while instances attach to the volume', () => {
  // npm test: a read while middle attaches (200 interleavings; the plain search with hashing is
  // left to test:deep); test:deep: both filters attaching by fltmc or by loading, and a detach
  // beside the attach (up to ~5,800), every search.
  it(DEEP ? 'one operation while two filters attach or one attaches beside a detach' : 'a read while middle attaches and enumerates the volume\'s instances', () => {
    fc.assert(fc.property(attachPrograms(!DEEP), (p) => void checkIoAgainstBruteForce(p, DEEP)), { numRuns: budget(1, 8) });
  });
});
