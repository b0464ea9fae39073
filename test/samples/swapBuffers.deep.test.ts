// The long run of swapBuffers.test.ts (npm run test:deep): the same tests with the deep budget (test/support/deep.ts).
import './swapBuffers.test.js';
