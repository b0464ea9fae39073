// The long run of coverage.test.ts (npm run test:deep): remembered verdicts over more seeds of every race (test/support/deep.ts).
import './coverage.test.js';
