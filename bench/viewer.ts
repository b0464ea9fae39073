/**
 * The time-travel viewer (issue 17) on a 1,000,000-fact trace in Chromium: the io-soak run of the
 * time-travel group, written by `fltsim view` and opened from disk. First paint (navigation to the
 * first picture on screen), the whole fold behind it, and each interaction — a step by fact, a
 * scrubber jump to random positions, a click in the event list, a why-link — right after opening
 * (while the trace is indexed and folded behind) and once folded: key press, slider move or click to
 * the next frame after the re-render, timed in the page; median, p95 and max. Budgets: first paint
 * 5 s, an interaction 100 ms. The page is built first when it is older than src/ or viewer/.
 * Skipped, with a row saying so, without Debian's chromium.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildViewer, VIEWER_TEMPLATE, viewerIsStale } from '../scripts/buildViewer.js';
import { main } from '../src/cli/main.js';
import { HAS_CHROMIUM, launchChromium, measureViewer, type Spread, type ViewerTimings } from '../test/support/viewerInChromium.js';
import type { Row } from './harness.js';

const MILLION_ITERATIONS = 2300; // io-soak with 4 threads: ~1.01M facts (bench/timeTravel.ts)

/**
 * Build the viewer's page when it is missing or older than src/ or viewer/, as the tests' global
 * setup does: a stale page once reached the bench and Chromium closed it ("Target page closed").
 */
export async function freshViewerPage(): Promise<void> {
  if (!viewerIsStale()) return;
  await buildViewer();
  if (viewerIsStale()) throw new Error(`${VIEWER_TEMPLATE} is still older than src/ after building it`);
}

/** Write the viewer for io-soak with `iterations` and time it in Chromium. */
export async function viewerTimings(iterations: number, samples = 21): Promise<ViewerTimings> {
  await freshViewerPage();
  const work = mkdtempSync(join(tmpdir(), 'fltsim-viewer-bench-'));
  const browser = await launchChromium();
  try {
    const html = join(work, 'soak.html');
    const lines: string[] = [];
    const code = await main(['view', 'io-soak', '--arg', 'threads=4', '--arg', `iterations=${iterations}`, '--strategy', 'random', '--out', html], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
    if (code !== 0) throw new Error(`fltsim view failed: ${lines.join('\n')}`);
    const facts = Number(/for (\d+) facts/.exec(lines.join('\n'))![1]);
    const timings = await measureViewer(browser, html, facts, statSync(html).size, samples);
    if (timings.errors.length > 0) throw new Error(`the page reported errors: ${timings.errors.join('; ')}`);
    return timings;
  } finally {
    await browser.close();
    rmSync(work, { recursive: true, force: true });
  }
}

function budgetRow(name: string, value: number, budget: number, note: string): Row {
  return { name, value, unit: 's', baseline: { name: 'budget', value: budget }, ratio: budget / value, target: 1, note };
}

function interactionRow(name: string, s: Spread, note = ''): Row {
  return budgetRow(`viewer: ${name}, 1M facts, median`, s.median / 1000, 0.1, `p95 ${s.p95.toFixed(0)} ms, max ${s.max.toFixed(0)} ms over ${s.n}${note === '' ? '' : `; ${note}`}`);
}

export async function viewer(): Promise<Row[]> {
  if (!HAS_CHROMIUM) return [{ name: 'viewer: skipped (no chromium)', value: 0, unit: '', note: 'apt-get install -y chromium' }];
  const t = await viewerTimings(MILLION_ITERATIONS);
  const size = `${t.facts} facts, ${(t.htmlBytes / 1e6).toFixed(0)} MB of HTML`;
  return [
    budgetRow('viewer: first paint, 1M facts', t.firstPaintMs / 1000, 5, `${size}; whole trace indexed and folded after ${(t.foldedMs / 1000).toFixed(1)} s`),
    interactionRow('step right after opening', t.whileFolding.step, 'while the trace is indexed and folded behind'),
    interactionRow('jump right after opening', t.whileFolding.jump, `${t.whileFolding.jumpsPastTheFold} past the fold show its progress`),
    interactionRow('step by fact', t.step, '→ and ← in turn: mostly states at hand'),
    interactionRow('step forward', t.stepForward, 'each to a new state, folded from the one before'),
    interactionRow('scrubber jump', t.jump, 'random positions'),
    interactionRow('event-list click', t.eventClick),
    interactionRow('why-link click', t.whyLink),
  ];
}
