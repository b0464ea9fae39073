/**
 * The fold of extra create parameters (§22): ECP lists and the ECP contexts inserted into them.
 * One part of foldLog (src/projection/fold.ts), which hands it the facts `isEcpFact` accepts.
 */
import type { Draft } from 'immer';
import { assertNever, type Fact, type FactOf } from '../kernel/facts.js';
import { ecpListMachine, ecpMachine } from '../machines/ecp.js';
import type { SimState } from './simState.js';
import type { Advance, Born } from './fold.js';

const ECP_FACTS = [
  'FltAllocateExtraCreateParameterList',
  'FltFreeExtraCreateParameterList',
  'FltAllocateExtraCreateParameter',
  'FltInsertExtraCreateParameter',
  'FltRemoveExtraCreateParameter',
  'FltAcknowledgeEcp',
  'FltPrepareToReuseEcp',
  'EcpTargetAdjusted',
  'FltFreeExtraCreateParameter',
] as const;
const ECP_FACT_SET: ReadonlySet<string> = new Set(ECP_FACTS);

export type EcpFact = FactOf<(typeof ECP_FACTS)[number]>;

export function isEcpFact(fact: Fact): fact is EcpFact {
  return ECP_FACT_SET.has(fact.type);
}

export function applyEcpFact(d: Draft<SimState>, fact: EcpFact, born: Born, advance: Advance): void {
  const id = fact.object;
  switch (fact.type) {
    case 'FltAllocateExtraCreateParameterList':
      d.ecpLists[id] = { filter: fact.filter, state: born(id, ecpListMachine) as never, ecps: [] };
      return;
    case 'FltFreeExtraCreateParameterList':
      advance(fact);
      delete d.ecpLists[id];
      return;
    case 'FltAllocateExtraCreateParameter':
      d.ecps[id] = { filter: fact.filter, guid: fact.guid, size: fact.size, state: born(id, ecpMachine) as never, list: null };
      return;
    case 'FltInsertExtraCreateParameter': {
      const e = d.ecps[id]!;
      e.state = advance(fact) as never;
      e.list = fact.list;
      d.ecpLists[fact.list]!.ecps.push(id);
      return;
    }
    case 'FltRemoveExtraCreateParameter': {
      const e = d.ecps[id]!;
      e.state = advance(fact) as never;
      e.list = null;
      const list = d.ecpLists[fact.list]!;
      list.ecps = list.ecps.filter((x) => x !== id);
      return;
    }
    case 'FltAcknowledgeEcp':
    case 'FltPrepareToReuseEcp':
    case 'EcpTargetAdjusted':
      d.ecps[id]!.state = advance(fact) as never;
      return;
    case 'FltFreeExtraCreateParameter': {
      advance(fact);
      const list = d.ecps[id]!.list;
      if (list !== null && d.ecpLists[list] !== undefined) d.ecpLists[list]!.ecps = d.ecpLists[list]!.ecps.filter((x) => x !== id);
      delete d.ecps[id];
      return;
    }
    default:
      assertNever(fact, 'ecp fact');
  }
}
