// The long run of scanner.test.ts (npm run test:deep): the same tests with the deep budget (test/support/deep.ts).
import './scanner.test.js';
