// The avscan exploration with the deep budget (npm run test:deep): PCT over 150 schedules for each setting, 40 random schedules for the scanner race.
import './avscan.test.js';
