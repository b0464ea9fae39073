/**
 * A host discrete-event loop that drives fltsim step by step (docs/embedding.md).
 *
 * Who owns what:
 * - time: the host (`clock: 'host'`). fltsim never moves its own clock; when it has nothing ready
 *   (`step()` answers `waiting`, or nothing is left), the host advances it to `nextEventTime()`.
 * - the file system's timing: the disk (`fileSystemCompletion: 'host'`). Each request the file
 *   system receives is held; the host hands it to its disk model, which says when it completes, and
 *   tells fltsim with `completeRequest(id, { at })` — a recorded call, so a save keeps it.
 * - every other choice: fltsim's strategy. The host never picks threads.
 *
 * In your project: `import { … } from 'fltsim'`.
 */
import { createScenarioSimulation, restoreSimulation, type Simulation, type SimulationSnapshot } from '../../src/index.js';
import { Disk, type DiskState } from './disk.js';
import { diskScenario } from './scenario.js';

const scenarios = [diskScenario];

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
  /** Host loop turns so far (steps and clock moves). */
  turns = 0;

  private constructor(
    readonly sim: Simulation,
    readonly disk: Disk,
  ) {}

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

  /** One turn of the host's event loop; false once neither fltsim nor the disk has anything left. */
  turn(): boolean {
    this.turns++;
    // New requests go to the disk, which says when each completes; fltsim is told at once.
    for (const request of this.sim.heldRequests()) {
      const completesAt = this.disk.submit(request.id, request.id, this.sim.now);
      this.sim.completeRequest(request.id, { at: completesAt });
    }
    if (this.sim.step().kind === 'ran') return true;
    // Nothing can run now: move both clocks to fltsim's next event (a completion the disk
    // scheduled is one: its completion thread sleeps until then).
    const next = this.sim.nextEventTime();
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
}
