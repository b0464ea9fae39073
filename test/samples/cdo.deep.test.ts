// The cdo exploration with the deep budget (npm run test:deep): 300 PCT schedules, the searches with one and two preemptions to their end, and the search that finds the unload race.
import './cdo.test.js';
