// The long run of property.test.ts (npm run test:deep): more random file-system workloads (test/support/deep.ts).
import './property.test.js';
