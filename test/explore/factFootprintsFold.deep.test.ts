// The long run of factFootprintsFold.test.ts (npm run test:deep): eight seeds, in order and random, io-soak too (test/support/deep.ts).
import './factFootprintsFold.test.js';
