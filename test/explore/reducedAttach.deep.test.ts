// The long run of reducedAttach.test.ts (npm run test:deep): larger attach programs, detaches, more runs.
import './reducedAttach.test.js';
