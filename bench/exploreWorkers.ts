/**
 * Exploring on two threads against one (issue 6: at least 1.7x the schedules/s; issue 16: at least
 * 0.9x of the allocating-loop ceiling measured in the same run), on the smallest race
 * (race-free-before-callback, fixed: it never stops early).
 *
 * The ceiling and the pool are measured the same way (`rounds` below):
 *
 * - the same kind of thread: worker threads both times — an allocating JS loop on 1 and on 2
 *   workers, an exploration pool (src/cli/explorationPool.ts) of 1 and of 2 — started once and warm
 *   (past V8's JIT warm-up) before anything is timed;
 * - the same work on 1 thread and on 2, dealt out the same way: BUDGET units of the loop taken in
 *   chunks of 16 from a shared counter, as the pool's BUDGET schedules are, a unit costing about a
 *   schedule's CPU;
 * - turn about, ROUNDS times, each round in the opposite order to the last; a speed-up is the
 *   median run of one thread over the median run of two (`speedUp`), each round's own listed.
 *
 * Each run is read twice. By the wall clock, which on this shared machine mostly measures the other
 * processes: CFS shares a core between sessions (autogroups), not threads, so while other sessions
 * run, a second thread of ours gets little more of the machine than the first had, and a round whose
 * one-thread run waited longer for a core than its two-thread run reads above 2x (the old ceiling,
 * three wall-clock pairs, once read 2.48x). Each thread's wait for a core (schedstat's second field)
 * says when that happens: the wall-clock rows give a verdict only when our threads waited under
 * WAIT_READABLE of their time. And from CPU time (schedstat's first field), the speed-up two idle
 * cores would allow that CPU (`idealSeconds`). The same work's CPU moves too, with how long the run
 * waited for a core (caches refilled after each preemption; this VM reports no steal time, so time
 * the host takes from a vCPU counts as running), so a speed-up above 2.0x — the same work costing
 * less CPU on two threads than on one — is noise, not a speed-up; a row gives a verdict only when
 * the loop's and the pool's medians are at most 2.0x and the middle half of each one's rounds lies
 * within SPREAD_READABLE of its median: noise smaller than the 10% gap the target asks about.
 *
 * The cold rows are `fltsim explore --workers 1` against `--workers 2`, each a fresh process (from
 * a checkout: tsx, or dist/ when fresh), start-up and JIT warm-up included: a user running the
 * command once.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createExplorationPool, type ExplorationPool } from '../src/node.js';
import { CHUNK } from '../src/cli/parallelExplore.js';
import { summarize, type Row } from './harness.js';

const RACE = 'race-free-before-callback';
const ARGS = { variant: 'fixed' } as const;
/** Warm-up per thread: past the ~3,000 schedules over which V8 keeps compiling the engine (docs/exploration.md). */
const WARM_PER_THREAD = 4_000;
/** Schedules per timed exploration (the target's row). */
const BUDGET = 4_000;
const COLD_BUDGETS = [4_000, 16_000] as const;
/** Rounds of the four warm runs (loop 1, loop 2, pool 1, pool 2), turn about; the rows read medians. */
const ROUNDS = 9;
/**
 * The wall clock is read when our threads waited for a core under this share of their time. On an
 * idle machine two workers, their V8 helpers and the calling thread share the two cores and wait
 * 4-6% of their time (the loop's threads as much as the pool's: it is part of the ceiling); other
 * sessions' load shows as 26-68%.
 */
const WAIT_READABLE = 0.1;
/** A speed-up gives a verdict when the middle half of its rounds lies within this share of its median (the target's gap is 10%). */
const SPREAD_READABLE = 0.1;
/** Iterations of the loop per unit: about a warm schedule's CPU (both ~0.3 ms at load ~10), so its chunks are as fine as the pool's. */
const LOOP_ITERATIONS = 20_000;

const TASKS = '/proc/self/task';
const linux = existsSync(TASKS);

/** Per thread of this process: nanoseconds on a CPU and waiting on a run queue, and times put on a CPU (Linux: schedstat). */
function threadTimes(): Map<string, { readonly cpu: number; readonly wait: number; readonly slices: number }> {
  const times = new Map<string, { cpu: number; wait: number; slices: number }>();
  if (!linux) return times;
  for (const tid of readdirSync(TASKS)) {
    try {
      const [cpu, wait, slices] = readFileSync(`${TASKS}/${tid}/schedstat`, 'utf8').split(' ');
      times.set(tid, { cpu: Number(cpu), wait: Number(wait), slices: Number(slices) });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return times;
}

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

/** One timed run: wall seconds; CPU seconds of each of the contender's threads, the calling thread and the rest (V8's helpers); its threads' wait for a core. */
interface Run {
  readonly wall: number;
  readonly own: readonly number[];
  readonly calling: number;
  readonly helpers: number;
  readonly wait: number;
  /** Times the contender's threads were put on a CPU. */
  readonly slices: number;
}

const cpuOf = (r: Run): number => r.own.reduce((a, b) => a + b, 0) + r.calling + r.helpers;

/**
 * The shortest a run could take on two idle cores given its CPU: half the process's, and no less
 * than its workers' CPU spread evenly over them (on idle cores the shared counter evens them out to
 * within a chunk; under load the thread given less of the machine runs fewer units). One worker's
 * run is its own CPU: its helpers and the calling thread run on the other core.
 */
const idealSeconds = (r: Run, workers: number): number => Math.max(r.own.reduce((a, b) => a + b, 0) / workers, cpuOf(r) / 2);

/** A contender of the warm comparison: worker threads started and warmed up, and one timed run of its work. */
interface Contender {
  readonly threads: readonly string[];
  run(): Promise<void>;
  close(): Promise<void>;
}

async function timed(contender: Contender): Promise<Run> {
  const before = threadTimes();
  const start = process.hrtime.bigint();
  await contender.run();
  const wall = seconds(start);
  const after = threadTimes();
  const spent = (tid: string, f: 'cpu' | 'wait' | 'slices'): number => ((after.get(tid)?.[f] ?? 0) - (before.get(tid)?.[f] ?? 0)) / (f === 'slices' ? 1 : 1e9);
  const own = contender.threads.map((tid) => spent(tid, 'cpu'));
  const calling = spent(String(process.pid), 'cpu');
  let helpers = 0;
  for (const tid of after.keys()) if (tid !== String(process.pid) && !contender.threads.includes(tid)) helpers += spent(tid, 'cpu');
  const sum = (f: 'wait' | 'slices'): number => contender.threads.reduce((a, tid) => a + spent(tid, f), 0);
  return { wall, own, calling, helpers, wait: sum('wait'), slices: sum('slices') };
}

/** The threads a start-up added to this process. */
async function added<T>(start: () => Promise<T>): Promise<{ value: T; threads: string[] }> {
  const existing = threadTimes();
  const value = await start();
  return { value, threads: [...threadTimes().keys()].filter((tid) => !existing.has(tid)) };
}

const options = (schedules: number) => ({ strategy: 'random' as const, schedules, args: ARGS });

/** An exploration pool, warmed up (WARM_PER_THREAD schedules per worker), exploring BUDGET schedules per run. */
async function warmPool(workers: number): Promise<Contender> {
  let pool: ExplorationPool | null = null;
  const explore = async (n: number): Promise<void> => {
    const r = await pool!.explore(RACE, options(n));
    if (r.schedules !== n) throw new Error(`bench: the fixed free race stopped after ${r.schedules} of ${n} schedules`);
  };
  const { threads } = await added(async () => {
    pool = createExplorationPool({ workers });
    await explore(WARM_PER_THREAD * workers);
  });
  return { threads, run: () => explore(BUDGET), close: () => pool!.close() };
}

/**
 * The allocating loop — small objects that die young, ~0.5% of its bytes surviving a
 * scavenge — on `workers` worker threads, BUDGET units a run taken in chunks of CHUNK from a shared
 * counter as the pool's schedules are (a unit costs about a schedule's CPU: LOOP_ITERATIONS).
 */
async function loopThreads(workers: number): Promise<Contender> {
  const code = `
    const { parentPort } = require('node:worker_threads');
    let kept = [], sum = 0;
    const unit = () => {
      for (let i = 0; i < ${LOOP_ITERATIONS}; i++) {
        const o = { a: i, b: [i, i + 1] };
        sum += o.b[1];
        if (i % 100 === 0) kept.push(o);
        if (kept.length > 1000) kept = [];
      }
    };
    parentPort.on('message', ({ shared, units, chunk }) => {
      const next = new Int32Array(shared);
      for (let start = Atomics.add(next, 0, chunk); start < units; start = Atomics.add(next, 0, chunk)) {
        for (let i = start; i < Math.min(start + chunk, units); i++) unit();
      }
      parentPort.postMessage(sum);
    });`;
  const threadsOf: Worker[] = [];
  const round = (units: number): Promise<void> => {
    const shared = new SharedArrayBuffer(4);
    return Promise.all(threadsOf.map((w) => new Promise((resolve) => { w.once('message', resolve); w.postMessage({ shared, units, chunk: CHUNK }); }))).then(() => undefined);
  };
  const { threads } = await added(async () => {
    for (let i = 0; i < workers; i++) threadsOf.push(new Worker(code, { eval: true }));
    await round(WARM_PER_THREAD * workers); // compiled, heap grown
  });
  return { threads, run: () => round(BUDGET), close: async () => void (await Promise.all(threadsOf.map((w) => w.terminate()))) };
}

interface Rounds {
  readonly loop1: Run[];
  readonly loop2: Run[];
  readonly pool1: Run[];
  readonly pool2: Run[];
}

/** The four warm contenders, alive together, run turn about ROUNDS times, each round in the opposite order to the last. */
async function rounds(): Promise<Rounds> {
  const loop1 = await loopThreads(1);
  const loop2 = await loopThreads(2);
  const pool1 = await warmPool(1);
  const pool2 = await warmPool(2);
  const contenders = [loop1, loop2, pool1, pool2];
  try {
    const runs: Run[][] = contenders.map(() => []);
    for (let r = 0; r < ROUNDS; r++) {
      // A one-thread run of the loop beside the pool's, and a two-thread run beside the pool's: the
      // target's ratio, (pool 1 / loop 1) x (loop 2 / pool 2), then compares runs a moment apart.
      const order = r % 2 === 0 ? [0, 2, 3, 1] : [1, 3, 2, 0];
      for (const c of order) runs[c]!.push(await timed(contenders[c]!));
    }
    const [l1, l2, p1, p2] = runs as [Run[], Run[], Run[], Run[]];
    return { loop1: l1, loop2: l2, pool1: p1, pool2: p2 };
  } finally {
    for (const c of contenders) await c.close();
  }
}

/** Children's CPU seconds so far (Linux: /proc/self/stat cutime + cstime, in clock ticks of 1/100 s). */
function childrenCpu(): number {
  if (!linux) return NaN;
  const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** `fltsim explore --workers N` as a user runs it: a fresh process, start-up included. */
function coldCli(workers: number, schedules: number): { wall: number; cpu: number } {
  const bin = join(import.meta.dirname, '..', 'bin', 'fltsim.mjs');
  const cpuBefore = childrenCpu();
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, 'explore', RACE, '--strategy', 'random', '--schedules', String(schedules), '--arg', 'variant=fixed', '--workers', String(workers)], { encoding: 'utf8' });
  const wall = seconds(start);
  if (r.status !== 0 || !r.stdout.includes(`${schedules} schedule(s)`)) throw new Error(`bench: fltsim explore --workers ${workers} exited ${r.status}: ${r.stderr.slice(0, 400)}`);
  return { wall, cpu: childrenCpu() - cpuBefore };
}

const count = (n: number): string => n.toLocaleString('en-US');
const pct = (x: number): string => `${Math.round(100 * x)}%`;
const list = (xs: readonly number[]): string => xs.map((x) => x.toFixed(2)).join(', ');
const med = (xs: readonly number[]): number => summarize(xs).median;

/**
 * One thread's seconds over two threads' (a speed-up), `by` a run's seconds given its workers: the
 * median run of one over the median run of two. Not the median round's ratio: a run's CPU moves by
 * up to 2x from one run to the next (the load changes within seconds), so pairing runs does not
 * cancel it and a ratio of runs compounds it; each contender's median over the rounds, taken turn
 * about so that a drift of the load falls on all, is steadier. The rounds' own ratios are listed,
 * and any above 2.0x flagged.
 */
function speedUp(one: readonly Run[], two: readonly Run[], by: (r: Run, workers: number) => number): { value: number; rounds: number[]; note: string } {
  const rounds = one.map((r, i) => by(r, 1) / by(two[i]!, 2));
  const above = rounds.filter((x) => x > 2);
  const value = med(one.map((r) => by(r, 1))) / med(two.map((r) => by(r, 2)));
  const flag = above.length === 0 ? 'no round above 2.0x' : `${above.length} of ${rounds.length} rounds above 2.0x: a run less disturbed than its pair, not a speed-up`;
  return { value, rounds, note: `median runs; rounds ${list(rounds)} (${flag}; middle half within ${pct(spread(rounds))} of the median)` };
}

/** The middle half of `xs` (interquartile range) over their median. */
function spread(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.round(q * (sorted.length - 1))]!;
  return (at(0.75) - at(0.25)) / med(sorted);
}

/** Our threads' wait for a core over their time in the run (wall x threads). */
const waitShare = (runs: readonly Run[]): number => runs.reduce((a, r) => a + r.wait, 0) / runs.reduce((a, r) => a + r.wall * r.own.length, 0);

export async function exploreWorkerFigures(): Promise<Row[]> {
  const loadBefore = loadavg()[0]!;
  const warm = await rounds();
  const cold = new Map<string, { wall: number; cpu: number }>();
  for (const n of COLD_BUDGETS) for (const w of [1, 2]) cold.set(`${w}/${n}`, coldCli(w, n));
  const load = `load average ${loadBefore.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}`;
  const rows: Row[] = [];

  // From CPU time: the speed-up two idle cores allow, for the loop and the pool.
  const loopCpu = speedUp(warm.loop1, warm.loop2, idealSeconds);
  const poolCpu = speedUp(warm.pool1, warm.pool2, idealSeconds);
  const ownOf = (r: Run): number => r.own.reduce((a, b) => a + b, 0);
  const share = (runs: readonly Run[], part: (r: Run) => number): string => pct(med(runs.map(part)) / med(runs.map(ownOf)));
  const slice = (runs: readonly Run[]): string => (1000 * med(runs.map(ownOf)) / med(runs.map((r) => r.slices))).toFixed(1);
  const helpers = (one: readonly Run[], two: readonly Run[]): string =>
    `V8 helpers ${share(one, (r) => r.helpers)} of 1 worker's CPU, ${share(two, (r) => r.helpers)} of 2 workers'; a worker ran ${slice(one)} / ${slice(two)} ms a time on a core`;
  // A verdict only when the measurement can tell a 10% gap (the target asks for 0.9 of the
  // ceiling): each median at most 2.0x (a median above it is noise, not a speed-up) and the middle
  // half of each one's rounds within SPREAD_READABLE of its median. The rule was "no round above
  // 2.0x", which a ceiling near 1.9x misses on an idle machine too: rounds spread ±5-8% around the
  // median there, so one or two of nine land just above 2.0x (2.02, 2.03) in every run, while at
  // loads 6-13 the middle half spread 10-30% and the medians of the same work 1.58-2.09x.
  const steady = (x: { value: number; rounds: readonly number[] }): boolean => x.value <= 2 && spread(x.rounds) <= SPREAD_READABLE;
  const sound = steady(loopCpu) && steady(poolCpu);
  if (linux) {
    rows.push(
      {
        name: 'allocating JS loop, 2 workers over 1: speed-up two idle cores allow (CPU time)',
        value: loopCpu.value,
        unit: 'x',
        note: `the issue's ceiling, measured as the pool's below; ${loopCpu.note}; ${count(BUDGET)} units a run; ${helpers(warm.loop1, warm.loop2)}; ${load}`,
      },
      {
        name: `explore, warm pool of 2 over a warm pool of 1: speed-up two idle cores allow (CPU time, ${count(BUDGET)})`,
        value: poolCpu.value,
        unit: 'x',
        baseline: { name: 'allocating JS loop, same method', value: loopCpu.value },
        ratio: poolCpu.value / loopCpu.value,
        ...(sound ? { target: 0.9 } : {}),
        note: `${sound ? '' : "NO VERDICT: the CPU accounting's noise is as large as the gap (a median above 2.0x, or rounds spread past 10%); "}${poolCpu.note}; per round, pool over loop ${list(poolCpu.rounds.map((p, i) => p / loopCpu.rounds[i]!))}; ${helpers(warm.pool1, warm.pool2)}; the calling thread ${share(warm.pool1, (r) => r.calling)} / ${share(warm.pool2, (r) => r.calling)}; ${load}`,
      },
    );
  }

  // By the wall clock: readable only while our threads did not wait for a core.
  const loopWall = speedUp(warm.loop1, warm.loop2, (r) => r.wall);
  const poolWall = speedUp(warm.pool1, warm.pool2, (r) => r.wall);
  const waited = Math.max(waitShare(warm.loop1), waitShare(warm.loop2), waitShare(warm.pool1), waitShare(warm.pool2));
  const readable = linux && waited < WAIT_READABLE && steady(loopWall) && steady(poolWall);
  const waits = `our threads waited for a core ${pct(waitShare(warm.loop1))} / ${pct(waitShare(warm.loop2))} / ${pct(waitShare(warm.pool1))} / ${pct(waitShare(warm.pool2))} of their time (loop 1, 2, pool 1, 2)`;
  const rate = (runs: readonly Run[]): number => BUDGET / med(runs.map((r) => r.wall));
  rows.push(
    {
      name: 'allocating JS loop, 2 workers over 1: speed-up (wall clock)',
      value: loopWall.value,
      unit: 'x',
      note: `${readable ? 'readable' : "NOT READABLE (other processes' load)"}: ${waits}; ${loopWall.note}; ${load}`,
    },
    {
      name: `explore, warm pool of 2 over a warm pool of 1: speed-up (wall clock, ${count(BUDGET)})`,
      value: poolWall.value,
      unit: 'x',
      baseline: { name: 'allocating JS loop, same method', value: loopWall.value },
      ratio: poolWall.value / loopWall.value,
      ...(readable ? { target: 0.9 } : {}),
      note: `${readable ? '' : 'no verdict: not readable (above); '}${poolWall.note}`,
    },
    {
      name: `explore, warm pool of 2: schedules/s (${count(BUDGET)})`,
      value: rate(warm.pool2),
      unit: 'schedules/s',
      baseline: { name: 'a warm pool of 1', value: rate(warm.pool1) },
      ratio: rate(warm.pool2) / rate(warm.pool1),
      ...(readable ? { target: 1.7 } : {}),
      note: `issue 6 target; wall clock, ${readable ? 'readable' : 'no verdict: not readable (above)'}`,
    },
  );
  for (const n of COLD_BUDGETS) {
    const c1 = cold.get(`1/${n}`)!;
    const c2 = cold.get(`2/${n}`)!;
    rows.push({
      name: `fltsim explore --workers 2, cold process: speed-up over --workers 1 (${count(n)})`,
      value: c1.wall / c2.wall,
      unit: 'x',
      note: `each a fresh process, start-up and JIT warm-up included: --workers 1 ${c1.wall.toFixed(1)} s (${c1.cpu.toFixed(1)} CPU-s), --workers 2 ${c2.wall.toFixed(1)} s (${c2.cpu.toFixed(1)} CPU-s); wall clock, once each; ${load}`,
    });
  }
  return rows;
}
