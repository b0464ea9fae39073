// The long run of checkpointEveryFact.test.ts (npm run test:deep): the same tests with the deep budget (test/support/deep.ts).
import './checkpointEveryFact.test.js';
