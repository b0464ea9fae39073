/** Race exploration: find, shrink and replay schedules that break a scenario (docs/exploration.md). */
export { explore, replaySchedule, explorationPlan, runPlannedSchedule, concludeExploration, planBound } from './explore.js';
export type { ReplayOptions, ExplorationPlan, IndexedSchedule, ExplorationSummary } from './explore.js';
export { windowHits, CoverageCounter, formatCoverage } from './coverage.js';
export type { RaceWindow, WindowCoverage } from './coverage.js';
export { pctStrategy, pctBound, formatPctBound } from './pct.js';
export type { PctOptions } from './pct.js';
export { exhaustiveSearch, stateKey } from './exhaustive.js';
export type { ExhaustiveOptions, ExhaustiveResult } from './exhaustive.js';
export { reducedSearch } from './reduced.js';
export type { Reduction } from './reduced.js';
export { HappensBefore } from './races.js';
export type { Race } from './races.js';
export { shrinkSchedule, lenientReplayStrategy, recordingStrategy, preemptionsOf, withoutPreemptions, replayLeniently } from './shrink.js';
export type { ChoicePoint, ShrinkResult, ReplayedSchedule } from './shrink.js';
export { runSchedule, buildSimulation, sameViolation } from './run.js';
export type { ScheduleOptions, ScheduleOutcome } from './run.js';
export { SAFETY_CHECKS, hotParts, deadlockViolation, InvariantVerdicts } from './check.js';
export type { Explorable, ExplorationViolation, ViolationKind, Monitor, MonitorViolation, ExploreOptions, ExploreResult, PctBound, StrategyChoice } from './types.js';
