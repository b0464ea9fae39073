/**
 * The argument checks of the helpers over a caller's own data (issue 14): `formatTrace(facts)`,
 * `foldLog(facts)`, `diffStates(a, b)`, `explore(target, options)`, the stream factories, … . They
 * are not routines of a simulation, so a wrong argument is only ever a TypeScript mistake: a
 * `UsageError` `BAD_ARGUMENT` naming the helper and the parameter (kernel/arguments.ts), never a
 * TypeError from deep inside a fold or a formatter.
 *
 * A log is checked fact by fact against the fact schema (factCheck.ts, the trace reader's own
 * check): its envelope (seq, time, object, type) and then every field of its type, so a hand-built
 * fact that lacks a field is refused here, not met as a TypeError inside a formatter or the fold.
 */
import { badArgument, kindOf } from './arguments.js';
import { factProblem } from './factCheck.js';
import type { Fact } from './facts.js';

/** What a field of a structure must hold; `?` after a kind: the field may be absent (undefined). */
export type FieldKind = 'object' | 'array' | 'function' | 'number' | 'integer' | 'string' | 'boolean' | 'any';
export type Shape = Readonly<Record<string, FieldKind | `${FieldKind}?`>>;

function isKind(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case 'object':
      return value !== null && typeof value === 'object';
    case 'array':
      return Array.isArray(value);
    case 'function':
      return typeof value === 'function';
    case 'number':
      return typeof value === 'number' && !Number.isNaN(value);
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'any':
      return true;
  }
}

const KIND_TEXT: Readonly<Record<FieldKind, string>> = {
  object: 'an object',
  array: 'an array',
  function: 'a function',
  number: 'a number',
  integer: 'a whole number',
  string: 'a string',
  boolean: 'a boolean',
  any: 'a value',
};

/**
 * A structure whose named fields have the kinds `shape` gives (`what` names the structure, as
 * "a SimState"). Only the named fields are checked; others are the helper's to ignore.
 */
export function shapeArgument<T>(routine: string, name: string, value: unknown, shape: Shape, what: string): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badArgument(routine, `${name} is ${kindOf(value)}, not ${what}`);
  // for-in over the shape (a constant literal: own keys only) walks what Object.entries would, without the pairs: checked on every call.
  for (const field in shape) {
    const spec = shape[field]!;
    const optional = spec.endsWith('?');
    const kind = (optional ? spec.slice(0, -1) : spec) as FieldKind;
    const held = (value as Record<string, unknown>)[field];
    if (optional && held === undefined) continue;
    if (!isKind(held, kind)) throw badArgument(routine, `${name}.${field} is ${kindOf(held)}, not ${KIND_TEXT[kind]} (${name} is not ${what})`);
  }
  return value as T;
}

/** A structure of `shape`, or undefined/NULL (an optional options record): null when absent. */
export function optionalShapeArgument<T>(routine: string, name: string, value: unknown, shape: Shape, what: string): T | null {
  if (value === undefined || value === null) return null;
  return shapeArgument<T>(routine, name, value, shape, what);
}

const FACT_SHAPE: Shape = { seq: 'integer', time: 'number', object: 'string', type: 'string' };

/** One fact: its envelope (a whole-number seq, a time, an object id and a type), then the fields of its type. */
export function factArgument(routine: string, name: string, value: unknown): Fact {
  const problem = factProblem(value);
  if (problem === null) return value as Fact;
  // A wrong envelope keeps the message that names the field it lacks.
  if (problem.field === null) shapeArgument<Fact>(routine, name, value, FACT_SHAPE, 'a fact ({ seq, time, object, type, … })');
  throw badArgument(routine, `${name} is not a fact of the schema: ${problem.problem}`);
}

/** A log: an array of facts, each checked for its envelope. */
export function factsArgument(routine: string, name: string, value: unknown): readonly Fact[] {
  if (!Array.isArray(value)) throw badArgument(routine, `${name} is ${kindOf(value)}, not a log (an array of facts)`);
  for (let i = 0; i < value.length; i++) factArgument(routine, `${name}[${i}]`, value[i]);
  return value as readonly Fact[];
}

/** An array whose every element `element` checks. */
export function arrayOfArgument<T>(routine: string, name: string, value: unknown, element: (item: unknown, name: string) => T, what: string): readonly T[] {
  if (!Array.isArray(value)) throw badArgument(routine, `${name} is ${kindOf(value)}, not ${what}`);
  for (let i = 0; i < value.length; i++) element(value[i], `${name}[${i}]`);
  return value as readonly T[];
}
