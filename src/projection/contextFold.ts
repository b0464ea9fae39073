/**
 * The fold of contexts (§15): each context's state, reference count and what it is linked to.
 * One part of foldLog (src/projection/fold.ts), which hands it the facts `isContextFact` accepts.
 */
import type { Draft } from 'immer';
import { assertNever, type Fact, type FactOf } from '../kernel/facts.js';
import { contextMachine } from '../machines/context.js';
import { contextTypeName } from '../wdk/contextConstants.js';
import type { SimState } from './simState.js';
import type { Advance, Born } from './fold.js';

const CONTEXT_FACTS = [
  'FltAllocateContext',
  'FltReferenceContext',
  'FltReleaseContext',
  'ContextLinked',
  'ContextUnlinked',
  'ContextCleanupCallback',
  'ContextFreed',
] as const;
const CONTEXT_FACT_SET: ReadonlySet<string> = new Set(CONTEXT_FACTS);

export type ContextFact = FactOf<(typeof CONTEXT_FACTS)[number]>;

export function isContextFact(fact: Fact): fact is ContextFact {
  return CONTEXT_FACT_SET.has(fact.type);
}

export function applyContextFact(d: Draft<SimState>, fact: ContextFact, born: Born, advance: Advance): void {
  const id = fact.object;
  switch (fact.type) {
    case 'FltAllocateContext':
      d.contexts[id] = {
        filter: fact.filter,
        contextType: contextTypeName(fact.contextType),
        size: fact.size,
        state: born(id, contextMachine) as never,
        references: 1,
        target: null,
        instance: null,
      };
      return;
    case 'FltReferenceContext':
    case 'FltReleaseContext': {
      const c = d.contexts[id]!;
      c.state = advance(fact) as never;
      c.references = fact.count;
      return;
    }
    case 'ContextLinked': {
      const c = d.contexts[id]!;
      c.state = advance(fact) as never;
      c.references = fact.count;
      c.target = fact.target;
      c.instance = fact.instance;
      return;
    }
    case 'ContextUnlinked': {
      const c = d.contexts[id]!;
      c.state = advance(fact) as never;
      c.references = fact.count;
      c.target = null;
      c.instance = null;
      return;
    }
    case 'ContextCleanupCallback':
      d.contexts[id]!.state = advance(fact) as never;
      return;
    case 'ContextFreed':
      advance(fact);
      delete d.contexts[id];
      return;
    default:
      assertNever(fact, 'context fact');
  }
}
