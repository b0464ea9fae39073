// The long run of hostProperties.test.ts (npm run test:deep): more random host interleavings (test/support/deep.ts).
import './hostProperties.test.js';
