// The long run of facilities.test.ts (npm run test:deep): saved at every step of more random runs.
import './facilities.test.js';
