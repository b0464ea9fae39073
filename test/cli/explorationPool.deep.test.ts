// The long run of explorationPool.test.ts (npm run test:deep): the same tests with the deep budget (test/support/deep.ts).
import './explorationPool.test.js';
