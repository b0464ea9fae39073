// The cdo exploration with the deep budget (npm run test:deep): 300 PCT schedules and the one-preemption search to its end.
import './cdo.test.js';
