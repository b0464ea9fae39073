// Traces the viewer's tests open, made the way a user makes them: the CLI's own commands.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { readTraceFile, type TraceFile } from '../../src/tracefile/reader.js';

export async function fltsim(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

export interface RaceTraces {
  readonly dir: string;
  readonly failing: string;
  readonly shrunk: string;
  /** What `fltsim explore` printed: the shrunk schedule's preemptions. */
  readonly shrunkPreemptions: number;
}

/** `fltsim explore race-unload-async-read --strategy pct --trace … --trace-shrunk …` (the README's race). */
export async function exploreRace(dir: string = mkdtempSync(join(tmpdir(), 'fltsim-viewer-'))): Promise<RaceTraces> {
  const failing = join(dir, 'race.ndjson');
  const shrunk = join(dir, 'race-shrunk.ndjson');
  const r = await fltsim('explore', 'race-unload-async-read', '--strategy', 'pct', '--trace', failing, '--trace-shrunk', shrunk);
  if (r.code !== 1) throw new Error(`explore found no violation: ${r.out.join('\n')} ${r.err.join('\n')}`);
  const line = r.out.find((l) => /shrunk to \d+ preemption/.test(l));
  if (line === undefined) throw new Error('explore printed no shrunk schedule');
  return { dir, failing, shrunk, shrunkPreemptions: Number(/shrunk to (\d+) preemption/.exec(line)![1]) };
}

export function readTrace(path: string): TraceFile {
  return readTraceFile(readFileSync(path, 'utf8'));
}
