/**
 * The fold of memory a filter or FltMgr allocates for data (§20): pool blocks and MDLs, and whether
 * a swapping post-op retained an MDL (a part of the MDL machine's Locked state).
 * One part of foldLog (src/projection/fold.ts), which hands it the facts `isMemoryFact` accepts.
 */
import type { Draft } from 'immer';
import { assertNever, type Fact, type FactOf } from '../kernel/facts.js';
import { mdlMachine } from '../machines/mdl.js';
import { poolBlockMachine } from '../machines/poolBlock.js';
import { splitStatePath } from '../machines/stateValue.js';
import type { SimState } from './simState.js';
import type { Advance, Born } from './fold.js';

const MEMORY_FACTS = [
  'PoolAllocate',
  'PoolFree',
  'IoAllocateMdl',
  'MdlLocked',
  'FltRetainSwappedBufferMdlAddress',
  'IoFreeMdl',
  'BuffersSwapped',
  'SwappedOperationCancelled',
] as const;
const MEMORY_FACT_SET: ReadonlySet<string> = new Set(MEMORY_FACTS);

export type MemoryFact = FactOf<(typeof MEMORY_FACTS)[number]>;

export function isMemoryFact(fact: Fact): fact is MemoryFact {
  return MEMORY_FACT_SET.has(fact.type);
}

export function applyMemoryFact(d: Draft<SimState>, fact: MemoryFact, born: Born, advance: Advance): void {
  const id = fact.object;
  switch (fact.type) {
    case 'PoolAllocate':
      d.poolBlocks[id] = { owner: fact.owner, tag: fact.tag, bytes: fact.bytes, aligned: fact.aligned, alignment: fact.alignment, state: born(id, poolBlockMachine) as never };
      return;
    case 'PoolFree':
      advance(fact);
      delete d.poolBlocks[id];
      return;
    case 'IoAllocateMdl':
      d.mdls[id] = { owner: fact.owner, buffer: fact.buffer, bytes: fact.bytes, operation: fact.operation, state: born(id, mdlMachine) as never };
      return;
    case 'MdlLocked':
    case 'FltRetainSwappedBufferMdlAddress': {
      // Locked's part says whether a swapping post-op retained it (src/machines/mdl.ts).
      const path = advance(fact);
      const mdl = d.mdls[id];
      if (mdl === undefined || path === null) return; // retained after the filter freed it: the view is gone
      const [state, part] = splitStatePath(path);
      mdl.state = state as never;
      if (part === 'Retained') mdl.retained = true;
      return;
    }
    case 'IoFreeMdl':
      advance(fact);
      delete d.mdls[id];
      return;
    case 'BuffersSwapped':
    case 'SwappedOperationCancelled':
      return;
    default:
      assertNever(fact, 'memory fact');
  }
}
