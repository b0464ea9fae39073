/**
 * Stateful DPOR (reduction 'stateful-dpor'): dynamic partial-order reduction that also stops a run
 * at a state its search has visited before. Cutting a run at a visited state s hides the steps its
 * rest would have taken, and so the races between those steps and the steps before s on the
 * current path, which stateless DPOR finds by running on (Yang, Chen, Gopalakrishnan and Kirby,
 * "Efficient stateful dynamic partial order reduction", SPIN 2008, show the naive cut unsound and
 * keep a summary of what was explored below s). Here the summary keeps order: every visited state
 * records the continuations explored below it, each the steps a run took from there to its end (or
 * to the visited state it was cut at, whose continuations follow). A run cut at s is analysed once
 * per distinct continuation of s, as the current path followed by it: the same races, so the same
 * reversals, that stateless DPOR would add after running each of those continuations itself.
 * Below s nothing changes: its races among its own steps were handled on the first visit, and the
 * happens-before order between two of them depends on them alone.
 *
 * Sound when the key decides the future: equal keys, equal continuations (the same steps with the
 * same footprints). The key: the folded state, each thread's progress, the enabled threads, the
 * last thread, the preemptions spent (stateKey.ts), the sleep set, and which write of
 * each shared cell every thread read (CellProvenance). A search's states form a tree in time (each
 * thread's progress only grows), so a state is never reached again while its subtree is still being
 * searched: its continuations are all recorded when they are used.
 */
import type { FootprintRecorder, StepRecord } from '../kernel/footprint.js';
import type { Simulation } from '../simulation.js';
import { stateKey } from './stateKey.js';

/** Steps `from`..`to` of one run's step list (shared, not copied). */
interface Segment {
  readonly steps: readonly StepRecord[];
  readonly from: number;
  readonly to: number;
}

/** What was explored below one visited state: runs that ended, and runs cut at another visited state. */
export class Continuations {
  private readonly ends: Array<{ readonly segment: Segment; readonly pending: readonly StepRecord[] }> = [];
  private readonly via: Array<{ readonly segment: Segment; readonly next: Continuations }> = [];

  /** A run from this state to its end; `pending`: stand-ins for threads a cut-off run left unfinished. */
  ended(steps: readonly StepRecord[], from: number, pending: readonly StepRecord[]): void {
    this.ends.push({ segment: { steps, from, to: steps.length }, pending });
  }

  /** A run from this state to a visited state whose continuations follow. */
  cut(steps: readonly StepRecord[], from: number, next: Continuations): void {
    this.via.push({ segment: { steps, from, to: steps.length }, next });
  }

  /** Steps `from`..`to` of a run, from this state to a state whose continuations `next` follow. */
  through(steps: readonly StepRecord[], from: number, to: number, next: Continuations): void {
    this.via.push({ segment: { steps, from, to }, next });
  }

  /**
   * Each distinct continuation once (distinct by the footprints of its steps), with the stand-ins of
   * the run it ends in: every sequence of steps some run explored from this state.
   */
  each(visit: (steps: readonly StepRecord[], pending: readonly StepRecord[]) => void): void {
    const seen = new Set<string>();
    const walk = (node: Continuations, before: readonly StepRecord[]): void => {
      for (const { segment, pending } of node.ends) {
        const steps = [...before, ...segment.steps.slice(segment.from, segment.to)];
        const key = steps.map(fingerprint).join('\n') + '\n/' + pending.map(fingerprint).join('\n');
        if (seen.has(key)) continue;
        seen.add(key);
        visit(steps, pending);
      }
      for (const { segment, next } of node.via) walk(next, [...before, ...segment.steps.slice(segment.from, segment.to)]);
    };
    walk(this, []);
  }
}

/**
 * What earlier visits of a state cover of the exploration from it now: every continuation (`all`:
 * a visit's continuations; the run stops here), or the continuations that start with some threads
 * (`threads`, explored from the visits whose continuations `from` lists).
 */
export interface Coverage {
  readonly all: Continuations | null;
  readonly threads: readonly string[];
  readonly from: readonly Continuations[];
}

/**
 * The states a stateful search has visited, by key, each with what was explored below it. An
 * earlier visit that had no thread asleep that is awake now (state caching with sleep sets,
 * Godefroid 1996: a stored sleep set included in the current one) covers the continuations that
 * start with thread q if it had at least as many preemptions left after q's first step as there
 * are now: its preemptions spent plus q's cost after its last thread, against the same now (from
 * one state, only the first switch of a continuation can cost differently). Every schedule from
 * here that starts with q is then a schedule within the bound from that visit, which explored its
 * trace. A visit that covers every thread awake here covers the state.
 */
export class VisitedStates {
  private readonly states = new Map<string, Array<{ readonly sleep: readonly string[]; readonly previous: string | null; readonly spent: number; readonly below: Continuations }>>();

  /** What earlier visits cover of this state; `previous`: the last thread if it can run now, else null. */
  lookup(key: string, sleep: readonly string[], previous: string | null, spent: number, awake: readonly string[]): Coverage {
    const threads = new Set<string>();
    const from: Continuations[] = [];
    for (const v of this.states.get(key) ?? []) {
      if (!v.sleep.every((id) => sleep.includes(id))) continue;
      const covered = awake.filter((q) => v.spent + switchCost(v.previous, q) <= spent + switchCost(previous, q));
      if (covered.length === awake.length) return { all: v.below, threads: awake, from: [v.below] };
      if (covered.length === 0) continue;
      for (const q of covered) threads.add(q);
      from.push(v.below);
    }
    return { all: null, threads: awake.filter((q) => threads.has(q)), from };
  }

  /** A visit of this state, whose exploration `below` records. */
  record(key: string, sleep: readonly string[], previous: string | null, spent: number, below: Continuations): void {
    let visits = this.states.get(key);
    if (visits === undefined) this.states.set(key, (visits = []));
    visits.push({ sleep, previous, spent, below });
  }
}

/** Preemptions a first step by `thread` costs after `previous` (null: no last thread that can run). */
function switchCost(previous: string | null, thread: string): number {
  return previous !== null && previous !== thread ? 1 : 0;
}

/**
 * A visited state's key, without the last thread, the preemptions spent and the sleep set
 * (compared apart): the folded state, each thread's progress, the enabled threads (stateKey.ts),
 * every volume's file system (files, names, open file objects: the folded state holds none of it),
 * and which write of each shared cell every thread read (CellProvenance).
 *
 * Objects are named by their makers, not by their ids (FootprintRecorder.canonical): runs in which
 * threads made their objects in another order, so with other ids, share the state they reach. The
 * folded state lists the instances of every filter in one record, in the order of their ids'
 * numbers (liveState), so in the order their makers happened to run; the key lists them by name.
 * That order is the projection's, not the model's: the model keeps instances in each filter's
 * list and each volume's stack, both in the key in their own order (`filters[F].instances`,
 * `volumes[V].stack`), and never compares ids. Other records keep the order of their ids: the
 * model walks some of their live lists in the order they were made (an unload's leak report walks
 * the callback data allocated and the handles opened, in that order).
 */
export function statefulKey(sim: Simulation, enabled: readonly string[], provenance: string, names: Pick<FootprintRecorder, 'canonical'>): string {
  const state = sim.state();
  const instances = Object.entries(state.instances)
    .map(([id, record]) => [names.canonical(id), id, record] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, id, record]) => [id, record] as const);
  const fileSystems = Object.values(state.volumes).map((v) => JSON.stringify(sim.volume(v.name)?.fileSystem.snapshot() ?? null));
  return names.canonical(`${stateKey(sim, enabled, null, 0, { ...state, instances: Object.fromEntries(instances) })}|${fileSystems.join('|')}|${provenance}`);
}

/** Who runs host code (whenSettled continuations) in CellProvenance's key: no thread id has an @. */
const HOST = '@host';

const fingerprints = new WeakMap<StepRecord, string>();

/** One string per distinct (thread, footprint). */
function fingerprint(step: StepRecord): string {
  let f = fingerprints.get(step);
  if (f === undefined) {
    const list = (s: ReadonlySet<string>) => [...s].sort().join(',');
    f = `${step.thread}|${step.opaque ? 1 : 0}|${list(step.reads)}|${list(step.writes)}|${list(step.updates)}`;
    fingerprints.set(step, f);
  }
  return f;
}

/**
 * What each thread saw of the shared cells, and what the cells hold: the part of the state a key
 * needs beside the folded state, which holds no cell values. A thread's private variables are what
 * it computed from what it read; two runs in which every thread saw the same in every cell it
 * looked at (the same primitive value, or an object from the same write: a thread's n-th step)
 * compute the same from them. A cell holding a primitive is keyed by its value, one holding an
 * object by its last writer. Host code (a `whenSettled` continuation, run outside any thread at the
 * end of the step that let the simulation settle) is one more reader, whose readings are kept in
 * order and whose writes are named by their number: the thread whose step it ended computes
 * nothing from them.
 */
export class CellProvenance {
  private done = 0;
  private readonly seen = new Map<string, string[]>();
  private readonly lastWrite = new Map<string, string>();
  private readonly stepsOf = new Map<string, number>();
  private hostWrites = 0;

  key(steps: readonly StepRecord[], values: ReadonlyMap<string, string | null>): string {
    for (; this.done < steps.length; this.done++) {
      const step = steps[this.done]!;
      const n = (this.stepsOf.get(step.thread) ?? 0) + 1;
      this.stepsOf.set(step.thread, n);
      for (const event of step.cells ?? []) {
        // Host code (a whenSettled continuation) is no part of the thread whose step it ended: its
        // reads and writes are the host's, in the order it made them, whichever step ran it (a host
        // step of its own under stateful DPOR, FootprintRecorder.continuations; the step's under sleep sets).
        const who = event.outside ? HOST : step.thread;
        if (event.seen === undefined) {
          this.lastWrite.set(event.cell, event.outside ? `${HOST}#${++this.hostWrites}` : `${step.thread}#${n}`);
          continue;
        }
        let seen = this.seen.get(who);
        if (seen === undefined) this.seen.set(who, (seen = []));
        const at = event.outside ? '' : `${n}:`;
        seen.push(event.seen !== null ? `${at}${event.cell}=${event.seen}` : `${at}${event.cell}<${this.lastWrite.get(event.cell) ?? ''}`);
      }
    }
    const threads = [...this.seen.keys()].sort().map((t) => `${t}[${this.seen.get(t)!.join(' ')}]`);
    const cells = [...values.keys()].sort().map((id) => {
      const digest = values.get(id)!;
      return digest !== null ? `${id}=${digest}` : `${id}<${this.lastWrite.get(id) ?? ''}`;
    });
    return `${threads.join(';')}|${cells.join(';')}`;
  }
}
