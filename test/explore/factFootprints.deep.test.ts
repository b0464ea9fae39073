// The long version of factFootprints.test.ts (issue 16): more and longer random file-system
// programs (two operations a thread) against brute force.
import './factFootprints.test.js';
