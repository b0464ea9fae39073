// The long run of fsFilterOperations.test.ts (npm run test:deep): the same property with the deep budget.
import './fsFilterOperations.test.js';
