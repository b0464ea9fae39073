// `--disable-rule RULE` (ExploreOptions.disabledRules on the command line): a verifier rule that does
// not count as a schedule's violation, on one thread, on worker threads, and in a sharded plan whose
// merge must print what one run prints. race-cancel-completion's buggy variant completes a read it
// never pended (COMPLETE_NOT_PENDED, §8) first at schedule 6 of seed 4 (exploreWorkers.test.ts).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exploreWorkerLoop, sharedCells, type ExploreWorkerMessage, type ScheduleReport } from '../../src/cli/exploreWorker.js';
import { fltsimInProcess } from './inProcess.js';

const race = ['explore', 'race-cancel-completion', '--strategy', 'random', '--seed', '4', '--schedules', '8', '--arg', 'variant=buggy'];
const dir = mkdtempSync(join(tmpdir(), 'fltsim-disable-rule-'));

describe('fltsim explore --disable-rule', () => {
  it('a disabled rule is not a violation: the schedules that failed on it pass, and the budget is run out', async () => {
    const found = await fltsimInProcess(...race);
    expect(found.status).toBe(1);
    expect(found.stdout).toContain('# VIOLATION (verifier) COMPLETE_NOT_PENDED');
    const disabled = await fltsimInProcess(...race, '--disable-rule', 'COMPLETE_NOT_PENDED');
    expect(disabled.status).toBe(0);
    expect(disabled.stdout.split('\n')[0]).toBe('# explored race-cancel-completion with random: 8 schedule(s)');
    expect(disabled.stdout).toContain('# no violation found');
    // Disabling some other rule changes nothing.
    const other = await fltsimInProcess(...race, '--disable-rule', 'LOCK_ORDER_INVERSION');
    expect(other.stdout).toBe(found.stdout);
  });

  it('a worker thread honours it too (the option travels in the worker data)', () => {
    const run = (disabledRules: readonly string[]): ScheduleReport[] => {
      const reports: ScheduleReport[] = [];
      const post = (m: ExploreWorkerMessage) => void (m.kind === 'batch' && reports.push(...m.reports));
      const options = { strategy: 'random' as const, seed: 4, schedules: 8, args: { variant: 'buggy' }, disabledRules };
      exploreWorkerLoop({ kind: 'fltsim-explore', scenarioId: 'race-cancel-completion', options, worker: 0, shared: sharedCells(8), chunk: 8 }, post);
      return reports;
    };
    expect(run([]).map((r) => [r[0], r[1]])).toEqual([[0, 0], [1, 0], [2, 0], [3, 0], [4, 0], [5, 0], [6, 1]]);
    expect(run(['COMPLETE_NOT_PENDED']).map((r) => [r[0], r[1]])).toEqual([[0, 0], [1, 0], [2, 0], [3, 0], [4, 0], [5, 0], [6, 0], [7, 0]]);
  });

  it('shards carry it in their plan, and the merge prints what one run prints', async () => {
    const single = await fltsimInProcess(...race, '--disable-rule', 'COMPLETE_NOT_PENDED');
    const files = [1, 2].map((k) => join(dir, `shard-${k}.json`));
    for (const [i, out] of files.entries()) {
      const shard = await fltsimInProcess(...race, '--disable-rule', 'COMPLETE_NOT_PENDED', '--shard', `${i + 1}/2`, '--out', out);
      expect(shard.status, shard.stderr).toBe(0);
    }
    expect(JSON.parse(readFileSync(files[0]!, 'utf8')).plan.disabledRules).toEqual(['COMPLETE_NOT_PENDED']);
    const merged = await fltsimInProcess('merge', ...files);
    expect([merged.status, merged.stdout]).toEqual([single.status, single.stdout]);
    // A shard whose plan differs in its disabled rules is not part of the same plan.
    const without = join(dir, 'without.json');
    const plain = JSON.parse(readFileSync(files[1]!, 'utf8'));
    delete plain.plan.disabledRules;
    writeFileSync(without, JSON.stringify(plain));
    const mixed = await fltsimInProcess('merge', files[0]!, without);
    expect(mixed.status).toBe(3);
  });

  it('an unknown rule is a usage error (exit 2); a shard file naming one is refused (exit 3)', async () => {
    const unknown = await fltsimInProcess(...race, '--disable-rule', 'NO_SUCH_RULE');
    expect([unknown.status, unknown.stderr]).toEqual([2, "fltsim explore: --disable-rule names no verifier rule: 'NO_SUCH_RULE' (the rules are in docs/verifier.md)\n"]);
    const file = join(dir, 'shard-1.json');
    const bad = JSON.parse(readFileSync(file, 'utf8'));
    bad.plan.disabledRules = ['NO_SUCH_RULE'];
    const badFile = join(dir, 'bad.json');
    writeFileSync(badFile, JSON.stringify(bad));
    const refused = await fltsimInProcess('merge', badFile, join(dir, 'shard-2.json'));
    expect(refused.status).toBe(3);
    expect(refused.stderr).toContain('plan.disabledRules[0] names no verifier rule: NO_SUCH_RULE');
  });
});
