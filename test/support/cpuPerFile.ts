/**
 * What each test file costs in CPU-seconds, for keeping `npm test` under its budget on a machine
 * shared with other work (CPU time does not depend on the load; wall time does). Only with
 * FLTSIM_TEST_CPU=<file> set: the setup file then appends one JSON line per test file —
 * `{ file, pid, cpu, wall }` — to <file>. `cpu` is the fork's user + system time from the file's
 * setup to its last hook, including its child processes once they have exited (npm, the bin,
 * Chromium) and its worker threads; the import of the sources the fork has not loaded yet counts
 * to the file that imports them first. The vitest main process (transforms, reporters) is not in
 * any file: `/usr/bin/time` around the run gives the total. Linux only (/proc/self/stat).
 *   FLTSIM_TEST_CPU=out/cpu.jsonl npx vitest run
 *   node scripts/testCost.mjs out/cpu.jsonl        (the total, per fork, the 20 costliest files)
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { afterAll, expect } from 'vitest';

const target = process.env.FLTSIM_TEST_CPU;

/** utime + stime + cutime + cstime of this process, in seconds (fields 14–17 of /proc/self/stat, in clock ticks of 1/100 s). */
function cpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
}

if (target !== undefined && target !== '') {
  const startCpu = cpuSeconds();
  const startWall = performance.now();
  afterAll(() => {
    const file = expect.getState().testPath ?? '(unknown)';
    const line = { file, pid: process.pid, cpu: Number((cpuSeconds() - startCpu).toFixed(2)), wall: Number(((performance.now() - startWall) / 1000).toFixed(2)) };
    appendFileSync(target, JSON.stringify(line) + '\n');
  });
}
