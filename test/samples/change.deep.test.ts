// The change sample (wdk-samples §8) under the deep budget: the same checks, and PCT with 400
// schedules against the unload after the transaction and while it is in flight (§22.4, §15.9).
import './change.test.js';
