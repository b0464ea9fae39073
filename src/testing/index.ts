/**
 * fltsim/testing: helpers for tests and examples, kept out of the main entry. The filter builder and
 * the random workloads live in src/scenarios/builders/ (the built-in scenarios are made of them);
 * this entry re-exports them under the names tests use.
 */
export { compactTrace } from './compactTrace.js';
export type { CompactTraceOptions } from './compactTrace.js';
export { installFilter, operations } from '../scenarios/builders/filterBuilder.js';
export type { TestFilter, TestFilterSpec } from '../scenarios/builders/filterBuilder.js';
export { randomWorkload } from '../scenarios/builders/randomWorkload.js';
export type { RandomWorkloadOptions } from '../scenarios/builders/randomWorkload.js';
export { randomIoWorkload, randomIoSimulationOptions } from '../scenarios/builders/randomIoWorkload.js';
export { NAME_INVARIANTS, checkNameInvariants } from '../checkers/nameInvariants.js';
export type { RandomIoWorkloadOptions, RandomIoSystem } from '../scenarios/builders/randomIoWorkload.js';
export { randomContextWorkload, randomContextSimulationOptions } from '../scenarios/builders/randomContextWorkload.js';
export type { RandomContextWorkloadOptions } from '../scenarios/builders/randomContextWorkload.js';
export { CONTEXT_INVARIANTS, checkContextInvariants } from '../checkers/contextInvariants.js';
export { CANCEL_INVARIANTS, checkCancelInvariants } from '../checkers/cancelInvariants.js';
export { FS_INVARIANTS, checkFsInvariants } from '../checkers/fsInvariants.js';
export { FS_FILTER_INVARIANTS, fsFilterOperations, fsFilterAcquiresReleased } from '../checkers/fsFilterInvariants.js';
export { IO_INVARIANTS, IO_LIVENESS, checkIoInvariants, checkIoLiveness, allOperationsCompleted, allDrainsReturned } from '../checkers/ioInvariants.js';
export { installPortFilter } from '../scenarios/builders/portFilter.js';
export type { PortFilter, PortFilterSpec, PortFilterSends } from '../scenarios/builders/portFilter.js';
export { PORT_INVARIANTS, checkPortInvariants } from '../checkers/portInvariants.js';
export { randomPortWorkload } from '../scenarios/builders/randomPortWorkload.js';
export type { RandomPortWorkloadOptions } from '../scenarios/builders/randomPortWorkload.js';
