// The avscan transaction exploration with the deep budget (npm run test:deep): PCT over 30 schedules per outcome, 60 schedules (at most 600 runs) of bounded exhaustive search, 20 PCT schedules for the unload leak.
import './avscanTransactions.test.js';
