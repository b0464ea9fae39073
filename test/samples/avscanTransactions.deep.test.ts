// The avscan transaction exploration with the deep budget (npm run test:deep).
import './avscanTransactions.test.js';
