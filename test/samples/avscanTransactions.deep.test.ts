// The avscan transaction exploration with the deep budget (npm run test:deep): PCT over 30 schedules per outcome, 24 of bounded exhaustive search (the 25th runs for minutes: see the normal file), 20 PCT schedules for the unload leak.
import './avscanTransactions.test.js';
