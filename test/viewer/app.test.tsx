// The viewer's components in a DOM (happy-dom, ./happyDom.ts): the page a user opens on the README's race, driven
// by keys and clicks — the stack at the cursor, stepping by fact, operation and thread, a why-link,
// the event list's filter — and a trace whose names are markup, rendered as text.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { builtInScenarios, createScenarioSimulation, createSimulation, threadActivity } from '../../src/index.js';
import type { ViewerPayload } from '../../src/viewer/payload.js';
import { HOSTILE_NAME, scenario as hostileScenario } from './fixtures/hostileNames.js';
import { exploreRace, readTrace } from './support.js';
// The DOM before preact and the components load (./happyDom.ts says why).
import { closeDom } from './happyDom.js';
import { render } from 'preact';
import { act, setupRerender, teardown } from 'preact/test-utils';
import { App } from '../../viewer/App.js';

afterAll(closeDom);

let race: ViewerPayload;
let threadOfAt: (seq: number) => string | null;
beforeAll(async () => {
  const traces = await exploreRace();
  const failing = readTrace(traces.failing);
  const shrunk = readTrace(traces.shrunk);
  race = {
    main: { title: 'race.ndjson', header: failing.header, facts: failing.facts, preemptions: null },
    beside: { title: 'race-shrunk.ndjson', header: shrunk.header, facts: shrunk.facts, preemptions: null },
  };
  const activity = threadActivity(failing.facts, failing.header.built ?? 0);
  threadOfAt = (seq) => activity.threadOf[seq] ?? null;
});

let root: HTMLElement | null = null;
afterEach(() => {
  if (root !== null) render(null, root);
  root?.remove();
  root = null;
});

function open(payload: ViewerPayload): HTMLElement {
  root = document.createElement('div');
  document.body.appendChild(root);
  act(() => render(<App payload={payload} />, root!));
  return root;
}

const cursor = (el: HTMLElement): string => el.querySelector('[data-testid=cursor]')!.textContent!;
const key = (init: KeyboardEventInit): void => {
  void act(() => void window.dispatchEvent(new KeyboardEvent('keydown', init)));
};

describe('the viewer page', () => {
  it('opens an exploration on its violation, with the stack there and the shrunk schedule beside it', async () => {
    const el = open(race);
    const v = race.main.header!.violation!;
    expect(cursor(el)).toContain(`#${v.seq} · position ${v.seq + 1}/`);
    const levels = [...el.querySelectorAll('[data-volume=V1] [data-level]')].map((l) => `${l.getAttribute('data-level')}@${l.getAttribute('data-altitude')}`);
    expect(levels).toEqual(['I1@100000', 'V1:fs@']);
    expect(el.querySelector('[data-file-object=O1]')?.getAttribute('data-state')).toBe('HandleCreated');
    // The diff needs the state before the violation too: folded just after the first picture.
    await vi.waitFor(() => expect(el.querySelector('[data-diff=violation]')?.textContent).toContain('INSTANCE_USED_AFTER_TEARDOWN'));
    expect(el.querySelectorAll('[data-schedule]')).toHaveLength(2);
    expect(el.querySelector('[data-marker=violation]')).not.toBeNull();
  });

  it('steps back and forth by fact, by the selected operation and by the selected thread', () => {
    const el = open(race);
    const v = race.main.header!.violation!.seq;
    key({ key: 'ArrowLeft' });
    expect(cursor(el)).toContain(`#${v - 1} ·`);
    key({ key: 'ArrowRight' });
    key({ key: 'ArrowRight' });
    expect(cursor(el)).toContain(`#${v + 1} ·`);
    // By thread: the next fact the cursor's thread appended.
    const facts = race.main.facts;
    const selected = (what: string): string => el.querySelector('[data-testid=selection]')!.getAttribute(`data-selected-${what}`)!;
    const thread = selected('thread');
    const later = facts.slice(v + 2).findIndex((_, i) => threadOfAt(v + 2 + i) === thread);
    key({ key: 'ArrowRight', altKey: true });
    const at = Number(/#(\d+) ·/.exec(cursor(el))![1]);
    expect(at).toBe(v + 2 + later);
    expect(selected('thread')).toBe(thread);
    // By operation: from D1's IoStart, each next fact of D1.
    const d1 = facts.filter((f) => f.object === 'D1').map((f) => f.seq);
    key({ key: 'Home' });
    expect(cursor(el)).toContain('start');
    for (let i = 0; i <= d1[0]!; i++) key({ key: 'ArrowRight' });
    expect(cursor(el)).toContain(`#${d1[0]} ·`);
    expect(selected('operation')).toBe('D1');
    for (const seq of d1.slice(1)) {
      key({ key: 'ArrowRight', shiftKey: true });
      expect(cursor(el)).toContain(`#${seq} ·`);
    }
  });

  // A key pressed once the page shows where the previous one went, before the browser's next frame
  // runs the page's effects: it must step from there. The handler was registered in an effect, so
  // until that frame it held the old position and the step went nowhere (found as a hang of
  // test/browser/viewer.test.ts under load: waiting for a cursor that never moved).
  it('a key pressed before the next frame steps from where the previous key moved', () => {
    const el = open(race);
    const v = race.main.header!.violation!.seq;
    // Renders flushed by hand, the effects left to the window's frames.
    const rerender = setupRerender();
    try {
      for (const back of [1, 2, 3]) {
        window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft' }));
        rerender();
        expect(cursor(el)).toContain(`#${v - back} ·`);
      }
    } finally {
      teardown();
    }
  });

  it('follows a why-link to the fact that caused the one at the cursor', async () => {
    const el = open(race);
    await vi.waitFor(() => expect(el.querySelectorAll('[data-why-seq]').length).toBeGreaterThan(1));
    const link = el.querySelector<HTMLButtonElement>('[data-relation=thread]')!;
    const seq = Number(link.getAttribute('data-why-seq'));
    act(() => link.click());
    expect(cursor(el)).toContain(`#${seq} ·`);
    expect(race.main.facts[seq]!.type).toBe('ThreadCreate');
  });

  it('filters the event list by type, and a row click moves the cursor', async () => {
    const el = open(race);
    const select = el.querySelector<HTMLSelectElement>('[data-filter=type]')!;
    act(() => {
      select.value = 'FsPending';
      select.dispatchEvent(new Event('change'));
    });
    const pending = race.main.facts.filter((f) => f.type === 'FsPending').map((f) => f.seq);
    await vi.waitFor(() => expect(el.querySelector('[data-testid=event-count]')!.textContent).toBe(`${pending.length} of ${race.main.facts.length}`));
    const rows = [...el.querySelectorAll<HTMLElement>('.event-row')];
    expect(rows.map((r) => Number(r.getAttribute('data-seq')))).toEqual(pending);
    act(() => rows[0]!.click());
    expect(cursor(el)).toContain(`#${pending[0]} ·`);
  });

  it('shows names that are markup as text: a file named </script><script>alert(1)</script>', () => {
    const sim = createSimulation({ seed: 1 });
    hostileScenario.build(sim, {});
    sim.run();
    const el = open({ main: { title: HOSTILE_NAME, header: null, facts: sim.log, preemptions: null }, beside: null });
    key({ key: 'End' });
    expect(el.querySelectorAll('script')).toHaveLength(0);
    expect(el.textContent).toContain(HOSTILE_NAME);
    expect([...el.querySelectorAll('.event-row')].some((r) => r.textContent!.includes(`\\${HOSTILE_NAME}`))).toBe(true);
    expect(el.querySelector('[data-testid=title]')!.textContent).toBe(HOSTILE_NAME);
  });
});

// A scenario's trace, not a trace file: the page works without a header.
it('opens a run without a header at its start, and End goes to its last fact once folded', async () => {
  const sim = createScenarioSimulation('demo', { seed: 1 }, { scenarios: builtInScenarios });
  sim.run();
  const el = open({ main: { title: 'demo', header: null, facts: sim.log, preemptions: null }, beside: null });
  expect(cursor(el)).toContain('start');
  key({ key: 'End' });
  expect(cursor(el)).toContain(`#${sim.log.length - 1} ·`);
  // The first picture folded nothing (the cursor was at the start): the rest folds after it.
  await vi.waitFor(() => expect(el.querySelectorAll('[data-volume]').length).toBe(Object.keys(sim.state().volumes).length));
});
