/**
 * Timing, statistics and row formatting shared by every figure group.
 *
 * A figure group is a function returning `Row`s; bench/main.ts runs the groups in order and prints
 * one table. Wall-clock time is read here and only here: bench/ is outside src/, so the tidy rule
 * "no wall-clock in the simulator" does not apply, and the simulator under test never sees it.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/** One line of the table. `ratio` is value / baseline.value, computed by `compare`. */
export interface Row {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The figure this one is measured against, measured in the same run. */
  readonly baseline?: { readonly name: string; readonly value: number };
  readonly ratio?: number;
  /** Ratio the issue asks for; the table prints PASS or MISS, the process never fails on it. */
  readonly target?: number;
  /** Spread of the timed repetitions, e.g. "min 1.2 max 1.4", or a short remark. */
  readonly note?: string;
}

export interface Sample {
  /** Seconds per repetition, in the order they ran. */
  readonly seconds: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface MeasureOptions {
  /** Untimed runs first, so the JIT has compiled the hot paths. */
  readonly warmup: number;
  readonly repetitions: number;
}

/**
 * Run `work` `warmup` times untimed, then `repetitions` times timed one by one.
 * `work` returns a value that is kept alive until the clock stops, so the optimiser cannot drop it.
 *
 * No forced GC between repetitions: tried, it made the simulation figures ~25% slower and noisier
 * (a full collection shrinks the young generation, so the next repetition scavenges more often).
 * Garbage is paid for where it falls; repetitions are made long enough to average that out.
 */
export function measure(options: MeasureOptions, work: () => unknown): Sample {
  for (let i = 0; i < options.warmup; i++) sink(work());
  const seconds: number[] = [];
  for (let i = 0; i < options.repetitions; i++) {
    const start = process.hrtime.bigint();
    const kept = work();
    const end = process.hrtime.bigint();
    sink(kept);
    seconds.push(Number(end - start) / 1e9);
  }
  return summarize(seconds);
}

/** CPU seconds of this process (every thread: the JIT's and the GC's helpers too) spent running `work`. */
function cpuSeconds(work: () => unknown): number {
  const start = process.cpuUsage();
  sink(work());
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

export interface PairedSample {
  readonly baseline: Sample;
  readonly work: Sample;
  /** Per pair, work's seconds over the baseline's: rates compare as baseline / work times the units. */
  readonly ratios: Sample;
}

/**
 * Time a baseline and a figure's work turn about, in CPU seconds, and compare each pair. A baseline
 * timed once at the start of a run and a figure timed minutes later, both in wall time, read the
 * machine's load at two moments: on a shared machine that swung a ratio by 2x between runs. Pairs
 * taken a fraction of a second apart see the same machine, and CPU time leaves out the time other
 * processes held the core.
 */
export function measurePaired(options: MeasureOptions, baseline: () => unknown, work: () => unknown): PairedSample {
  for (let i = 0; i < options.warmup; i++) {
    sink(baseline());
    sink(work());
  }
  const base: number[] = [];
  const timed: number[] = [];
  for (let i = 0; i < options.repetitions; i++) {
    base.push(cpuSeconds(baseline));
    timed.push(cpuSeconds(work));
  }
  sink(null);
  return { baseline: summarize(base), work: summarize(timed), ratios: summarize(timed.map((t, i) => t / base[i]!)) };
}

export function summarize(seconds: readonly number[]): Sample {
  if (seconds.length === 0) throw new RangeError('no samples');
  const sorted = [...seconds].sort((a, b) => a - b);
  return { seconds, median: median(sorted), min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** Median of an ascending array (mean of the middle two for an even count). */
export function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

let sunk: unknown = null;
/** Keep a result reachable so the work that produced it is not optimised away; `sink(null)` releases it. */
export function sink(value: unknown): void {
  sunk = value;
}

/** "min … max …" for a rate derived from a sample: the fastest repetition gives the max rate. */
export function rateSpread(units: number, sample: Sample): string {
  return `min ${formatNumber(units / sample.max)} max ${formatNumber(units / sample.min)}`;
}

/** Attach a baseline and the ratio value / baseline. */
export function compare(row: Row, baseline: Row): Row {
  return { ...row, baseline: { name: baseline.name, value: baseline.value }, ratio: row.value / baseline.value };
}

// ---------------------------------------------------------------- figure groups

/** What main.ts hands every figure group: the baselines of this run and a GC, if one is available. */
export interface BenchContext {
  /** A baseline row measured earlier in this run; throws if main.ts has not run it yet. */
  readonly baseline: (name: string) => Row;
  readonly gc: CollectGarbage | null;
}

/** One file per group (bench/kernel.ts, ...); main.ts lists them in order. */
/** A group may be asynchronous (worker threads); groups still run one after another. */
export type FigureGroup = (context: BenchContext) => Row[] | Promise<Row[]>;

// ---------------------------------------------------------------- memory

export type CollectGarbage = () => void;

/**
 * A full-GC function, or null. `global.gc` exists under `node --expose-gc`; otherwise the flag can
 * still be switched on at run time and the function fetched from a fresh context (a V8 feature
 * Node does not document as stable, hence the null fallback).
 */
export function garbageCollector(): { readonly gc: CollectGarbage; readonly source: string } | null {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return { gc: exposed as CollectGarbage, source: '--expose-gc' };
  try {
    v8.setFlagsFromString('--expose-gc');
    const fromContext: unknown = vm.runInNewContext('gc');
    return typeof fromContext === 'function' ? { gc: fromContext as CollectGarbage, source: 'v8.setFlagsFromString' } : null;
  } catch {
    return null;
  }
}

/** Heap in use after full collections (several, so weak references and finalizers settle). */
export function settledHeap(gc: CollectGarbage): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

// ---------------------------------------------------------------- formatting

/** 3 significant digits with k/M suffixes: 1234567 → "1.23M", 0.00123 → "0.00123". */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toPrecision(3)}G`;
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toPrecision(3)}k`;
  if (abs >= 100) return value.toFixed(0);
  return value.toPrecision(3);
}

/** Seconds as the most readable of s, ms, µs. */
export function formatSeconds(seconds: number): string {
  if (seconds >= 1) return `${seconds.toPrecision(3)} s`;
  if (seconds >= 1e-3) return `${(seconds * 1e3).toPrecision(3)} ms`;
  return `${(seconds * 1e6).toPrecision(3)} µs`;
}

export function formatRatio(ratio: number): string {
  return ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2);
}

/** PASS/MISS against a minimum ratio. */
export function verdict(row: Row): string {
  if (row.target === undefined || row.ratio === undefined) return '';
  return `${row.ratio >= row.target ? 'PASS' : 'MISS'} (target >= ${Number(row.target.toPrecision(3))})`;
}

/** A compact text table: one row per figure, columns padded to the widest cell. */
export function formatTable(rows: readonly Row[]): string {
  const header = ['figure', 'value', 'unit', 'baseline', 'ratio', 'target', 'spread / note'];
  const cells = rows.map((r) => [
    r.name,
    r.unit === 's' ? formatSeconds(r.value) : formatNumber(r.value),
    r.unit === 's' ? '' : r.unit,
    r.baseline === undefined ? '' : `${r.baseline.name} ${formatNumber(r.baseline.value)}`,
    r.ratio === undefined ? '' : formatRatio(r.ratio),
    verdict(r),
    r.note ?? '',
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, c) => (c === 1 || c === 4 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
