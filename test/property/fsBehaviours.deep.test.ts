// The long run of fsBehaviours.test.ts (npm run test:deep): the same property with the deep budget.
import './fsBehaviours.test.js';
