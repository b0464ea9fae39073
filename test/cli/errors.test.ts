// The CLI's exit-code table (src/cli/exitCodes.ts, docs/cli.md): each error class is one line on
// stderr naming what went wrong, its exit code, and no stack. In process (inProcess.ts), as the bin
// prints it; the installed package spawns the classes only a process shows (test/package/cli.ts),
// and a changed scenario module is test/cli/moduleDigest.test.ts.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fltsimInProcess as fltsim } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'fltsim-errors-'));

describe('fltsim error classes: one line, its exit code, no stack', () => {
  it('usage (2), a missing input (3), an output that cannot be written (5), a module whose own code throws (3)', async () => {
    const throws = join(dir, 'throws.ts');
    writeFileSync(throws, "export const scenario = { id: 'throws', description: 'a build that throws', build() { throw new RangeError('no such disk'); } };\n");
    const missing = join(dir, 'missing');
    const cases: [string[], number, RegExp][] = [
      [['run', 'demo', '--bogus'], 2, /^fltsim run: unknown option '--bogus'/],
      [['run', 'demo', '--seed', '99999999999999999999'], 2, /^fltsim run: --seed must be an integer/],
      [['run', 'no-such-scenario'], 2, /^fltsim run: \[UNKNOWN_SCENARIO\]/],
      [['replay', `${missing}.ndjson`], 3, /^fltsim replay: cannot read trace file \S+missing\.ndjson: no such file \(ENOENT\)$/],
      [['run', `${missing}.ts`], 3, /^fltsim run: scenario module \S+missing\.ts: no such file or directory$/],
      [['run', 'demo', '--trace', '/dev/full'], 5, /^fltsim run: cannot write \/dev\/full: no space left on the device \(ENOSPC\)$/],
      // The scenario module's own code throwing is that input's fault (3), not fltsim's (70).
      [['run', throws], 3, /^fltsim run: the scenario module's code threw RangeError: no such disk \(at \S+throws\.ts:1:\d+\)$/],
    ];
    for (const [args, code, line] of cases) {
      const r = await fltsim(...args);
      expect([r.status, r.stderr.split('\n').length], args.join(' ')).toEqual([code, 2]);
      expect(r.stderr.trimEnd(), args.join(' ')).toMatch(line);
    }
  });

  it('a damaged trace (3), a trace that does not reproduce (4), a violation found (1)', async () => {
    const trace = join(dir, 'before.ndjson');
    expect((await fltsim('run', 'io-soak', '--arg', 'iterations=2', '--trace', trace)).status).toBe(0);
    const text = readFileSync(trace, 'utf8');
    writeFileSync(join(dir, 'damaged.ndjson'), text.slice(0, -3));
    expect(await fltsim('replay', join(dir, 'damaged.ndjson'))).toMatchObject({ status: 3, stderr: expect.stringMatching(/^fltsim replay: \S+damaged\.ndjson: trace file line \d+: truncated[^\n]*\n$/) });
    // The budgets of docs/security.md through the command line: over one is an input that cannot be used (3), naming the flag.
    expect(await fltsim('replay', trace, '--max-facts', '5')).toMatchObject({ status: 3, stderr: expect.stringMatching(/^fltsim replay: \S+before\.ndjson: trace file line 1: the header announces \d+ facts, more than the budget of 5 \(raise it with --max-facts\)\n$/) });
    expect(await fltsim('replay', trace, '--max-steps', '1')).toMatchObject({ status: 3, stderr: expect.stringMatching(/^fltsim replay: [^\n]*over the steps budget of 1: [^\n]*\(raise it with --max-steps\)\n$/) });
    const [first, ...rest] = text.split('\n');
    const header = JSON.parse(first!);
    writeFileSync(join(dir, 'reseeded.ndjson'), [JSON.stringify({ ...header, seed: 2, options: { ...header.options, seed: 2 } }), ...rest].join('\n'));
    expect(await fltsim('replay', join(dir, 'reseeded.ndjson'))).toMatchObject({ status: 4, stderr: expect.stringMatching(/^fltsim replay: replay differs: replay diverged at seq 0[^\n]*\n$/) });
    const found = await fltsim('explore', 'race-cancel-completion', '--schedules', '200');
    expect([found.status, found.stderr]).toEqual([1, '']);
    expect(found.stdout).toContain('# VIOLATION (verifier) ');
  });
});
