// docs/cli.md and docs/time-travel.md walk find → trace → replay → step back → why on a race (issue
// 13): every `fltsim` command in their `sh` blocks runs here, in the order shown, in one fresh folder
// where the docs' scanner module (the `ts` block of docs/cli.md) is scanner.ts; a command shown with
// `$` prints every output line shown under it (in order; `...` stands for any text), and `echo $?`
// names its exit code. Commands run in process, through the same main() the bin calls.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const root = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'fltsim-docs-'));

interface Step {
  readonly argv: readonly string[];
  readonly shown: readonly string[];
  readonly exit: number | null;
  readonly line: string;
}

/** The commands of a document's sh blocks, each with the output lines and exit code it shows. */
function walk(doc: string): Step[] {
  const steps: { argv: string[]; shown: string[]; exit: number | null; line: string; prompt: boolean }[] = [];
  for (const [, body] of doc.matchAll(/```sh\n([\s\S]*?)```/g)) {
    let current: (typeof steps)[number] | null = null;
    for (const raw of body!.split('\n')) {
      const prompt = raw.startsWith('$ ');
      const text = prompt ? raw.slice(2) : raw;
      if (text === 'echo $?') continue;
      if (text.startsWith('fltsim ')) {
        const command = text.replace(/\s+#\s.*$/, '');
        current = { argv: command.split(/\s+/).slice(1), shown: [], exit: null, line: command, prompt };
        steps.push(current);
      } else if (current !== null && current.prompt && text.trim() !== '') {
        if (/^\d+$/.test(text) && raw === text && steps.at(-1) === current) current.exit = Number(text);
        else if (text.trim() !== '...') current.shown.push(text);
      }
    }
  }
  return steps;
}

/** A shown line as a pattern: `...` is any text, a run of spaces any run of spaces. */
function pattern(line: string): RegExp {
  const parts = line.trim().split(/\.\.\.|…(?=\s|$)/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  return new RegExp(`^\\s*${parts.join('.*')}\\s*$`);
}

/** The scanner module as docs/cli.md prints it, importing this checkout's sources. */
function writeScanner(): void {
  const cli = readFileSync(join(root, 'docs', 'cli.md'), 'utf8');
  const module = /```ts\n(\/\/ scanner\.ts\n[\s\S]*?)```/.exec(cli)![1]!;
  const source = module
    .replace(/from 'fltsim\/testing'/g, `from ${JSON.stringify(join(root, 'src', 'testing', 'index.js'))}`)
    .replace(/from 'fltsim'/g, `from ${JSON.stringify(join(root, 'src', 'index.js'))}`);
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'my-filters', private: true, type: 'module' }));
  writeFileSync(join(work, 'scanner.ts'), source);
  writeFileSync(join(work, 'my-scenario.ts'), source);
}

/**
 * Run one step with file arguments in the fresh folder; its output with that folder's path taken
 * out. `--workers N` runs on one thread here: worker threads load the sources through tsx, seconds
 * each (test/cli/exploreWorkers.test.ts and the package test run modules on two workers).
 */
async function run(step: Step): Promise<{ code: number; out: string[]; err: string[] }> {
  const argv = step.argv.map((a, i) => (step.argv[i - 1] === '--workers' ? '1' : /^[\w./-]+\.(?:ndjson|json|ts)$/.test(a) ? join(work, a) : a));
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(...l.split('\n')), err: (l) => err.push(l) });
  const local = (l: string) => l.split(`${work}/`).join('');
  return { code, out: out.map(local), err: err.map(local) };
}

function expectShown(step: Step, out: readonly string[]): void {
  let at = 0;
  for (const line of step.shown) {
    const p = pattern(line);
    while (at < out.length && !p.test(out[at]!)) at++;
    expect(at, `${step.line}: prints, in order,\n${line}\n-- got --\n${out.join('\n')}`).toBeLessThan(out.length);
    at++;
  }
}

describe.each(['cli.md', 'time-travel.md'])('docs/%s: every fltsim command shown runs as shown', (name) => {
  const steps = walk(readFileSync(join(root, 'docs', name), 'utf8'));

  it(`${name}: the walk on a race and the scenario module's commands`, async () => {
    expect(steps.length).toBeGreaterThan(5);
    writeScanner();
    mkdirSync(join(work, 'r'), { recursive: true });
    for (const step of steps) {
      const r = await run(step);
      expect([r.code, r.err], step.line).toEqual([step.exit ?? r.code, []]);
      expect([0, 1], `${step.line}: exit ${r.code}`).toContain(r.code);
      expectShown(step, r.out);
    }
  });
});
