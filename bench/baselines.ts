/**
 * Baselines measured in the same run as the kernel figures, so a ratio compares like with like on
 * whatever machine (and whatever load) the run happens to get.
 *
 * (a) bare XState v5: `actor.send` on a small running actor, the cost floor of a kernel that sends
 *     every fact to an object's machine;
 * (b) a plain reducer folding pre-built event objects, the floor of any JS event-sourced core.
 */
import { createActor, setup } from 'xstate';
import { measure, rateSpread, type Row } from './harness.js';

export const XSTATE_SEND = 'xstate actor.send';
export const PLAIN_REDUCER = 'plain reducer fold';

/** A three-state ring with a guarded self-loop, shaped like the kernel's object machines (no '*'). */
const ringMachine = setup({
  types: {} as { events: { type: 'NEXT' } | { type: 'STAY'; ok: boolean } },
  guards: { ok: ({ event }) => event.type === 'STAY' && event.ok },
}).createMachine({
  id: 'ring',
  initial: 'A',
  states: {
    A: { on: { NEXT: 'B', STAY: { guard: 'ok', target: 'A' } } },
    B: { on: { NEXT: 'C' } },
    C: { on: { NEXT: 'A' } },
  },
});

const SENDS_PER_REPETITION = 100_000;

/**
 * Bare `actor.send` as work a figure can be timed against turn about (harness.ts measurePaired):
 * `sends` transitions of one running ring actor per call. Stop it when done.
 */
export function actorSends(sends: number): { readonly run: () => unknown; readonly stop: () => void } {
  const actor = createActor(ringMachine).start();
  const next = { type: 'NEXT' } as const;
  return {
    run: () => {
      for (let i = 0; i < sends; i++) actor.send(next);
      return actor.getSnapshot();
    },
    stop: () => actor.stop(),
  };
}

function xstateSend(): Row {
  const sends = actorSends(SENDS_PER_REPETITION);
  const sample = measure({ warmup: 2, repetitions: 9 }, sends.run);
  sends.stop();
  return {
    name: XSTATE_SEND,
    value: SENDS_PER_REPETITION / sample.median,
    unit: 'transitions/s',
    note: rateSpread(SENDS_PER_REPETITION, sample),
  };
}

type PlainEvent =
  | { readonly seq: number; readonly object: string; readonly type: 'Create'; readonly name: string }
  | { readonly seq: number; readonly object: string; readonly type: 'Step'; readonly by: number }
  | { readonly seq: number; readonly object: string; readonly type: 'Exit'; readonly status: number };

interface PlainState {
  created: number;
  total: number;
  lastStatus: number;
}

function reduce(state: PlainState, event: PlainEvent): PlainState {
  switch (event.type) {
    case 'Create':
      state.created++;
      return state;
    case 'Step':
      state.total += event.by;
      return state;
    case 'Exit':
      state.lastStatus = event.status;
      return state;
  }
}

const EVENTS = 1_000_000;
const PASSES_PER_REPETITION = 10;

function plainReducer(): Row {
  const events: PlainEvent[] = [];
  for (let seq = 0; seq < EVENTS; seq++) {
    const object = `T${seq % 64}`;
    const kind = seq % 3;
    events.push(
      kind === 0 ? { seq, object, type: 'Create', name: object } : kind === 1 ? { seq, object, type: 'Step', by: seq & 7 } : { seq, object, type: 'Exit', status: 0 },
    );
  }
  const folded = EVENTS * PASSES_PER_REPETITION;
  const sample = measure({ warmup: 2, repetitions: 9 }, () => {
    let state: PlainState = { created: 0, total: 0, lastStatus: -1 };
    for (let pass = 0; pass < PASSES_PER_REPETITION; pass++) state = events.reduce(reduce, state);
    return state;
  });
  return { name: PLAIN_REDUCER, value: folded / sample.median, unit: 'events/s', note: rateSpread(folded, sample) };
}

export function baselines(): Row[] {
  return [xstateSend(), plainReducer()];
}
