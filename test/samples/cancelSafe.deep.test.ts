// The cancelSafe exploration with the deep budget (npm run test:deep): PCT 400 schedules, exhaustive search to the end.
import './cancelSafe.test.js';
