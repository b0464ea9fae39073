// The long run of timeline.test.ts (npm run test:deep): the same tests with the deep budget (test/support/deep.ts).
import './timeline.test.js';
