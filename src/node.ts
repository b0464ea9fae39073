/**
 * fltsim/node: what needs Node.js itself (worker threads), kept out of the main entry, which runs
 * in a browser and in a worker too (test/package/nodeFree.test.ts).
 */
export { createExplorationPool } from './cli/explorationPool.js';
export type { ExplorationPool, ExplorationPoolOptions, PoolExploreOptions } from './cli/explorationPool.js';
export type { ParallelExploreOptions } from './cli/scheduleReports.js';
