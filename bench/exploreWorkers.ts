/**
 * Exploring on two threads against one (issue 6: at least 1.7x the schedules/s; issue 16: at least
 * 0.9x of the allocating-loop ceiling below), on the smallest race (race-free-before-callback,
 * fixed: it never stops early). Every comparison is like with like, measured in this run:
 *
 * - **warm**: an exploration pool (src/cli/explorationPool.ts) of 2 workers against one thread,
 *   every thread past its JIT warm-up (a warm-up exploration of WARM_PER_THREAD schedules per
 *   thread first). One thread is the better of a warm pool of 1 worker and `explore()` on the
 *   calling thread. This is a host running many explorations; the issue's target is read here.
 * - **cold**: `fltsim explore --workers 1` against `--workers 2`, each a fresh process (from a
 *   checkout: tsx, or dist/ when fresh), start-up included: every thread compiles the engine anew.
 *   This is a user running the command once.
 *
 * Each at several budgets, so the rows show how the figure grows with the number of schedules. The
 * warm contenders stay alive together and run turn about, REPEATS times per budget, and the rows read
 * the medians: a change in the machine's load then falls on all of them, not on whichever ran in
 * that minute. The ceiling is read twice (LOOPS): the issue's plain allocating loop, and a loop that
 * makes a schedule's garbage, against which the pool is read like with like.
 * Beside the wall clock, where the CPU went (Linux, from /proc): the calling thread, the pool's
 * threads, V8's helper threads (the platform pool every isolate shares: optimizing compilation,
 * parallel and concurrent GC). CPU seconds move less with the machine's load than the wall clock
 * (cache misses and preemption still change them, so compare them within one run only).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createExplorationPool, type ExplorationPool } from '../src/node.js';
import { explore } from '../src/explore/explore.js';
import { findScenario } from '../src/scenarios/index.js';
import type { Row } from './harness.js';

const RACE = 'race-free-before-callback';
const ARGS = { variant: 'fixed' } as const;
/** Warm-up per thread: past the ~3,000 schedules over which V8 keeps compiling the engine (docs/exploration.md). */
const WARM_PER_THREAD = 4_000;
const WARM_BUDGETS = [1_000, 4_000, 16_000] as const;
const COLD_BUDGETS = [4_000, 16_000] as const;
const LARGE = 16_000;
/** Runs of each warm contender per budget, and of each loop, taken turn about; the rows read the median. */
const REPEATS = 3;
/** Iterations of arithmetic between two units of the loop with a schedule's garbage (see LOOPS). */
const LOOP_SPIN = 100_000;

const TASKS = '/proc/self/task';
const linux = existsSync(TASKS);

/** Nanoseconds on the CPU of each thread of this process, by thread id (Linux: schedstat's first field). */
function threadTimes(): Map<string, number> {
  const times = new Map<string, number>();
  if (!linux) return times;
  for (const tid of readdirSync(TASKS)) {
    try {
      times.set(tid, Number(readFileSync(`${TASKS}/${tid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return times;
}

/** CPU seconds of one warm exploration: the calling thread, the pool's threads, V8's helpers. */
interface CpuSplit {
  readonly calling: number;
  readonly pool: number;
  readonly helpers: number;
}

const total = (c: CpuSplit): number => c.calling + c.pool + c.helpers;
const split = (c: CpuSplit): string => `calling ${c.calling.toFixed(1)} + pool ${c.pool.toFixed(1)} + V8 helpers ${c.helpers.toFixed(1)} s`;

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

function checkAll(r: { readonly schedules: number }, schedules: number): void {
  if (r.schedules !== schedules) throw new Error(`bench: the fixed free race stopped after ${r.schedules} of ${schedules} schedules`);
}

/**
 * One timed exploration, with the CPU of each kind of thread: the calling thread, the pool's threads
 * (the ones that did not exist before it was made: its workers and, under tsx, their loader
 * threads) and V8's helper threads (`helperThreads`).
 */
async function timed(work: () => Promise<{ readonly schedules: number }>, schedules: number, poolThreads: ReadonlySet<string>, helperThreads: ReadonlySet<string>): Promise<{ wall: number; cpu: CpuSplit }> {
  const before = threadTimes();
  const start = process.hrtime.bigint();
  checkAll(await work(), schedules);
  const wall = seconds(start);
  const after = threadTimes();
  const self = String(process.pid);
  let calling = 0;
  let pool = 0;
  let helpers = 0;
  for (const [tid, ns] of after) {
    const spent = (ns - (before.get(tid) ?? 0)) / 1e9;
    if (tid === self) calling += spent;
    else if (poolThreads.has(tid)) pool += spent;
    else if (helperThreads.has(tid)) helpers += spent;
  }
  return { wall, cpu: { calling, pool, helpers } };
}

interface Warm {
  /** Median seconds per budget. */
  readonly wall: Map<number, number>;
  /** Seconds of each repetition per budget, in the order they ran. */
  readonly runs: Map<number, number[]>;
  /** CPU of the LARGE explorations, per exploration (the mean of the repetitions). */
  readonly cpu: CpuSplit;
}

const options = (schedules: number) => ({ strategy: 'random' as const, schedules, args: ARGS });

/** One contender of the warm comparison: how to run an exploration and which threads are its own. */
interface Contender {
  readonly explore: (n: number) => Promise<{ readonly schedules: number }>;
  readonly threads: ReadonlySet<string>;
  readonly close: () => Promise<void>;
}

/** An exploration pool, warmed up (WARM_PER_THREAD schedules per worker); its threads are the ones it added. */
async function warmPool(workers: number): Promise<Contender> {
  const existing = threadTimes();
  const pool: ExplorationPool = createExplorationPool({ workers });
  checkAll(await pool.explore(RACE, options(WARM_PER_THREAD * workers)), WARM_PER_THREAD * workers);
  const threads = new Set([...threadTimes().keys()].filter((tid) => !existing.has(tid)));
  return { explore: (n) => pool.explore(RACE, options(n)), threads, close: () => pool.close() };
}

function warmCallingThread(): Contender {
  const scenario = findScenario(RACE);
  checkAll(explore(scenario, options(WARM_PER_THREAD)), WARM_PER_THREAD);
  return { explore: (n) => Promise.resolve(explore(scenario, options(n))), threads: new Set(), close: () => Promise.resolve() };
}

/**
 * The warm contenders, all alive at once and measured turn about — the calling thread, a pool of 1,
 * a pool of 2 — REPEATS times per budget, so that a change in the machine's load falls on all three
 * rather than on whichever ran in that minute. Helpers are the threads that existed before any pool
 * (V8's platform threads), but for the calling thread; an idle pool's threads count for neither.
 */
async function warmRuns(): Promise<{ calling: Warm; pool1: Warm; pool2: Warm }> {
  const before = threadTimes();
  const contenders = [warmCallingThread(), await warmPool(1), await warmPool(2)];
  const helpers = new Set([...before.keys()].filter((tid) => tid !== String(process.pid)));
  try {
    const results = contenders.map(() => ({ wall: new Map<number, number>(), runs: new Map<number, number[]>(), cpu: { calling: 0, pool: 0, helpers: 0 } }));
    for (const n of WARM_BUDGETS) {
      for (let r = 0; r < REPEATS; r++) {
        for (const [c, contender] of contenders.entries()) {
          const t = await timed(() => contender.explore(n), n, contender.threads, helpers);
          const into = results[c]!;
          into.runs.set(n, [...(into.runs.get(n) ?? []), t.wall]);
          if (n === LARGE) into.cpu = { calling: into.cpu.calling + t.cpu.calling / REPEATS, pool: into.cpu.pool + t.cpu.pool / REPEATS, helpers: into.cpu.helpers + t.cpu.helpers / REPEATS };
        }
      }
      for (const into of results) into.wall.set(n, median(into.runs.get(n)!));
    }
    const [calling, pool1, pool2] = results as [Warm, Warm, Warm];
    return { calling, pool1, pool2 };
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

/**
 * Allocating loops, one unit of work at a time: `n` units on one thread against `n` on each of two,
 * in worker threads started once and warmed up first, as the pool's are (a fresh worker per run
 * would charge the isolate's start-up to the loop).
 *
 * - plain: small objects that die young (~0.5% of its bytes survive a scavenge). Measured on the
 *   2-vCPU CI box at 1.06–1.9x (a non-allocating loop scales 2.0x): young-generation GC, memory
 *   traffic and the machine's other load set it. It is the ceiling.
 * - with a schedule's garbage: per unit ~120 kB of small objects of which ~0.5% outlive two
 *   scavenges (a ring of the last 200 units' survivors), so they are copied, promoted and die in
 *   the old generation — what the smallest race's schedules do since simulations die young
 *   (787deaf, ec7e3e1; `--trace-gc-nvp` over 12,000 warm schedules: 135 kB allocated and 1.2 kB
 *   promoted per schedule; this loop: 122 and 0.5 kB; until then 156 and 44 kB, ~30% of one
 *   thread's CPU on V8's helper threads). The spin between units stands for a schedule's work that
 *   allocates nothing, so that a unit costs about a schedule's CPU (~0.15 ms) and the loop allocates
 *   at a schedule's rate. Like with like for the pool's rows: whatever of the plain ceiling this
 *   loop does not reach either is the cost of that allocation profile, not of the pool. Re-measure
 *   these figures when a schedule's garbage changes.
 */
const LOOPS = {
  plain: { units: 1, code: `
    let kept = [], sum = 0;
    const unit = () => {
      for (let i = 0; i < 3e7; i++) {
        const o = { a: i, b: [i, i + 1] };
        sum += o.b[1];
        if (i % 100 === 0) kept.push(o);
        if (kept.length > 1000) kept = [];
      }
    };` },
  garbage: { units: 10_000, code: `
    const ring = new Array(200).fill(null);
    let sum = 0, s = 0;
    const unit = () => {
      let prev = null, kept = null;
      for (let j = 0; j < 950; j++) {
        const o = { id: j, s, prev, data: [j, s, j + s] };
        prev = j % 8 === 0 ? null : o;
        sum += o.data[2] & 7;
        if (j % 300 === 0) kept = { id: o.id, data: o.data, kept };
      }
      let x = s;
      for (let k = 0; k < ${LOOP_SPIN}; k++) x = (Math.imul(x, 1103515245) + 12345) | 0;
      sum += x & 1;
      ring[s++ % 200] = kept;
    };` },
} as const;

type LoopKind = keyof typeof LOOPS;

/** A loop's threads, started and warmed up; `run(n)` times `n` units on each, with its CPU split. */
async function loopThreads(kind: LoopKind, threads: number, helpers: ReadonlySet<string>): Promise<{ run(units: number): Promise<{ wall: number; cpu: CpuSplit }>; close(): Promise<void> }> {
  const code = `
    const { parentPort } = require('node:worker_threads');
    ${LOOPS[kind].code}
    parentPort.on('message', (n) => { for (let i = 0; i < n; i++) unit(); parentPort.postMessage(sum); });`;
  const existing = threadTimes();
  const workers = Array.from({ length: threads }, () => new Worker(code, { eval: true }));
  const round = (n: number) => Promise.all(workers.map((w) => new Promise((resolve) => { w.once('message', resolve); w.postMessage(n); })));
  await round(LOOPS[kind].units); // warm-up: compiled, heap grown
  const own = new Set([...threadTimes().keys()].filter((tid) => !existing.has(tid)));
  return {
    run: (n) => timed(async () => (await round(n), { schedules: n }), n, own, helpers),
    close: async () => void (await Promise.all(workers.map((w) => w.terminate()))),
  };
}

/** Median of three: the rows read the middle of repetitions taken turn about, not one lucky or unlucky run. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * A loop's two-thread scaling (2 x one thread's time over two threads' time for the same units
 * each), median of REPEATS runs taken turn about, and the share of one thread's CPU that V8's
 * helper threads took.
 */
async function loopScaling(kind: LoopKind): Promise<{ scaling: number; runs: string; helperShare: number }> {
  const helpers = new Set([...threadTimes().keys()].filter((tid) => tid !== String(process.pid)));
  const one = await loopThreads(kind, 1, helpers);
  const two = await loopThreads(kind, 2, helpers);
  try {
    const ratios: number[] = [];
    let ownCpu = 0;
    let helperCpu = 0;
    for (let r = 0; r < REPEATS; r++) {
      const t1 = await one.run(LOOPS[kind].units);
      const t2 = await two.run(LOOPS[kind].units);
      ratios.push((2 * t1.wall) / t2.wall);
      ownCpu += t1.cpu.pool;
      helperCpu += t1.cpu.helpers;
    }
    return { scaling: median(ratios), runs: ratios.map((x) => x.toFixed(2)).join(', '), helperShare: helperCpu / (ownCpu + helperCpu) };
  } finally {
    await one.close();
    await two.close();
  }
}

const count = (n: number): string => n.toLocaleString('en-US');
const pct = (x: number): string => `${Math.round(100 * x)}%`;

export async function exploreWorkerFigures(): Promise<Row[]> {
  const { calling, pool1, pool2 } = await warmRuns();
  const cold = new Map<string, { wall: number; cpu: number }>();
  for (const n of COLD_BUDGETS) for (const w of [1, 2]) cold.set(`${w}/${n}`, coldCli(w, n));
  const plain = await loopScaling('plain');
  const garbage = await loopScaling('garbage');
  const ceiling = plain.scaling;
  const load = `load average ${loadavg()[0]!.toFixed(1)}`;

  // One warm thread: the better of the calling thread and a pool of one, so the pool of two is
  // read against the fastest single thread this run saw, not a slow one.
  const one = (n: number): { rate: number; which: string } => {
    const a = n / calling.wall.get(n)!;
    const b = n / pool1.wall.get(n)!;
    return a >= b ? { rate: a, which: 'explore() on the calling thread' } : { rate: b, which: 'a warm pool of 1' };
  };
  const n2 = (n: number): number => n / pool2.wall.get(n)!;
  const rows: Row[] = [];
  const runsOf = (w: Warm, n: number): string => w.runs.get(n)!.map((t) => Math.round(n / t)).join(', ');
  for (const n of WARM_BUDGETS) {
    const single = one(n);
    const two = n / pool2.wall.get(n)!;
    const speedUp = two / single.rate;
    rows.push({
      name: `explore, warm pool of 2 workers: speed-up over one warm thread (${count(n)})`,
      value: speedUp,
      unit: 'x',
      baseline: { name: 'allocating JS loop, 2 threads over 1', value: ceiling },
      ratio: speedUp / ceiling,
      ...(n === LARGE ? { target: 0.9 } : {}),
      note: `medians of ${REPEATS} runs turn about: pool of 2 ${Math.round(two)}/s (${runsOf(pool2, n)}); one thread ${Math.round(single.rate)}/s (${single.which}; the calling thread ${runsOf(calling, n)}/s, a pool of 1 ${runsOf(pool1, n)}/s); all warm; ${load}`,
    });
  }
  rows.push(
    {
      name: 'allocating JS loop, plain: 2 threads over 1',
      value: plain.scaling,
      unit: 'x',
      note: `the issue's ceiling; median of ${plain.runs}; V8 helpers ${pct(plain.helperShare)} of one thread's CPU; ${load}`,
    },
    {
      name: "allocating JS loop with a schedule's garbage: 2 threads over 1",
      value: garbage.scaling,
      unit: 'x',
      baseline: { name: 'plain loop', value: plain.scaling },
      ratio: garbage.scaling / plain.scaling,
      note: `~120 kB a unit, ~0.5% promoted, ~0.15 ms of CPU, as a schedule of the smallest race; median of ${garbage.runs}; V8 helpers ${pct(garbage.helperShare)} of one thread's CPU (a pool of 1: ${pct(pool1.cpu.helpers / total(pool1.cpu))}); what the ceiling is for that garbage`,
    },
    {
      name: `explore, warm pool of 2 workers: speed-up over the loop with a schedule's garbage (${count(LARGE)})`,
      value: n2(LARGE) / one(LARGE).rate,
      unit: 'x',
      baseline: { name: "allocating JS loop with a schedule's garbage, 2 threads over 1", value: garbage.scaling },
      ratio: n2(LARGE) / one(LARGE).rate / garbage.scaling,
      note: 'like with like: whatever of the plain ceiling this loop misses too is the garbage, not the pool; no target',
    },
  );
  rows.push({
    name: `explore, warm pool of 2 workers: schedules/s (${count(LARGE)})`,
    value: LARGE / pool2.wall.get(LARGE)!,
    unit: 'schedules/s',
    baseline: { name: 'one warm thread', value: one(LARGE).rate },
    ratio: LARGE / pool2.wall.get(LARGE)! / one(LARGE).rate,
    target: 1.7,
    note: 'issue 6 target',
  });
  for (const n of COLD_BUDGETS) {
    const c1 = cold.get(`1/${n}`)!;
    const c2 = cold.get(`2/${n}`)!;
    rows.push({
      name: `fltsim explore --workers 2, cold process: speed-up over --workers 1 (${count(n)})`,
      value: c1.wall / c2.wall,
      unit: 'x',
      baseline: { name: 'allocating JS loop, 2 threads over 1', value: ceiling },
      ratio: c1.wall / c2.wall / ceiling,
      note: `each a fresh process, start-up and JIT warm-up included: --workers 1 ${c1.wall.toFixed(1)} s (${c1.cpu.toFixed(1)} CPU-s), --workers 2 ${c2.wall.toFixed(1)} s (${c2.cpu.toFixed(1)} CPU-s); ${load}`,
    });
  }
  if (linux) {
    const c1 = pool1.cpu;
    const c2 = pool2.cpu;
    // On two otherwise idle cores one thread's run takes at least its own thread's CPU time (its
    // helpers run on the other core) and two threads' run at least half their CPU time, so the
    // ratio of the two bounds the speed-up from the CPU each spent.
    const bound = Math.max(c1.pool, total(c1) / 2) / (total(c2) / 2);
    rows.push(
      {
        name: `explore, warm pool of 2: CPU seconds over a warm pool of 1 (${count(LARGE)})`,
        value: total(c2) / total(c1),
        unit: 'x',
        note: `pool of 1: ${split(c1)}; pool of 2: ${split(c2)}; the calling thread of one warm explore(): ${calling.cpu.calling.toFixed(1)} + V8 helpers ${calling.cpu.helpers.toFixed(1)} s`,
      },
      {
        name: 'explore, warm pool of 2: speed-up two idle cores allow, from CPU time',
        value: bound,
        unit: 'x',
        baseline: { name: 'allocating JS loop, 2 threads over 1', value: ceiling },
        ratio: bound / ceiling,
        note: `a pool of 1's worker ${c1.pool.toFixed(1)} s over half of a pool of 2's ${total(c2).toFixed(1)} s; CPU time, less load-dependent than the wall clock; no target`,
      },
    );
  }
  return rows;
}
