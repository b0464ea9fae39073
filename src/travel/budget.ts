/**
 * Budgets for work driven by untrusted input (docs/security.md): a replay of a trace file runs at
 * most so many steps and facts, and within a memory ceiling the caller measures. Each has a default
 * a user can raise (`fltsim replay --max-facts/--max-steps/--max-memory`); exceeding one stops the
 * work with a BudgetExceededError naming the budget and how to raise it.
 */
import { oneOfArgument, sizeArgument, stringArgument } from '../kernel/arguments.js';
import { FltSimError, UsageError } from '../kernel/errors.js';
import { shown } from '../kernel/elide.js';

export interface ReplayBudget {
  /** The most facts the replay may produce (default DEFAULT_REPLAY_BUDGET.maxFacts). */
  readonly maxFacts?: number;
  /** The most scheduler steps it may take. */
  readonly maxSteps?: number;
  /** The most heap bytes, as `heapUsed` reports them; unchecked without `heapUsed`. */
  readonly maxMemory?: number;
  /**
   * Bytes in use now (Node: `process.memoryUsage().heapUsed`). Given by the caller, so the
   * simulation itself never reads anything outside it; asked every MEMORY_CHECK_INTERVAL steps.
   */
  readonly heapUsed?: () => number;
}

export const DEFAULT_REPLAY_BUDGET = { maxFacts: 5_000_000, maxSteps: 5_000_000, maxMemory: 4 * 2 ** 30 } as const;
export const MEMORY_CHECK_INTERVAL = 1024;

export type BudgetName = 'facts' | 'steps' | 'memory';
const FLAG: Readonly<Record<BudgetName, string>> = { facts: '--max-facts', steps: '--max-steps', memory: '--max-memory' };

export class BudgetExceededError extends FltSimError {
  constructor(
    readonly budget: BudgetName,
    readonly limit: number,
    readonly needed: string,
  ) {
    oneOfArgument('BudgetExceededError', 'budget', budget, ['facts', 'steps', 'memory'] as const);
    sizeArgument('BudgetExceededError', 'limit', limit);
    stringArgument('BudgetExceededError', 'needed', needed);
    super(`over the ${budget} budget of ${budget === 'memory' ? `${Math.round(limit / 2 ** 20)} MiB` : limit}: ${needed} (raise it with ${FLAG[budget]})`);
  }
}

/** The budget with every default filled in. */
export function resolveBudget(budget: ReplayBudget = {}): Required<Omit<ReplayBudget, 'heapUsed'>> & Pick<ReplayBudget, 'heapUsed'> {
  const out = { ...DEFAULT_REPLAY_BUDGET, ...budget };
  for (const key of ['maxFacts', 'maxSteps', 'maxMemory'] as const) {
    if (!Number.isSafeInteger(out[key]) || out[key] < 0) throw new UsageError('BAD_OPTION', `${key} must be a whole number >= 0, got ${shown(out[key])}`);
  }
  return out;
}
