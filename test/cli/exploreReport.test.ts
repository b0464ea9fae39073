// What `fltsim explore`'s report says of an exhaustive search (docs/exploration.md, "Independence"):
// whether it covered its bounded space or spent its budget first (no violation then proves nothing
// about the rest), and when partial-order reduction had nothing to work with: a scenario that does
// not declare its shared state (`sharedState: 'cells'`) makes every step dependent on every other,
// so DPOR explores what the plain search explores. A merge of shards prints the same lines.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fltsimInProcess } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'fltsim-report-'));
const INERT = /^# partial-order reduction \(dpor\) skipped nothing: random-io does not declare its shared state \(sharedState: 'cells'\)/m;

describe('fltsim explore --strategy exhaustive: what the report says of the search', () => {
  it('a scenario that declares its shared state, searched to the end: the bounded space exhausted, no reduction note', async () => {
    const r = await fltsimInProcess('explore', 'race-free-before-callback', '--strategy', 'exhaustive', '--arg', 'variant=fixed');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^# explored race-free-before-callback with exhaustive: \d+ schedule\(s\), the bounded space exhausted\n/);
    expect(r.stdout).not.toContain('partial-order reduction');
  });

  it('a budget spent first: said on the first line, so "no violation found" is read as a partial search', async () => {
    const r = await fltsimInProcess('explore', 'random-io', '--strategy', 'exhaustive', '--schedules', '3');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('# explored random-io with exhaustive: 3 schedule(s), the budget spent before the bounded space was exhausted (--schedules, --max-runs)');
    expect(r.stdout).toMatch(INERT);
    expect(r.stdout).toContain('# no violation found');
  });

  it('the reduction note names the mode asked for, and none is printed for --reduction none or for random and PCT', async () => {
    const stateful = await fltsimInProcess('explore', 'random-io', '--strategy', 'exhaustive', '--schedules', '2', '--reduction', 'stateful-dpor');
    expect(stateful.stdout).toMatch(/^# partial-order reduction \(stateful-dpor\) skipped nothing: random-io/m);
    const none = await fltsimInProcess('explore', 'random-io', '--strategy', 'exhaustive', '--schedules', '2', '--reduction', 'none');
    expect(none.stdout).not.toContain('partial-order reduction');
    const random = await fltsimInProcess('explore', 'random-io', '--schedules', '2');
    expect(random.stdout).not.toContain('partial-order reduction');
  });

  it('a merge of two shards prints what the single run prints, the reduction note among them', async () => {
    const plan = ['random-io', '--strategy', 'exhaustive', '--schedules', '4', '--split-depth', '1', '--reduction', 'sleep-sets'];
    const single = await fltsimInProcess('explore', ...plan);
    const files = [1, 2].map((k) => join(dir, `inert-${k}.json`));
    for (const [i, out] of files.entries()) expect((await fltsimInProcess('explore', ...plan, '--shard', `${i + 1}/2`, '--out', out)).status).toBe(0);
    const merged = await fltsimInProcess('merge', ...files);
    expect(merged).toEqual(single);
    expect(single.stdout).toMatch(/^# partial-order reduction \(sleep-sets\) skipped nothing/m);
  });
});
