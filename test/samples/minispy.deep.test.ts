// The long run of minispy.test.ts (npm run test:deep): the same tests with the deep budget (test/support/deep.ts).
import './minispy.test.js';
