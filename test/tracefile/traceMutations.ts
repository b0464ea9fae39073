// The trace-file fuzz property of issue 14 (shared by traceFuzz.test.ts, short, and
// traceFuzz.deep.test.ts, long): real traces mutated the ways damaged and hostile files are —
// truncation, byte flips, dropped, duplicated and reordered lines, hostile keys and ids, huge numbers
// and lines, wrong types, binary — are either refused with a TraceFileError (one bounded line) or
// accepted, and an accepted trace's checked replay is identical or a typed replay error. Nothing
// touches Object.prototype. Work per input is bounded by the budgets, not by a clock.
import fc from 'fast-check';
import { expect } from 'vitest';
import { FltSimError, readTraceFile, recordingOf, replayChecked, startRun, TraceFileError, type RunSpec } from '../../src/index.js';
import { traceFileText } from '../../src/tracefile/writer.js';

/** Everything Object.prototype holds, as text: equal before and after means untouched. */
export function prototypeFingerprint(): string {
  return Reflect.ownKeys(Object.prototype)
    .map((k) => {
      const d = Object.getOwnPropertyDescriptor(Object.prototype, k)!;
      return `${String(k)}:${typeof d.value}:${String(d.writable)}:${String(d.enumerable)}`;
    })
    .join(',') + `|${String(Object.getPrototypeOf(Object.prototype))}`;
}

const SPECS: readonly RunSpec[] = [
  { scenario: 'io-soak', args: { threads: 2, iterations: 1 }, options: { seed: 7, strategy: 'random' } },
  { scenario: 'race-free-before-callback', args: { variant: 'fixed' }, options: { seed: 2 } },
  { scenario: 'random', args: {}, options: { seed: 5, strategy: 'random' } },
];

/** The real traces the mutations start from (small: each input is read and maybe replayed). */
export const BASES: readonly string[] = SPECS.map((spec) => {
  const sim = startRun(spec);
  try {
    sim.run();
  } catch {
    // a run that ends in a violation is a trace like any other
  }
  return traceFileText(sim);
});

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'state'];
const HOSTILE_VALUES: readonly unknown[] = [
  '__proto__', 'constructor', null, true, 0, -1, 1e300, -1e300, 2 ** 53 + 2, 0.5, '', 'x'.repeat(70_000), [], [null], {}, { __proto__x: 1 }, ['T1', 42], 'T0', 'V1:stream#1', 'sim',
];

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; char: number }
  | { kind: 'drop' | 'duplicate'; line: number }
  | { kind: 'swap'; line: number; other: number }
  | { kind: 'key'; line: number; key: string; value: number }
  | { kind: 'field'; line: number; field: number; value: number }
  | { kind: 'raw'; line: number; text: string }
  | { kind: 'binary'; at: number; bytes: Uint8Array }
  | { kind: 'header'; edit: number; n: number };

/** Header edits a reader accepts (the digest covers the facts only): what is left is the checked replay's job. */
const HEADER_EDITS: readonly ((h: Record<string, unknown>, n: number) => void)[] = [
  (h) => (h['choices'] = []),
  (h, n) => (h['drive'] = [1 + (n % 50)]),
  (h, n) => (h['drive'] = [...(h['drive'] as unknown[]), 1 + (n % 5000)]),
  (h, n) => (h['drive'] = [{ advanceTo: n % 1000 }, ...(h['drive'] as unknown[])]),
  (h) => ((h['options'] as Record<string, unknown>)['strategy'] = 'in-order'),
  (h) => ((h['options'] as Record<string, unknown>)['semantics'] = { asyncCreate: 'verifier', generatedIoDuringTeardown: 'deny' }),
  (h, n) => ((h['scenario'] as Record<string, unknown>)['args'] = { threads: n % 300, iterations: n % 3 }),
  (h, n) => ((h['scenario'] as Record<string, unknown>)['args'] = { variant: n % 2 === 0 ? 'buggy' : 'fixed', rounds: n }),
  (h, n) => ((h['scenario'] as Record<string, unknown>)['id'] = ['demo', 'io-soak', 'random', 'race-unload-async-read', 'nope'][n % 5]),
  (h, n) => ((h['options'] as Record<string, unknown>)['seed'] = h['seed'] = n),
];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), char: fc.integer({ min: 0, max: 0xffff }) }),
  fc.record({ kind: fc.constantFrom('drop' as const, 'duplicate' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), line: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('key' as const), line: fc.nat(), key: fc.constantFrom(...HOSTILE_KEYS), value: fc.nat() }),
  fc.record({ kind: fc.constant('field' as const), line: fc.nat(), field: fc.nat(), value: fc.nat() }),
  fc.record({ kind: fc.constant('raw' as const), line: fc.nat(), text: fc.oneof(fc.string(), fc.constantFrom('1e999', '-0', '[]', 'null', '"x"', '{"seq":0}', `{"a":${'['.repeat(5000)}`)) }),
  fc.record({ kind: fc.constant('binary' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('header' as const), edit: fc.nat(), n: fc.nat({ max: 100_000 }) }),
);

/** Apply a mutation to a file's text. Edits inside a line go through JSON, with the raw key spliced in (JSON.stringify drops __proto__ keys). */
export function mutate(text: string, m: Mutation): string {
  const lines = text.split('\n');
  const body = lines.slice(0, -1);
  const pick = (n: number): number => n % body.length;
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, m.at % text.length);
    case 'flip': {
      const at = m.at % text.length;
      return text.slice(0, at) + String.fromCharCode(m.char) + text.slice(at + 1);
    }
    case 'drop':
      return [...body.filter((_, i) => i !== pick(m.line)), ''].join('\n');
    case 'duplicate':
      return [...body.flatMap((l, i) => (i === pick(m.line) ? [l, l] : [l])), ''].join('\n');
    case 'swap': {
      const [a, b] = [pick(m.line), pick(m.other)];
      const out = body.slice();
      [out[a], out[b]] = [out[b]!, out[a]!];
      return [...out, ''].join('\n');
    }
    case 'key': {
      const i = pick(m.line);
      const value = JSON.stringify(HOSTILE_VALUES[m.value % HOSTILE_VALUES.length]) ?? 'null';
      body[i] = body[i]!.replace('{', `{${JSON.stringify(m.key)}:${value},`);
      return [...body, ''].join('\n');
    }
    case 'field': {
      const i = pick(m.line);
      const record = JSON.parse(body[i]!) as Record<string, unknown>;
      const keys = Object.keys(record);
      record[keys[m.field % keys.length]!] = HOSTILE_VALUES[m.value % HOSTILE_VALUES.length];
      body[i] = JSON.stringify(record);
      return [...body, ''].join('\n');
    }
    case 'raw':
      body[pick(m.line)] = m.text;
      return [...body, ''].join('\n');
    case 'header': {
      const header = JSON.parse(body[0]!) as Record<string, unknown>;
      HEADER_EDITS[m.edit % HEADER_EDITS.length]!(header, m.n);
      body[0] = JSON.stringify(header);
      return [...body, ''].join('\n');
    }
    case 'binary': {
      const at = m.at % text.length;
      return text.slice(0, at) + String.fromCharCode(...m.bytes) + text.slice(at);
    }
  }
}

/** Small budgets: a mutated file cannot ask for more work than a few times its base. */
const BUDGET = { maxFacts: 20_000, maxSteps: 20_000 };

/** The property: one mutated file is refused cleanly, or accepted and its replay checked. */
export function checkMutatedTrace(base: number, m: Mutation): 'refused' | 'replayed' | 'differs' {
  const before = prototypeFingerprint();
  const text = mutate(BASES[base % BASES.length]!, m);
  let file;
  try {
    file = readTraceFile(text, { maxFacts: BUDGET.maxFacts });
  } catch (error) {
    if (!(error instanceof TraceFileError)) throw error;
    expect(error.message).not.toMatch(/\n/);
    expect(error.message.length).toBeLessThan(2100);
    expect(prototypeFingerprint()).toBe(before);
    return 'refused';
  }
  let outcome: 'replayed' | 'differs' = 'replayed';
  try {
    const sim = replayChecked(recordingOf(file.header), file.facts, undefined, BUDGET);
    expect(sim.log.length).toBe(file.facts.length);
  } catch (error) {
    // A header that reads but does not rebuild what its facts say: a typed error, never a TypeError.
    if (!(error instanceof FltSimError)) throw error;
    expect(error.message.length).toBeLessThan(2100);
    outcome = 'differs';
  }
  expect(prototypeFingerprint()).toBe(before);
  return outcome;
}

export const mutatedTraces = fc.record({ base: fc.nat(), mutation });
