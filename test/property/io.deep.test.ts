// The long run of io.test.ts (npm run test:deep): the same tests with the deep budget (test/support/deep.ts).
import './io.test.js';
