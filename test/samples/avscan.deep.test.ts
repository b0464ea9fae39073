// The avscan exploration with the deep budget (npm run test:deep): PCT over 300 schedules.
import './avscan.test.js';
