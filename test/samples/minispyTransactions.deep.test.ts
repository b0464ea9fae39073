// minispy's transaction logging under the deep budget: PCT over 200 schedules per setting.
import './minispyTransactions.test.js';
