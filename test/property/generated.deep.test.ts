// The long run of generated.test.ts (npm run test:deep): more random stacks and generated I/O (test/support/deep.ts).
import './generated.test.js';
