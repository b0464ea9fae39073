/**
 * The options of createSimulation, and their validation: a bad option is a UsageError naming it,
 * thrown before anything exists.
 */
import { UsageError } from './kernel/errors.js';
import type { FrameSpec } from './kernel/facts.js';
import { framesFromBoundaries } from './kernel/frames.js';
import type { ViolationMode } from './kernel/kernel.js';
import { strategyByName, type Strategy } from './kernel/strategy.js';
import type { FileSystemCompletion, InstanceSetupOnMount } from './fltmgr/filterManager.js';
import { DEFAULT_SEMANTICS, SEMANTICS_VALUES, type Semantics } from './fltmgr/semantics.js';
import { shown } from './kernel/elide.js';

export interface SimulationOptions {
  /** Seeds every random stream. Same seed and options → byte-identical log. Default 1. */
  readonly seed?: number;
  /** Who runs next when several threads can: 'in-order' (default), 'random', or your own Strategy. */
  readonly strategy?: 'in-order' | 'random' | Strategy;
  /** Altitudes where one frame ends and the next begins (§6). Default: one frame. */
  readonly frameBoundaries?: readonly string[];
  /** When automatic attachment to a newly mounted volume happens (§13 A7). Default 'firstOperation'. */
  readonly instanceSetupOnMount?: InstanceSetupOnMount;
  /** What a verifier violation does once logged: throw out of run()/step() (default) or only record. */
  readonly onViolation?: ViolationMode;
  /**
   * 'inline' (default): the file system completes each request in the thread that sent it.
   * 'deferred': it returns STATUS_PENDING and completes after `fileSystemLatency` ticks on an I/O
   * completion thread, so post-operations race with everything else.
   * 'host': every request pends until the host completes it (`sim.heldRequests()`,
   * `sim.completeRequest(id, { at, status, information })`, docs/embedding.md "File-system timing").
   */
  readonly fileSystemCompletion?: FileSystemCompletion;
  /** Ticks a deferred request takes (default 1). */
  readonly fileSystemLatency?: number;
  /** The §13 ambiguities (docs/semantics.md), each with fltsim's default (src/fltmgr/semantics.ts). */
  readonly semantics?: Partial<Semantics>;
  /**
   * Keep the log (default true). With false, facts are still numbered and streamed on `facts$` but
   * not kept: for hosts that consume the stream themselves and long runs whose log nobody reads.
   * Time travel, trace files and the fold need the log. Not recording, the simulation also forgets
   * what only the log's readers need, so memory stays flat however long it runs: exited threads
   * (`sim.thread(id)` no longer finds them, `sim.state()` lists live ones; a handle from `spawn`
   * still joins), retired objects' last states, and `sim.choices` (left empty).
   */
  readonly record?: boolean;
  /**
   * Who owns virtual time (docs/embedding.md). 'sim' (default): when nothing is ready, a step jumps
   * the clock to the next sleeper. 'host': fltsim never moves its clock by itself — a step with
   * only sleepers left answers `{ kind: 'waiting', until }`, `run()` stops with reason 'waiting',
   * and only `advanceTo(t)` / `runUntil(t)` move time. One tick is one millisecond of virtual time.
   */
  readonly clock?: 'sim' | 'host';
}

/** The options as a simulation holds them: every default filled in, the strategy by name. */
export type ResolvedOptions = Readonly<Required<Omit<SimulationOptions, 'strategy' | 'semantics' | 'clock'>>> & {
  readonly strategy: string;
  readonly semantics: Semantics;
  /** Present only when the host owns the clock, so saves and trace headers of other runs stay as they were. */
  readonly clock?: 'host';
};

export interface Resolution {
  readonly seed: number;
  readonly strategy: Strategy;
  readonly strategyIsBuiltIn: boolean;
  readonly frames: FrameSpec[];
  readonly onViolation: ViolationMode;
  readonly clock: 'sim' | 'host';
  readonly summary: ResolvedOptions;
}

/** The longest a deferred file-system request may take (ticks): far beyond any workload, and a bound. */
export const MAX_FILE_SYSTEM_LATENCY = 1_000_000;

export function resolveOptions(options: SimulationOptions): Resolution {
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed)) throw new UsageError('BAD_OPTION', `seed must be an integer, got ${shown(seed)}`);
  const strategyOption = options.strategy ?? 'in-order';
  const strategy = typeof strategyOption === 'string' ? strategyByName(strategyOption) : strategyOption;
  const frames = framesFromBoundaries(options.frameBoundaries ?? []);
  const instanceSetupOnMount = oneOf('instanceSetupOnMount', options.instanceSetupOnMount ?? 'firstOperation', ['firstOperation', 'mount'] as const);
  const fileSystemCompletion = oneOf('fileSystemCompletion', options.fileSystemCompletion ?? 'inline', ['inline', 'deferred', 'host'] as const);
  const onViolation = oneOf('onViolation', options.onViolation ?? 'throw', ['throw', 'record'] as const);
  const fileSystemLatency = options.fileSystemLatency ?? 1;
  if (!Number.isSafeInteger(fileSystemLatency) || fileSystemLatency < 0 || fileSystemLatency > MAX_FILE_SYSTEM_LATENCY) {
    throw new UsageError('BAD_OPTION', `fileSystemLatency must be a whole number of ticks from 0 to ${MAX_FILE_SYSTEM_LATENCY}, got ${shown(fileSystemLatency)}`);
  }
  // Every simulation of an exploration leaves the semantics at their defaults: one frozen object serves them all.
  const given: unknown = options.semantics ?? null;
  const written = given === null ? (defaultSemantics ??= Object.freeze(resolveSemantics({}))) : resolveSemantics(given);
  const clock = oneOf('clock', options.clock ?? 'sim', ['sim', 'host'] as const);
  const record = options.record ?? true;
  if (typeof record !== 'boolean') throw new UsageError('BAD_OPTION', `record must be true or false, got ${shown(record)}`);
  return {
    seed,
    strategy,
    strategyIsBuiltIn: typeof strategyOption === 'string',
    frames,
    onViolation,
    clock,
    summary: {
      seed,
      strategy: strategy.name,
      frameBoundaries: frames.slice(1).map((f) => f.low),
      instanceSetupOnMount,
      onViolation,
      fileSystemCompletion,
      fileSystemLatency,
      semantics: written,
      record,
      ...(clock === 'host' ? { clock } : {}),
    },
  };
}

let defaultSemantics: Semantics | null = null;

function resolveSemantics(given: unknown): Semantics {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new UsageError('BAD_OPTION', `semantics must be an object, got ${shown(given)}`);
  const semantics = { ...DEFAULT_SEMANTICS } as Record<keyof Semantics, unknown>;
  for (const [key, value] of Object.entries(given)) {
    if (!Object.hasOwn(SEMANTICS_VALUES, key)) throw new UsageError('BAD_OPTION', `unknown semantics option ${shown(key)} (known: ${Object.keys(DEFAULT_SEMANTICS).join(', ')})`);
    const allowed = SEMANTICS_VALUES[key as keyof Semantics] as readonly unknown[];
    if (!allowed.includes(value)) throw new UsageError('BAD_OPTION', `semantics.${key} must be ${allowed.map((a) => JSON.stringify(a)).join(' or ')}, got ${shown(value)}`);
    semantics[key as keyof Semantics] = value;
  }
  // Options added after saves and trace headers were first written are left out at their default
  // (as `clock` is), so what fltsim writes for a run that does not use them stays the same. Copied
  // without them rather than `delete`d: a deleted key turns the object into a slow dictionary, and
  // the model reads it on hot paths.
  const written = {} as Record<keyof Semantics, unknown>;
  for (const key of Object.keys(semantics) as (keyof Semantics)[]) {
    if ((key === 'fastIo' && semantics.fastIo === 'never') || (key === 'asyncIoCallbackIrql' && semantics.asyncIoCallbackIrql === 'dispatch')) continue;
    if (key === 'filterOplockCreateBreak' && semantics.filterOplockCreateBreak === 'writableOrNoShareRead') continue;
    written[key] = semantics[key];
  }
  return written as Semantics;
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError('BAD_OPTION', `${name} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${shown(value)}`);
}
