// The long run of cancellation.test.ts (npm run test:deep): the same property with the deep budget.
import './cancellation.test.js';
