// The long run of exploreWorkers.test.ts (npm run test:deep): the same tests with the deep budget (test/support/deep.ts).
import './exploreWorkers.test.js';
