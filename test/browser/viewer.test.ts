// The time-travel viewer in real Chromium (issue 17): `fltsim view` writes one HTML file; the test
// opens it from disk for the demo, for the README's race (with its shrunk schedule beside it) and
// for a trace whose names are markup, drives the scrubber and the keyboard, checks what the stack
// view shows at given seqs against foldLog at those seqs (§3, §6), follows a why-link, checks the
// Content-Security-Policy refuses an injected inline script, and saves screenshots under out/
// (CI keeps them). On an io-soak trace written in blocks of 500 facts (`fltsim view
// --facts-per-block 500`: 1,308 facts, three blocks) it holds every block but the first back to see
// the page while it indexes (its progress, a jump to a time past the indexed part that waits for
// it); the deep run does the same on a ~26k-fact trace in the default blocks of 20,000 (two blocks:
// writing, reading and folding it cost npm test ~6 CPU-seconds). The deep run (viewer.deep.test.ts
// imports this file) also times first paint and each interaction on that trace, written to
// out/viewer-timings.json (a measurement, not a check of the page: it cost npm test seconds of CPU);
// the 1,000,000-fact figures are in viewer.deep.test.ts and `npm run bench`. No assertion depends on
// those times.
//
// One browser launch for the whole file, which also runs the package's own page in it
// (packageInBrowser.ts: a launch costs ~3 CPU-seconds, once for both). Without Debian's chromium
// the file is skipped on a developer machine, with a message; under CI=true a missing chromium is a
// failure.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulation, foldLog, type Fact } from '../../src/index.js';
import { HOSTILE_NAME, scenario as hostileNames } from '../viewer/fixtures/hostileNames.js';
import { exploreRace, fltsim, readTrace } from '../viewer/support.js';
import { CHROMIUM_PATH, cursorSeq, HAS_CHROMIUM, launchChromium, measureViewer, openViewer, waitFolded, waitUntil, type Browser } from '../support/viewerInChromium.js';
import type { Page } from 'playwright-core';
import { DEEP } from '../support/deep.js';
import { packageInBrowserTests } from './packageInBrowser.js';

const root = join(import.meta.dirname, '..', '..');
const ci = process.env.CI === 'true';
const out = join(root, 'out');
if (!HAS_CHROMIUM && !ci) {
  console.warn(`viewer browser test skipped: no chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH); under CI=true it runs and fails instead`);
}

const work = mkdtempSync(join(tmpdir(), 'fltsim-viewer-browser-'));
let browser: Browser | null = null;
let raceFacts: readonly Fact[] = [];
let raceViolation = 0;
let demoFacts: readonly Fact[] = [];
let soakFacts: readonly Fact[] = [];
const soakHtml = join(work, 'soak.html');
/** The io-soak trace the indexing test holds back: its iterations, and the facts per block of its page (deep: the default). */
const SOAK = DEEP ? { iterations: 60, perBlock: 20_000, viewArgs: [] } : { iterations: 3, perBlock: 500, viewArgs: ['--facts-per-block', '500'] };

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  mkdirSync(out, { recursive: true });
  const race = await exploreRace(work);
  const failing = readTrace(race.failing);
  raceFacts = failing.facts;
  raceViolation = failing.header.violation!.seq;
  await expectOk(fltsim('view', race.failing, '--beside', race.shrunk, '--out', join(work, 'race.html')));
  await expectOk(fltsim('run', 'demo', '--trace', join(work, 'demo.ndjson')));
  demoFacts = readTrace(join(work, 'demo.ndjson')).facts;
  await expectOk(fltsim('view', join(work, 'demo.ndjson'), '--out', join(work, 'demo.html')));
  await expectOk(fltsim('view', join(root, 'test', 'viewer', 'fixtures', 'hostileNames.ts'), '--out', join(work, 'hostile.html')));
  // More than one block of facts: enough to see the page index the rest behind the first picture.
  await expectOk(fltsim('run', 'io-soak', '--arg', 'threads=4', '--arg', `iterations=${SOAK.iterations}`, '--strategy', 'random', '--trace', join(work, 'soak.ndjson')));
  soakFacts = readTrace(join(work, 'soak.ndjson')).facts;
  await expectOk(fltsim('view', join(work, 'soak.ndjson'), '--out', soakHtml, ...SOAK.viewArgs));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

async function expectOk(run: Promise<{ code: number; err: string[] }>): Promise<void> {
  const r = await run;
  if (r.code !== 0 && r.code !== 1) throw new Error(`fltsim failed: ${r.err.join('\n')}`);
}

/** What the stack view shows: per volume its levels (id@altitude) and frames' bands (index:low-high, §6), the operations with their states, the file objects and live threads. */
async function shownStack(page: Page): Promise<unknown> {
  return page.evaluate(`(() => {
    const attr = (el, name) => el.getAttribute(name);
    return {
      volumes: [...document.querySelectorAll('[data-volume]')].map((v) => [attr(v, 'data-volume'), attr(v, 'data-state'), [...v.querySelectorAll('[data-level]')].map((l) => attr(l, 'data-level') + '@' + attr(l, 'data-altitude')), [...v.querySelectorAll('[data-frame]')].map((f) => attr(f, 'data-frame') + ':' + attr(f, 'data-frame-low') + '-' + attr(f, 'data-frame-high'))]),
      operations: Object.fromEntries([...document.querySelectorAll('[data-op]')].map((o) => [attr(o, 'data-op'), attr(o, 'data-state')])),
      fileObjects: [...document.querySelectorAll('[data-file-object]')].map((f) => [attr(f, 'data-file-object'), attr(f, 'data-state')]),
      threads: [...document.querySelectorAll('[data-thread]')].map((t) => [attr(t, 'data-thread'), attr(t, 'data-state')]),
    };
  })()`);
}

/** The same, from foldLog of the first `position` facts. */
function foldedStack(facts: readonly Fact[], position: number): unknown {
  const s = foldLog(facts.slice(0, position));
  return {
    volumes: Object.entries(s.volumes).map(([id, v]) => [id, v.state, [...v.stack.map((n) => `${n}@${s.instances[n]?.altitude ?? ''}`), `${id}:fs@`], [...s.frames].reverse().map((f) => `${f.index}:${f.low}-${f.high ?? ''}`)]),
    operations: Object.fromEntries(Object.entries(s.operations).map(([id, o]) => [id, o.state])),
    fileObjects: Object.entries(s.fileObjects).map(([id, f]) => [id, f.state]),
    threads: Object.entries(s.threads).filter(([, t]) => t.state !== 'exited').map(([id, t]) => [id, t.state]),
  };
}

/** Wait until the page shows the cursor at `seq`: a key press is handled and painted asynchronously. */
async function cursorAt(page: Page, seq: number): Promise<number> {
  await waitUntil(page, `(document.querySelector('[data-testid=cursor]')?.textContent ?? '').startsWith('#${seq} ·')`);
  return cursorSeq(page);
}

async function jump(page: Page, seq: number): Promise<void> {
  await page.fill('[data-testid=jump]', `#${seq}`);
  await page.press('[data-testid=jump]', 'Enter');
  await waitUntil(page, `document.querySelector('.trace').dataset.position === '${seq + 1}'`);
}

async function scrub(page: Page, position: number): Promise<void> {
  await page.evaluate(`(() => { const r = document.querySelector('[data-testid=scrubber]'); r.value = '${position}'; r.dispatchEvent(new Event('input', { bubbles: true })); })()`);
  await waitUntil(page, `document.querySelector('.trace').dataset.position === '${position}'`);
}

describe.skipIf(!HAS_CHROMIUM && !ci)('the viewer in Chromium', () => {
  it('shows the demo: the stack at seqs chosen by scrubber, keyboard and jump box is foldLog\'s there', async () => {
    if (browser === null) throw new Error(`CI=true but there is no chromium at ${CHROMIUM_PATH}: .ci/run installs Debian's chromium`);
    const { page, errors } = await openViewer(browser, join(work, 'demo.html'));
    expect(await cursorSeq(page)).toBe(-1);
    await page.keyboard.press('End');
    expect(await cursorAt(page, demoFacts.length - 1)).toBe(demoFacts.length - 1);
    expect(await shownStack(page)).toEqual(foldedStack(demoFacts, demoFacts.length));
    for (const position of [10, 37, 64]) {
      await scrub(page, position);
      expect(await shownStack(page)).toEqual(foldedStack(demoFacts, position));
    }
    await page.keyboard.press('ArrowLeft');
    await cursorAt(page, 62);
    await page.keyboard.press('ArrowLeft');
    expect(await cursorAt(page, 61)).toBe(61);
    expect(await shownStack(page)).toEqual(foldedStack(demoFacts, 62));
    await jump(page, 50);
    expect(await shownStack(page)).toEqual(foldedStack(demoFacts, 51));
    await page.screenshot({ path: join(out, 'viewer-demo.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens the race on its violation, steps back from it, follows a why-link, and shows the shrunk schedule beside it', async () => {
    const { page, errors } = await openViewer(browser!, join(work, 'race.html'));
    expect(await cursorSeq(page)).toBe(raceViolation);
    expect(await shownStack(page)).toEqual(foldedStack(raceFacts, raceViolation + 1));
    await page.screenshot({ path: join(out, 'viewer-race.png') });
    for (let back = 1; back <= 3; back++) {
      await page.keyboard.press('ArrowLeft');
      expect(await cursorAt(page, raceViolation - back)).toBe(raceViolation - back);
      expect(await shownStack(page)).toEqual(foldedStack(raceFacts, raceViolation - back + 1));
    }
    // The operation the prefetcher's worker opened: step through its facts with Shift+→.
    const d1 = raceFacts.filter((f) => f.object === 'D1').map((f) => f.seq);
    await jump(page, d1[0]!);
    for (const seq of d1.slice(1)) {
      await page.keyboard.press('Shift+ArrowRight');
      expect(await cursorAt(page, seq)).toBe(seq);
      expect(await shownStack(page)).toEqual(foldedStack(raceFacts, seq + 1));
    }
    // Why did the file system complete D1? Follow the chain to the operation's start.
    await page.waitForSelector('[data-relation=object]');
    const target = Number(await page.getAttribute('[data-relation=object]', 'data-why-seq'));
    await page.click('[data-relation=object]');
    expect(await cursorSeq(page)).toBe(target);
    expect(raceFacts[target]).toMatchObject({ object: 'D1', type: 'IoStart' });
    expect(await page.textContent('[data-testid=preemptions-main]')).toMatch(/^[1-9]\d* preemption\(s\)$/);
    expect(await page.locator('[data-marker=preemption]').count()).toBeGreaterThan(0);
    await page.click('[data-testid=show-beside]');
    await waitUntil(page, `document.querySelector('[data-testid=title]').textContent === 'race-shrunk.ndjson'`);
    await page.screenshot({ path: join(out, 'viewer-race-shrunk.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders names that are markup as text, and its Content-Security-Policy refuses any other inline script', async () => {
    const { page, errors } = await openViewer(browser!, join(work, 'hostile.html'));
    const name = HOSTILE_NAME;
    // The FileObjectCreate of the file named so, on the thread named so: its position in the same run.
    const sim = createSimulation();
    hostileNames.build(sim, {});
    sim.run();
    await jump(page, sim.log.find((f) => f.type === 'FileObjectCreate')!.seq);
    expect(await page.textContent('[data-testid=threads]')).toContain(name);
    expect(await page.textContent('[data-testid=file-objects]')).toContain(`\\${name}`);
    expect(await page.locator('.event-row', { hasText: `\\${name}` }).count()).toBeGreaterThan(0);
    expect(await page.evaluate('document.scripts.length')).toBe(2); // the payload's data block and the page's own script
    expect(errors).toEqual([]);
    const ran = await page.evaluate(`(() => { const s = document.createElement('script'); s.textContent = 'window.injected = true'; document.body.appendChild(s); return window.injected === true; })()`);
    expect(ran).toBe(false);
    expect(errors.some((e) => /Content Security Policy/.test(e))).toBe(true);
    await page.screenshot({ path: join(out, 'viewer-hostile-names.png') });
    await page.close();
  });

  it('while the trace is still indexed: says how far, and a jump to a time past that part waits for it, then lands where foldLog says', async () => {
    // Hold every facts block but the first: the page paints on block 0 and indexes no further until released.
    const hold = `(() => {
      const text = Response.prototype.text;
      let calls = 0;
      let open;
      const gate = new Promise((r) => (open = r));
      window.releaseBlocks = () => open();
      Response.prototype.text = async function () { const t = await text.call(this); if (++calls > 1) await gate; return t; };
    })()`;
    const { page, errors } = await openViewer(browser!, soakHtml, hold);
    await waitUntil(page, `document.querySelector('[data-testid=progress]')?.dataset.indexed === '${SOAK.perBlock}'`);
    expect(await page.textContent('[data-testid=progress]')).toContain(`indexing: ${SOAK.perBlock} of ${soakFacts.length} facts`);
    expect(await page.textContent('[data-testid=event-count]')).toBe(`${SOAK.perBlock} of ${soakFacts.length} (indexing: the rest follows)`);
    // A time only block 1 holds: the page says it is looking, and the cursor stays.
    const time = soakFacts[soakFacts.length - 1]!.time;
    const expected = soakFacts.findIndex((f) => f.time >= time) + 1;
    expect(expected).toBeGreaterThan(SOAK.perBlock);
    const before = await page.getAttribute('.trace', 'data-position');
    await page.fill('[data-testid=jump]', `t=${time}`);
    await page.press('[data-testid=jump]', 'Enter');
    await waitUntil(page, "document.querySelector('[data-testid=waiting]') !== null");
    expect(await page.textContent('[data-testid=waiting]')).toMatch(new RegExp(`^looking for the first fact at t=${time}: indexing the trace, \\d+% so far$`));
    expect(await page.getAttribute('.trace', 'data-position')).toBe(before);
    await page.screenshot({ path: join(out, 'viewer-indexing.png') });
    await page.evaluate('window.releaseBlocks()');
    await waitUntil(page, `document.querySelector('.trace').dataset.position === '${expected}'`);
    expect(await page.locator('[data-testid=waiting]').count()).toBe(0);
    await waitFolded(page);
    expect(await shownStack(page)).toEqual(foldedStack(soakFacts, expected));
    expect(errors).toEqual([]);
    await page.close();
  });

  it.runIf(DEEP)('times first paint and each interaction (step, jump, event-list click, why-link; median, p95, max) on a ~26,000-fact trace (written to out/viewer-timings.json)', async () => {
    const timings = await measureViewer(browser!, soakHtml, soakFacts.length, statSync(soakHtml).size, 7);
    writeFileSync(join(out, 'viewer-timings.json'), JSON.stringify(timings, null, 2) + '\n');
    expect(timings.errors).toEqual([]);
    for (const s of [timings.step, timings.jump, timings.eventClick, timings.whyLink]) expect(s.n).toBeGreaterThan(0);
    for (const ms of [timings.firstPaintMs, timings.step.median, timings.jump.median, timings.eventClick.median, timings.whyLink.median]) expect(Number.isFinite(ms)).toBe(true);
  });
});

packageInBrowserTests(() => browser);
