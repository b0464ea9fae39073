/**
 * The explorer's vocabulary: what it runs (an Explorable), what it reports (an ExplorationViolation),
 * and the options and result of `explore`.
 */
import type { Fact } from '../kernel/facts.js';
import type { ScenarioArgs, ScenarioOptions } from '../scenarios/scenario.js';
import type { Simulation } from '../simulation.js';
import type { RaceWindow, WindowCoverage } from './coverage.js';

/** A registry `Scenario`, or anything with the same build/options shape. */
export interface Explorable {
  readonly id?: string;
  readonly options?: ScenarioOptions | ((seed: number, args: ScenarioArgs) => ScenarioOptions);
  build(sim: Simulation, args: ScenarioArgs): void;
  /** The races this scenario exists to provoke, counted per schedule (src/explore/coverage.ts). */
  readonly windows?: readonly RaceWindow[];
  /** 'cells': its filters share JavaScript state between threads only through `sim.sharedCell` (see Scenario). */
  readonly sharedState?: 'cells';
}

export type ViolationKind = 'invariant' | 'verifier' | 'monitor' | 'deadlock' | 'liveness';

export interface ExplorationViolation {
  readonly kind: ViolationKind;
  /** The §14 check's name, the verifier rule, the monitor's name, 'deadlock' or the liveness rule. */
  readonly name: string;
  /** Log position where it became visible (the last fact for deadlock and liveness). */
  readonly seq: number;
  readonly message: string;
}

/** What a user monitor sees: the whole log of a finished (or stopped) schedule. */
export type Monitor = (facts: readonly Fact[]) => readonly MonitorViolation[];

export interface MonitorViolation {
  readonly name?: string;
  readonly seq: number;
  readonly message: string;
}

export type StrategyChoice = 'random' | 'pct' | 'exhaustive';

export interface ExploreOptions {
  /** 'random' (default), 'pct' or 'exhaustive' (bounded DFS over preemptions). */
  readonly strategy?: StrategyChoice;
  /** Seed of the first schedule; schedule i runs with seed + i. Default 1. */
  readonly seed?: number;
  /** Most schedules to try. Default 1000. */
  readonly schedules?: number;
  /**
   * Exhaustive: most runs of one subtree's search, complete or cut short (at a state already visited,
   * at a point where every enabled thread sleeps, or at the preemption bound). Default 10 x
   * `schedules`. A cut run re-executes its prefix as a complete one does but is not a schedule, so
   * the schedule budget alone does not bound the work: with state hashing on a scenario whose threads
   * poll (many scheduling points, few distinct outcomes), most runs end cut (docs/exploration.md,
   * "What a budget bounds"). A search this stops is not exhausted.
   */
  readonly maxRuns?: number;
  readonly args?: ScenarioArgs;
  /** PCT depth d (default 2). */
  readonly depth?: number;
  /** Exhaustive: most preemptions per schedule (default 2). */
  readonly preemptionBound?: number;
  /**
   * Exhaustive: partial-order reduction (docs/exploration.md, "Independence"): 'dpor' (default:
   * source-set DPOR with sleep sets), 'sleep-sets' (sleep sets only), 'none' (every interleaving),
   * or 'stateful-dpor' (DPOR that also stops at visited states, with what was explored below them
   * kept in order; sound only when a thread keeps nothing across a scheduling point that the model
   * state, its progress and the shared cells it read do not show: docs/exploration.md, "Stateful DPOR").
   */
  readonly reduction?: 'none' | 'sleep-sets' | 'dpor' | 'stateful-dpor';
  /**
   * Exhaustive: cut the choice tree at this depth and search each prefix's subtree on its own, in
   * order (default 0: one tree). The unit `--shard K/N` deals out: shards and a single run with the
   * same depth walk the same plan.
   */
  readonly splitDepth?: number;
  /** Exhaustive: visit each (state, enabled, previous, preemptions) once (default true; not with 'dpor'; 'stateful-dpor' is 'dpor' without it). */
  readonly stateHashing?: boolean;
  /** Steps one schedule may take; a run still hot after them is a liveness violation. Default 20,000. */
  readonly maxSteps?: number;
  /** Operations in flight at once above which the run is reported as unbounded recursion. Default 32. */
  readonly maxOperationsInFlight?: number;
  /** Run the §14 checkers (kernel, I/O, generated) over each log. Default true. */
  readonly invariants?: boolean;
  readonly monitors?: readonly Monitor[];
  /**
   * Verifier rules that do not end the search (Driver Verifier with those checks turned off): a
   * schedule that records only these is judged by everything else — its deadlock and wait-for
   * cycle, the invariants, the monitors. The log still holds them. Default none.
   */
  readonly disabledRules?: readonly string[];
  /** Shrink a found schedule to a 1-minimal one. Default true. */
  readonly shrink?: boolean;
  /** Race windows to count besides the scenario's own `windows`. */
  readonly windows?: readonly RaceWindow[];
  /** Called after every schedule (for progress output; never reads the clock itself). */
  readonly onSchedule?: (index: number, violationFound: boolean) => void;
}

export interface ExploreResult {
  readonly found: boolean;
  /** Schedules run (the failing one included). */
  readonly schedules: number;
  /** Seed of the failing schedule (or of the last one run). */
  readonly seed: number;
  readonly strategy: string;
  /** Choices of the failing schedule, for `replayStrategy`; empty when nothing was found. */
  readonly choices: readonly string[];
  readonly violation: ExplorationViolation | null;
  /** The failing schedule's log as text (formatTrace). */
  readonly trace: readonly string[];
  /**
   * The 1-minimal schedule and its trace, when shrinking is on and something was found; its
   * violation is the same rule or invariant, usually at another position of its own log.
   */
  readonly shrunk: { readonly choices: readonly string[]; readonly preemptions: number; readonly trace: readonly string[]; readonly violation: ExplorationViolation } | null;
  /** PCT only: the guaranteed lower bound 1/(n·k^(d−1)) of hitting a depth-d bug per schedule. */
  readonly pctBound: PctBound | null;
  /** Exhaustive only: whether the bounded space was covered (nothing found means none within the bound). */
  readonly exhausted: boolean;
  /** Per race window (the scenario's, then the options'): schedules that hit it, and hits. */
  readonly coverage: readonly WindowCoverage[];
  /** Names of the windows no schedule reached. */
  readonly windowsNeverHit: readonly string[];
}

export interface PctBound {
  readonly threads: number;
  readonly steps: number;
  readonly depth: number;
  readonly probability: number;
}
