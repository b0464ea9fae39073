// The avscan cache exploration with the deep budget (npm run test:deep): PCT over 60 schedules per workload, exhaustive over 60.
import './avscanCache.test.js';
