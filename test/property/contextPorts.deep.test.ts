// The long run of contextPorts.test.ts (npm run test:deep): the same tests with the deep budget (test/support/deep.ts).
import './contextPorts.test.js';
