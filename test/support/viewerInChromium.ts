// Opening `fltsim view`'s HTML in real Chromium (Debian's, driven by playwright-core, never a
// downloaded browser) and measuring it: the browser tests and `npm run bench` share this.
// Page-side code is passed as strings: the tests are type-checked without the DOM library.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);
/** toolchain.md: the flags that work here; background networking off, or Chromium calls out of a closed network. */
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'fltsim-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1500, height: 900 } });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface OpenedViewer {
  readonly page: Page;
  /** Page errors and console errors (a CSP refusal is one) since the page opened. */
  readonly errors: string[];
  /** Milliseconds from navigation to the first picture on screen. */
  readonly firstPaint: number;
}

/** Open a viewer HTML file from disk and wait for its first picture. No limit of its own: vitest's catches a hang. `initScript` runs in the page before its own. */
export async function openViewer(browser: Browser, htmlPath: string, initScript?: string): Promise<OpenedViewer> {
  const page = await browser.context.newPage();
  // Run before the page's own script (playwright injects it outside the page's CSP).
  if (initScript !== undefined) await page.addInitScript(initScript);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('dialog', (dialog) => {
    errors.push(`a dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(pathToFileURL(htmlPath).href, { timeout: 0 });
  await waitUntil(page, "document.body.dataset.painted === '1'");
  const firstPaint = (await page.evaluate('window.fltsimViewer.firstPaint')) as number;
  return { page, errors, firstPaint };
}

/**
 * Poll a page-side expression until it is true. Not page.waitForFunction: its polling evaluates the
 * predicate with eval inside the page, which the viewer's Content-Security-Policy refuses.
 */
export async function waitUntil(page: Page, expression: string): Promise<void> {
  while ((await page.evaluate(expression)) !== true) await new Promise((done) => setTimeout(done, 20));
}

/** Wait until the whole trace is folded (the page folds it in slices after the first picture). */
export async function waitFolded(page: Page): Promise<void> {
  await waitUntil(page, "document.querySelector('.trace') !== null && document.querySelector('.trace').dataset.folded === document.querySelector('.trace').dataset.length && document.querySelector('[data-testid=stack]') !== null");
}

/** The cursor's seq as the page shows it (-1 at the start). */
export async function cursorSeq(page: Page): Promise<number> {
  const text = (await page.textContent('[data-testid=cursor]')) ?? '';
  const m = /^#(\d+) ·/.exec(text);
  return m === null ? -1 : Number(m[1]);
}

/**
 * Milliseconds from a key press to the next frame after the page has re-rendered: what one step
 * costs a user. Measured in the page, so the test's own round trips do not count.
 */
export async function timeKey(page: Page, key: string, modifiers: { shiftKey?: boolean; altKey?: boolean } = {}): Promise<number> {
  return (await page.evaluate(`(async () => {
    const before = document.querySelector('[data-testid=cursor]').textContent;
    const t0 = performance.now();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: ${JSON.stringify(key)}, shiftKey: ${modifiers.shiftKey === true}, altKey: ${modifiers.altKey === true} }));
    for (let i = 0; i < 1000 && document.querySelector('[data-testid=cursor]').textContent === before; i++) await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return performance.now() - t0;
  })()`)) as number;
}

/** Milliseconds from moving the scrubber to `position` to the next frame after the re-render. */
export async function timeScrub(page: Page, position: number): Promise<number> {
  return (await page.evaluate(`(async () => {
    const range = document.querySelector('[data-testid=scrubber]');
    const t0 = performance.now();
    range.value = String(${position});
    range.dispatchEvent(new Event('input', { bubbles: true }));
    for (let i = 0; i < 1000 && document.querySelector('.trace').dataset.position !== String(${position}); i++) await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return performance.now() - t0;
  })()`)) as number;
}

/** Milliseconds from clicking the element `expression` finds to the next frame after the cursor has moved and the page has re-rendered. */
export async function timeClick(page: Page, expression: string): Promise<number | null> {
  return (await page.evaluate(`(async () => {
    const el = ${expression};
    if (el === null || el === undefined) return null;
    const before = document.querySelector('.trace').dataset.position;
    const t0 = performance.now();
    el.click();
    for (let i = 0; i < 1000 && document.querySelector('.trace').dataset.position === before; i++) await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return performance.now() - t0;
  })()`)) as number | null;
}

export function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

/** The value below which a share `p` of the values lie (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}

/** Positions spread over a trace by a fixed LCG: comparable from run to run. */
export function spreadPositions(n: number, length: number): number[] {
  let x = 12345;
  return Array.from({ length: n }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % (length + 1);
  });
}

/** Median, 95th percentile and maximum of one kind of interaction, in milliseconds. */
export interface Spread {
  readonly n: number;
  readonly median: number;
  readonly p95: number;
  readonly max: number;
}

function spread(values: readonly number[]): Spread {
  return { n: values.length, median: median(values), p95: percentile(values, 0.95), max: Math.max(...values) };
}

export interface ViewerTimings {
  readonly facts: number;
  readonly htmlBytes: number;
  readonly firstPaintMs: number;
  /** From navigation until the whole trace is indexed and folded. */
  readonly foldedMs: number;
  /** Right after the first paint, while the trace is indexed and folded behind: steps, and jumps to random positions (those past the fold show its progress). */
  readonly whileFolding: { readonly step: Spread; readonly jump: Spread; readonly jumpsPastTheFold: number };
  /** Once the trace is folded: a step by fact (→ and ← in turn), a scrubber jump, a click on a row of the event list, a click on a why-link. */
  readonly step: Spread;
  /** Steps forward only, each to a state not at hand. */
  readonly stepForward: Spread;
  readonly jump: Spread;
  readonly eventClick: Spread;
  readonly whyLink: Spread;
  // The figures the bench printed before (kept for comparison): medians and maxima.
  readonly stepMedianMs: number;
  readonly stepMaxMs: number;
  readonly scrubMedianMs: number;
  readonly scrubMaxMs: number;
}

/** Wait until the why panel has its chain for the fact at the cursor. */
async function whyReady(page: Page): Promise<void> {
  await waitUntil(page, "document.querySelector('[data-testid=why] ol') !== null || document.querySelector('[data-testid=why]') === null");
}

/**
 * Open the page, time steps and jumps at once (while the trace is indexed and folded behind the
 * first picture), wait for the fold, then time steps, scrubber jumps, event-list clicks and
 * why-link clicks (each from a random position).
 */
export async function measureViewer(browser: Browser, htmlPath: string, facts: number, htmlBytes: number, samples = 21): Promise<ViewerTimings & { readonly errors: readonly string[] }> {
  const opened = await openViewer(browser, htmlPath);
  const { page } = opened;
  const earlySteps: number[] = [];
  for (let i = 0; i < samples; i++) earlySteps.push(await timeKey(page, i % 2 === 0 ? 'ArrowRight' : 'ArrowLeft'));
  const earlyJumps: number[] = [];
  let pastTheFold = 0;
  for (const p of spreadPositions(samples, facts)) {
    if (p > Number(await page.evaluate("document.querySelector('.trace').dataset.folded"))) pastTheFold++;
    earlyJumps.push(await timeScrub(page, p));
  }
  await waitFolded(page);
  const foldedMs = (await page.evaluate('performance.now()')) as number;
  // Steps from the middle of the trace, where the state is as large as it gets.
  await timeScrub(page, Math.floor(facts / 2));
  const steps: number[] = [];
  for (let i = 0; i < samples; i++) steps.push(await timeKey(page, i % 2 === 0 ? 'ArrowRight' : 'ArrowLeft'));
  // Forward only: each step's state is new (the alternating steps above mostly find theirs at hand).
  const forward: number[] = [];
  for (let i = 0; i < samples; i++) forward.push(await timeKey(page, 'ArrowRight'));
  const jumps: number[] = [];
  const eventClicks: number[] = [];
  const whyLinks: number[] = [];
  for (const p of spreadPositions(samples, facts).map((p) => Math.max(1, Math.floor(p * 0.999)))) {
    jumps.push(await timeScrub(page, p));
    // A row a few below the cursor's in the list, and the root of the why chain.
    const row = await timeClick(page, "document.querySelector('.event-row.current')?.nextElementSibling?.nextElementSibling?.nextElementSibling");
    if (row !== null) eventClicks.push(row);
    await whyReady(page);
    const why = await timeClick(page, "[...document.querySelectorAll('[data-why-seq]')].filter((b) => String(Number(b.dataset.whySeq) + 1) !== document.querySelector('.trace').dataset.position).pop()");
    if (why !== null) whyLinks.push(why);
  }
  await page.close();
  return {
    facts,
    htmlBytes,
    firstPaintMs: opened.firstPaint,
    foldedMs,
    whileFolding: { step: spread(earlySteps), jump: spread(earlyJumps), jumpsPastTheFold: pastTheFold },
    step: spread(steps),
    stepForward: spread(forward),
    jump: spread(jumps),
    eventClick: spread(eventClicks),
    whyLink: spread(whyLinks),
    stepMedianMs: median(steps),
    stepMaxMs: Math.max(...steps),
    scrubMedianMs: median(jumps),
    scrubMaxMs: Math.max(...jumps),
    errors: opened.errors,
  };
}
