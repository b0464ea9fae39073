// The long run of demo.test.ts (npm run test:deep): the whole demo a second time, with --seed 5
// --strategy random, its printed trace compared with the API's for seeds 5 and 6.
import './demo.test.js';
