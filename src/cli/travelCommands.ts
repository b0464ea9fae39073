/**
 * `fltsim run`, `replay` and `export`: the time-travel commands. File I/O lives here, in the CLI,
 * so the core stays browser-safe. Each command parses its own flags; a wrong argument is one line
 * on stderr and exit code 2, a trace that cannot be loaded or replayed is one line and exit 1.
 */
import { readFileSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FltSimError } from '../kernel/errors.js';
import { isScenario, scenarioById, scenarios, type Scenario } from '../scenarios/index.js';
import { readTraceFile, recordingOf, traceFileChunks, type TraceFile } from '../tracefile/index.js';
import { formatStacks } from '../trace/stackView.js';
import { formatTrace } from '../trace/textFormat.js';
import { toChromeTrace } from '../trace/perfetto.js';
import { toMermaid } from '../trace/mermaid.js';
import { replayChecked, startRun } from '../travel/recording.js';
import type { CliIo } from './main.js';

export const RUN_HELP = `fltsim run <scenario> [--seed N] [--strategy in-order|random] [--arg key=value]... [--trace out.ndjson]
  Run a scenario (a registered id, or a path to a module exporting one) to the end and print how
  it ended; --trace writes the NDJSON trace file (docs/trace-format.md). Scenarios: ${scenarios.map((s) => s.id).join(', ')}.`;
export const REPLAY_HELP = `fltsim replay <trace.ndjson> [--at N]
  Load a trace file, re-run it and check that it reproduces the same log (the first differing fact
  is reported otherwise); with --at N, print the state of every object after N facts.`;
export const EXPORT_HELP = `fltsim export <trace.ndjson> --format perfetto|mermaid|text [--out FILE]
  Convert a trace file: Chrome trace-event JSON (open it in ui.perfetto.dev), a Mermaid sequence
  diagram, or the one-line-per-event text format. Writes to stdout unless --out is given.`;

export class ArgError extends Error {}

export interface Parsed {
  readonly positional: string[];
  readonly flags: Map<string, string[]>;
}

export function parse(command: string, args: readonly string[], known: Readonly<Record<string, 'value' | 'repeat'>>): Parsed | 'help' {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--help' || a === '-h') return 'help';
    if (a.startsWith('--')) {
      const kind = known[a];
      if (kind === undefined) throw new ArgError(`fltsim ${command}: unknown argument '${a}' (try fltsim ${command} --help)`);
      const v = args[++i];
      if (v === undefined) throw new ArgError(`fltsim ${command}: ${a} needs a value`);
      if (kind === 'value' && flags.has(a)) throw new ArgError(`fltsim ${command}: ${a} given twice`);
      flags.set(a, [...(flags.get(a) ?? []), v]);
    } else positional.push(a);
  }
  return { positional, flags };
}

export function one(p: Parsed, command: string, what: string): string {
  if (p.positional.length !== 1) throw new ArgError(`fltsim ${command}: needs exactly one ${what}, got ${p.positional.length === 0 ? 'none' : p.positional.join(' ')}`);
  return p.positional[0]!;
}

export function integer(p: Parsed, command: string, flag: string): number | undefined {
  const v = p.flags.get(flag)?.[0];
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new ArgError(`fltsim ${command}: ${flag} needs an integer, got '${v}'`);
  return Number(v);
}

/** An argument mistake is exit 2, an fltsim error or a file-system error (ENOENT, …) exit 1: one line each. */
export function report(io: CliIo, error: unknown): number {
  if (error instanceof ArgError) {
    io.err(error.message);
    return 2;
  }
  const fsError = error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('E');
  if (error instanceof FltSimError || fsError) {
    io.err(`fltsim: ${(error as Error).message}`);
    return 1;
  }
  throw error;
}

async function guarded(io: CliIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    return report(io, error);
  }
}

export function sync(io: CliIo, body: () => number): number {
  try {
    return body();
  } catch (error) {
    return report(io, error);
  }
}

/** `run` returns a promise only when the scenario is a module path (it must be imported). */
export function runCommand(args: readonly string[], io: CliIo): number | Promise<number> {
  let p: Parsed;
  let target: string;
  try {
    const parsed = parse('run', args, { '--seed': 'value', '--strategy': 'value', '--arg': 'repeat', '--trace': 'value' });
    if (parsed === 'help') return (io.out(RUN_HELP), 0);
    p = parsed;
    target = one(p, 'run', 'scenario');
  } catch (error) {
    return report(io, error);
  }
  if (/[\\/]|\.m?[jt]s$/.test(target)) {
    return guarded(io, async () => {
      const module = (await import(pathToFileURL(resolve(target)).href)) as Record<string, unknown>;
      const found = [module['default'], module['scenario'], ...Object.values(module)].find(isScenario);
      if (found === undefined) throw new ArgError(`fltsim run: ${target} exports no scenario ({ id, description, build })`);
      return runScenario(p, found, io);
    });
  }
  return sync(io, () => runScenario(p, scenarioById(target), io));
}

function runScenario(p: Parsed, scenario: Scenario, io: CliIo): number {
  const seed = integer(p, 'run', '--seed') ?? 1;
  const strategy = p.flags.get('--strategy')?.[0] ?? 'in-order';
  if (strategy !== 'in-order' && strategy !== 'random') throw new ArgError(`fltsim run: --strategy must be in-order or random, got '${strategy}'`);
  const args: Record<string, string> = {};
  for (const kv of p.flags.get('--arg') ?? []) {
    const m = /^([A-Za-z_][\w-]*)=(.*)$/.exec(kv);
    if (m === null) throw new ArgError(`fltsim run: --arg needs key=value, got '${kv}'`);
    args[m[1]!] = m[2]!;
  }
  const registry = scenarios.some((s) => s === scenario) ? scenarios : [...scenarios.filter((s) => s.id !== scenario.id), scenario];
  const sim = startRun({ scenario: scenario.id, args, options: { seed, strategy } }, registry);
  const result = sim.run();
  io.out(`# fltsim run ${scenario.id}, seed ${seed}, strategy ${strategy}: ${result.reason} after ${sim.log.length} facts, ${sim.choices.length} scheduling choices`);
  const trace = p.flags.get('--trace')?.[0];
  if (trace !== undefined) {
    const fd = openSync(trace, 'w');
    try {
      for (const chunk of traceFileChunks(sim)) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
    io.out(`# trace written to ${trace}`);
  }
  return result.reason === 'idle' ? 0 : 1;
}

function load(path: string): TraceFile {
  return readTraceFile(readFileSync(path, 'utf8'));
}

export function replayCommand(args: readonly string[], io: CliIo): number {
  return sync(io, () => {
    const p = parse('replay', args, { '--at': 'value' });
    if (p === 'help') return (io.out(REPLAY_HELP), 0);
    const file = load(one(p, 'replay', 'trace file'));
    const at = integer(p, 'replay', '--at');
    if (at !== undefined) {
      if (at < 0 || at > file.facts.length) throw new ArgError(`fltsim replay: --at must be from 0 to ${file.facts.length}, got ${at}`);
      const state = file.timeline.stateAt(at);
      io.out(`# state after ${at} facts (t=${state.time})${at > 0 ? `; last fact: ${formatTrace(file.facts.slice(0, at)).at(-1)}` : ''}`);
      for (const line of formatStacks(state)) io.out(line);
      io.out(JSON.stringify(state, null, 2));
      return 0;
    }
    const scenarioList = scenarios;
    replayChecked(recordingOf(file.header), file.facts, scenarioList);
    io.out(`# replayed ${file.header.scenario.id} seed ${file.header.seed}: ${file.facts.length} facts, identical`);
    return 0;
  });
}

export function exportCommand(args: readonly string[], io: CliIo): number {
  return sync(io, () => {
    const p = parse('export', args, { '--format': 'value', '--out': 'value' });
    if (p === 'help') return (io.out(EXPORT_HELP), 0);
    const path = one(p, 'export', 'trace file');
    const format = p.flags.get('--format')?.[0];
    if (format !== 'perfetto' && format !== 'mermaid' && format !== 'text') {
      throw new ArgError(`fltsim export: --format must be perfetto, mermaid or text, got ${format === undefined ? 'nothing' : `'${format}'`}`);
    }
    const file = load(path);
    const text =
      format === 'perfetto' ? JSON.stringify(toChromeTrace(file.facts)) + '\n' : format === 'mermaid' ? toMermaid(file.facts) : formatTrace(file.facts).join('\n') + '\n';
    const out = p.flags.get('--out')?.[0];
    if (out === undefined) io.out(text.replace(/\n$/, ''));
    else writeFileSync(out, text);
    return 0;
  });
}
