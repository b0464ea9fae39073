// The random transactional workloads (§22.4) under the deep budget: 150 runs.
import './transactions.test.js';
