// The delete sample (wdk-samples §10) under the deep budget: the same checks, and PCT with 100
// schedules per outcome and unload time against the deleting threads and the KTM worker (§22.4).
import './delete.test.js';
