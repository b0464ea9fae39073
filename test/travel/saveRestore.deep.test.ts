// The long run of saveRestore.test.ts (npm run test:deep): the same tests with the deep budget (test/support/deep.ts).
import './saveRestore.test.js';
