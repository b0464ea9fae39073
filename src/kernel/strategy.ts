/**
 * Scheduling strategies: who runs next when more than one thread is enabled.
 *
 * A strategy sees only the enabled choices (in creation order) and a context, and returns an
 * index. It never touches machines or the log, so PCT, bounded search and replay plug in here
 * without changes elsewhere. It is asked only when there is a real choice (two or more enabled).
 */
import { stringArgument } from './arguments.js';
import { arrayOfArgument, shapeArgument } from './dataArguments.js';
import { ReplayDivergenceError, UsageError } from './errors.js';
import type { Random } from './random.js';

export interface Choosable {
  readonly id: string;
  readonly name: string;
}

export interface ChoiceContext {
  /** Number of real choices made so far in this run. */
  readonly choiceIndex: number;
  /** The task that ran last, if any. */
  readonly previous: string | null;
  /** The scheduler's own random stream (split from the seed). */
  readonly random: Random;
  /** Next log position, for error messages. */
  readonly seq: number;
}

export interface Strategy {
  readonly name: string;
  choose(enabled: readonly Choosable[], context: ChoiceContext): number;
}

/** Keep running the thread that ran last while it can; otherwise the oldest enabled thread. */
export function inOrderStrategy(): Strategy {
  return {
    name: 'in-order',
    choose(enabled, { previous }) {
      const i = previous === null ? -1 : enabled.findIndex((t) => t.id === previous);
      return i >= 0 ? i : 0;
    },
  };
}

/** Uniform choice from the scheduler's seeded stream. */
export function randomStrategy(): Strategy {
  return {
    name: 'random',
    choose(enabled, { random }) {
      return random.nextInt(enabled.length);
    },
  };
}

/**
 * Follow a recorded list of choices (thread ids, one per real choice). After the list runs out,
 * continue with `then` (in-order by default), which is how a fork continues with new choices.
 */
export function replayStrategy(choices: readonly string[], then: Strategy = inOrderStrategy()): Strategy {
  arrayOfArgument('replayStrategy', 'choices', choices, (c, at) => stringArgument('replayStrategy', at, c), 'a choice list (an array of thread ids)');
  shapeArgument('replayStrategy', 'then', then, { name: 'string', choose: 'function' }, 'a Strategy ({ name, choose })');
  return {
    name: 'replay',
    choose(enabled, context) {
      if (context.choiceIndex >= choices.length) return then.choose(enabled, context);
      const wanted = choices[context.choiceIndex]!;
      const i = enabled.findIndex((t) => t.id === wanted);
      if (i < 0) {
        throw new ReplayDivergenceError(
          `replay diverged at choice ${context.choiceIndex}: recorded ${wanted}, enabled ${enabled.map((t) => t.id).join(', ')}`,
          { seq: context.seq },
        );
      }
      return i;
    },
  };
}

export type StrategyName = 'in-order' | 'random';

export function strategyByName(name: string): Strategy {
  switch (name) {
    case 'in-order':
      return inOrderStrategy();
    case 'random':
      return randomStrategy();
    default:
      throw new UsageError('UNKNOWN_STRATEGY', `unknown scheduling strategy '${name}' (known: in-order, random)`);
  }
}
