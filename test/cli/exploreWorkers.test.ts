// `fltsim explore --workers N` and the progress line (issue 6, items 3 and 4). The workers split the
// schedule indices of one plan, so the printed report — schedules run, coverage, the failing seed,
// the shrunk trace — must be byte-for-byte what one thread prints. The runs on worker threads are
// spawned as a user runs them, because worker threads need the real bin (the compiled CLI, or tsx in
// each worker from fresh sources); the one-thread run they are compared with calls the CLI's main in
// process, which prints the same bytes and costs no process.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exploreCommand } from '../../src/cli/exploreCommand.js';
import { main } from '../../src/cli/main.js';
import { exploreWorkerLoop, sharedCells, type ExploreWorkerMessage, type ScheduleReport } from '../../src/cli/exploreWorker.js';
import { ProgressLine } from '../../src/cli/progressLine.js';
import { budget, DEEP } from '../support/deep.js';
import { fltsimInProcess } from './inProcess.js';

/** The report with the header's "on N worker threads" taken out, which is the only line that may differ. */
function sameAsOneThread(stdout: string, threads: number): string {
  const marker = ` on ${threads} worker threads:`;
  expect(stdout.split('\n')[0]).toContain(marker);
  return stdout.replace(marker, ':');
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function fltsim(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'fltsim.mjs'), ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function capture(): { io: { out(l: string): void; err(l: string): void; progress(l: string): void }; out: string[]; err: string[]; progress: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  return { io: { out: (l) => out.push(l), err: (l) => err.push(l), progress: (l) => progress.push(l) }, out, err, progress };
}

describe('fltsim explore --workers', async () => {
  it('finds the same first failing schedule as one thread, with the same coverage and shrunk trace', async () => {
    const args = ['explore', 'race-cancel-completion', '--strategy', 'random', '--seed', '4', '--arg', 'variant=buggy'];
    const one = await fltsimInProcess(...args);
    const two = fltsim(...args, '--workers', '2');
    expect(one.status).toBe(1);
    expect(two.status).toBe(1);
    expect(sameAsOneThread(two.stdout, 2)).toBe(one.stdout);
    expect(one.stdout).toContain('# VIOLATION (verifier) COMPLETE_NOT_PENDED');
    // Seed 4 fails first at schedule 7 (seed 10): the lower indices all had to be run to know it.
    expect(one.stdout).toContain('# explored race-cancel-completion with random: 7 schedule(s)');
  });

  // PCT on worker threads against one thread is npm test's in test/cli/explorationPool.test.ts (the
  // same worker loop and report collection, on a pool); the CLI's own run of it, a process with
  // three threads (~1.4 CPU-s), is the deep run's.
  it.runIf(DEEP)('a fixed filter under PCT: every schedule in the budget, the same coverage, the same PCT bound', async () => {
    const schedules = budget(20, 600);
    const args = ['explore', 'race-cancel-completion', '--strategy', 'pct', '--schedules', String(schedules), '--arg', 'variant=fixed'];
    const one = await fltsimInProcess(...args);
    const three = fltsim(...args, '--workers', '3');
    expect(one.status).toBe(0);
    expect(three.status).toBe(0);
    expect(sameAsOneThread(three.stdout, 3)).toBe(one.stdout);
    expect(one.stdout).toContain(`${schedules} schedule(s)`);
    expect(one.stdout).toContain('# no violation found');
  });

  it('workers take indices in chunks from a shared counter and stop at the first index past the lowest failure found', async () => {
    const budget = 40;
    const shared = sharedCells(budget);
    const run = (worker: number): ScheduleReport[] => {
      const reports: ScheduleReport[] = [];
      const post = (m: ExploreWorkerMessage) => void (m.kind === 'batch' && reports.push(...m.reports));
      exploreWorkerLoop({ kind: 'fltsim-explore', scenarioId: 'race-cancel-completion', options: { strategy: 'random', seed: 4, schedules: budget, args: { variant: 'buggy' } }, worker, shared, chunk: 3 }, post);
      return reports;
    };
    // Seed 4 first fails at index 6 (test above): worker 0, alone, takes 0–2, 3–5, 6–8 and stops at 6.
    const zero = run(0);
    expect(zero.map((r) => r[0])).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(zero.map((r) => r[1])).toEqual([0, 0, 0, 0, 0, 0, 1]);
    expect(new Int32Array(shared)[0]).toBe(6);
    // Worker 1 then gets 9–11, past the failure: it runs nothing.
    expect(run(1)).toEqual([]);
  });

  it('rejects a worker count outside 1..64 with exit 2 and says which flag', async () => {
    const c = capture();
    expect(await main(['explore', 'race-unload-async-read', '--workers', '0'], c.io)).toBe(2);
    expect(c.err).toEqual(["fltsim explore: --workers must be an integer from 1 to 64, got '0'"]);
  });

  // A process of its own with two cold workers, ~3 CPU-s: in test:deep. npm test checks the same
  // split in process (test/cli/explorationPool.test.ts, exhaustive search on a pool of 2).
  it.runIf(DEEP)('exhaustive search: the subtrees of --split-depth dealt out to the workers, the report of one thread', async () => {
    // The fixed filter: every subtree is searched to its end, so both workers have their share.
    const args = ['explore', 'race-free-before-callback', '--strategy', 'exhaustive', '--split-depth', '2', '--arg', 'variant=fixed'];
    const one = await fltsimInProcess(...args);
    const two = fltsim(...args, '--workers', '2');
    expect(one.status).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    expect(sameAsOneThread(two.stdout, 2)).toBe(one.stdout);
    expect(one.stdout).toContain('# explored race-free-before-callback with exhaustive: 8 schedule(s), the bounded space exhausted');
  });
});

describe('the progress line', async () => {
  it('is drawn through io.progress during a single-thread exploration and cleared before the report', async () => {
    // The line is drawn for the first schedule and the last whatever the interval (the test below):
    // 30 schedules show both (~0.2 CPU-s; 300 cost ~2), 300 in test:deep.
    const schedules = budget(30, 300);
    const c = capture();
    const code = await exploreCommand.run(['race-free-before-callback', '--schedules', String(schedules), '--arg', 'variant=fixed'], c.io);
    expect(code).toBe(0);
    expect(c.progress.length).toBeGreaterThanOrEqual(2);
    expect(c.progress.at(-2)).toMatch(new RegExp(`^explored ${schedules}/${schedules} schedules, [\\d,]+/s, 0 violations$`));
    expect(c.progress.at(-1)).toBe('');
    expect(c.out.join('\n')).not.toContain(`explored ${schedules}/${schedules}`);
  });

  it('redraws at most once per interval, always draws the last schedule, and reports the rate', async () => {
    let now = 0;
    const lines: string[] = [];
    const line = new ProgressLine((l) => lines.push(l), () => now, 100);
    line.update(1, 2000);
    now = 50;
    line.update(500, 2000); // within 100 ms of the last draw: skipped
    now = 1000;
    line.update(1500, 2000);
    now = 1200;
    line.update(1800, 2000, 1); // a new violation is drawn at once
    line.update(2000, 2000, 1); // and so is the last schedule, whatever the interval
    line.end();
    expect(lines).toEqual([
      'explored 1/2,000 schedules, 0/s, 0 violations',
      'explored 1,500/2,000 schedules, 1,500/s, 0 violations',
      'explored 1,800/2,000 schedules, 1,500/s, 1 violation',
      'explored 2,000/2,000 schedules, 1,667/s, 1 violation',
      '',
    ]);
  });
});
