// The long run of explore.test.ts (npm run test:deep): every race's fix exhausted at bound 2, the
// larger enumeration tree, and more fixed-variant schedules (test/support/deep.ts).
import './explore.test.js';
