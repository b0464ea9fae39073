// The long run of simrep.test.ts (npm run test:deep): the same tests with the deep budget (test/support/deep.ts).
import './simrep.test.js';
