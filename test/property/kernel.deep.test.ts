// The long run of kernel.test.ts (npm run test:deep): more random kernel runs (test/support/deep.ts).
import './kernel.test.js';
