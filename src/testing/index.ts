/** fltsim/testing: helpers for tests and examples, kept out of the main entry. */
export { compactTrace } from './compactTrace.js';
export type { CompactTraceOptions } from './compactTrace.js';
export { installFilter, operations } from './filterBuilder.js';
export type { TestFilter, TestFilterSpec } from './filterBuilder.js';
export { randomWorkload } from './randomWorkload.js';
export type { RandomWorkloadOptions } from './randomWorkload.js';
export { randomIoWorkload, randomIoSimulationOptions } from './randomIoWorkload.js';
export type { RandomIoWorkloadOptions, RandomIoSystem } from './randomIoWorkload.js';
export { IO_INVARIANTS, IO_LIVENESS, checkIoInvariants, checkIoLiveness, allOperationsCompleted, allDrainsReturned } from '../checkers/ioInvariants.js';
