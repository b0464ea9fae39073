/** Time travel: the state at any position, cursors, diffs, rebuilding, forking and checked replay. */
export { Timeline, DEFAULT_CHECKPOINT_INTERVAL } from './timeline.js';
export { Cursor } from './cursor.js';
export { diffStates } from './diff.js';
export type { StateDiff, ObjectChange, ObjectRef } from './diff.js';
export { startRun, rebuild, fork, replayChecked, firstDifference } from './recording.js';
export type { RunSpec, Recording } from './recording.js';
export { FactRejectedError, TraceFileError, DeterminismError } from './errors.js';
export { BudgetExceededError, DEFAULT_REPLAY_BUDGET } from './budget.js';
export type { ReplayBudget, BudgetName } from './budget.js';
export { threadActivity, CALLBACK_RETURNS } from './threadActivity.js';
export type { ThreadActivity, CallbackSpan } from './threadActivity.js';
export { whyFact } from './why.js';
export type { WhyOrigins } from './why.js';
export type { CausalLink, CauseRelation } from './why.js';
