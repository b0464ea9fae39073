// `npm test` type-checks the repository (scripts/typecheck.mjs: TypeScript 7 on the root project and
// the viewer's) as one of its test files, beside the others rather than before them: the check is two
// single-threaded processes for ~15 s, and before vitest started it left a core idle for part of that
// time while vitest's first seconds, spent importing the sources into its two forks, use less than two
// cores (issue 15 item 6: the whole of `npm test` under 90 s on two quiet cores). A type error fails this
// test, so `npm test` fails and counts it in its closing `N passed, N failed` line; the checker's
// output is the failure's message. test/support/longFirstSequencer.ts hands this file out first.
// `npm run typecheck` runs the same script on its own.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

it('the sources, tests, scripts and the viewer type-check (scripts/typecheck.mjs)', async () => {
  const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'typecheck.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', (error) => resolve({ code: null, output: error.message }));
    child.on('close', (code) => resolve({ code, output: Buffer.concat(output).toString('utf8') }));
  });
  expect(result).toEqual({ code: 0, output: '' });
});
