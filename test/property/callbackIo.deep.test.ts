// The long run of callbackIo.test.ts (npm run test:deep): the same tests with the deep budget (test/support/deep.ts).
import './callbackIo.test.js';
