/**
 * A host discrete-event loop that drives fltsim step by step (docs/embedding.md).
 *
 * Who owns what:
 * - time: the host. fltsim never moves its own clock here; the host advances it (`advanceTo`) to
 *   the earlier of fltsim's next wake-up and the disk's next completion.
 * - the file system's completions: the disk. With `fileSystemCompletion: 'deferred'` and latency 0,
 *   each request's completion thread (`IoCompletion(Dn)`) is ready at once; the host holds it — never
 *   chooses it — until the disk model says the request is done.
 * - the other choices: fltsim's strategy, unless a held thread is among those enabled; then the host
 *   chooses (`step(id)`) the first thread the disk does not hold.
 *
 * In your project: `import { … } from 'fltsim'`.
 */
import type { Subscription } from 'rxjs';
import { createScenarioSimulation, restoreSimulation, type Fact, type Simulation, type SimulationSnapshot } from '../../src/index.js';
import { Disk, type DiskState } from './disk.js';
import { diskScenario } from './scenario.js';

const scenarios = [diskScenario];
const COMPLETION_THREAD = /^IoCompletion\((\w+)\)$/;

export interface DiskHostOptions {
  /** fltsim's seed (its strategy's draws and the workload's). */
  readonly seed: number;
  /** The disk model's own seed. */
  readonly diskSeed: number;
  readonly strategy?: 'in-order' | 'random';
}

/** The whole host, saved: fltsim's snapshot and the disk's state, both plain JSON. */
export interface SavedDiskHost {
  readonly fltsim: SimulationSnapshot;
  readonly disk: DiskState;
}

export class DiskHost {
  private readonly subscription: Subscription;
  /** Host loop turns so far (steps and clock moves). */
  turns = 0;

  private constructor(
    readonly sim: Simulation,
    readonly disk: Disk,
  ) {
    // The log as a stream: every request the file system pends reaches the disk as it happens.
    this.subscription = sim.facts$.subscribe((fact) => this.onFact(fact));
  }

  static start(options: DiskHostOptions): DiskHost {
    const sim = createScenarioSimulation(diskScenario.id, { seed: options.seed, strategy: options.strategy ?? 'random' }, { scenarios });
    return new DiskHost(sim, new Disk(options.diskSeed));
  }

  /** Rebuild a saved host: fltsim by re-execution, the disk from its data; then carry on. */
  static restore(saved: SavedDiskHost): DiskHost {
    return new DiskHost(restoreSimulation(saved.fltsim, { scenarios }), Disk.restore(saved.disk));
  }

  save(): SavedDiskHost {
    return { fltsim: this.sim.save(), disk: this.disk.save() };
  }

  private onFact(fact: Fact): void {
    if (fact.type !== 'ThreadCreate') return;
    const request = COMPLETION_THREAD.exec(fact.name)?.[1];
    if (request !== undefined) this.disk.submit(fact.object, request, fact.time);
  }

  /** One turn of the host's event loop; false once neither fltsim nor the disk has anything left. */
  turn(): boolean {
    this.turns++;
    const enabled = this.sim.enabled();
    const runnable = enabled.filter((c) => c.kind === 'thread' && !this.disk.isHolding(c.id));
    if (runnable.length > 0) {
      if (runnable.length === enabled.length) this.sim.step();
      else this.sim.step(runnable[0]!.id);
      return true;
    }
    // Nothing can run now: move time to the next event of either simulator (sleepers that fltsim
    // lists as enabled are never stepped directly, or fltsim would move the clock past the disk).
    const next = earliest(this.sim.nextWakeTime(), this.disk.nextCompletion());
    if (next === null) return false;
    this.sim.advanceTo(next);
    this.disk.completeDue(next);
    return true;
  }

  /** Run the host loop until nothing is left, or `maxTurns` turns; true if it finished. */
  run(maxTurns = 100_000): boolean {
    for (let i = 0; i < maxTurns; i++) if (!this.turn()) return true;
    return false;
  }

  stop(): void {
    this.subscription.unsubscribe();
  }
}

function earliest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
