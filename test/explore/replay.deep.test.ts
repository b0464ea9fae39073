// The long run of replay.test.ts (npm run test:deep): more plans, more schedules of each.
import './replay.test.js';
