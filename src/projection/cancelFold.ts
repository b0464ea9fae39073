/**
 * The fold of cancellation (§19): the IRP behind an operation once its cancel state matters (who
 * armed its cancel routine is a part of the IRP machine's Cancelable state), and cancel-safe
 * callback-data queues with what they hold.
 * One part of foldLog (src/projection/fold.ts), which hands it the facts `isCancelFact` accepts.
 */
import type { Draft } from 'immer';
import { assertNever, type Fact, type FactOf } from '../kernel/facts.js';
import { cbdqMachine } from '../machines/cbdq.js';
import { irpMachine } from '../machines/irp.js';
import { splitStatePath } from '../machines/stateValue.js';
import { NT_SUCCESS } from '../wdk/ntstatus.js';
import type { SimState } from './simState.js';
import type { Advance, Born } from './fold.js';

const CANCEL_FACTS = [
  'IoSetCancelRoutine',
  'CancelRoutineCleared',
  'IoCancelIrp',
  'IoCompleteRequest',
  'FltCbdqInitialize',
  'FltCbdqInsertIo',
  'FltCbdqRemoveIo',
  'FltCbdqRemoveNextIo',
  'CbdqCompleteCanceledIo',
  'FltCbdqDisable',
  'FltCbdqEnable',
] as const;
const CANCEL_FACT_SET: ReadonlySet<string> = new Set(CANCEL_FACTS);

export type CancelFact = FactOf<(typeof CANCEL_FACTS)[number]>;

export function isCancelFact(fact: Fact): fact is CancelFact {
  return CANCEL_FACT_SET.has(fact.type);
}

export function applyCancelFact(d: Draft<SimState>, fact: CancelFact, born: Born, advance: Advance): void {
  const id = fact.object;
  switch (fact.type) {
    case 'IoSetCancelRoutine':
    case 'CancelRoutineCleared':
    case 'IoCancelIrp': {
      // An IRP is born with its first cancel fact (src/io/irpCancel.ts).
      if (d.irps[id] === undefined) {
        born(id, irpMachine);
        d.irps[id] = { operation: fact.operation, state: 'NotCancelable', routine: null };
      }
      const irp = d.irps[id]!;
      // Cancelable's part is who armed the routine (src/machines/irp.ts).
      const [state, routine] = splitStatePath(advance(fact)!);
      irp.state = state as never;
      irp.routine = routine as never;
      return;
    }
    case 'IoCompleteRequest':
      advance(fact);
      delete d.irps[id];
      return;
    case 'FltCbdqInitialize':
      if (d.cbdqs[id] === undefined) born(id, cbdqMachine);
      d.cbdqs[id] = { name: fact.name, instance: fact.instance, state: advance(fact) as never, queued: [] };
      return;
    case 'FltCbdqInsertIo': {
      const q = d.cbdqs[id]!;
      q.state = advance(fact) as never;
      if (NT_SUCCESS(fact.status)) q.queued.push(fact.operation);
      return;
    }
    case 'FltCbdqRemoveIo':
    case 'FltCbdqRemoveNextIo':
    case 'CbdqCompleteCanceledIo': {
      const q = d.cbdqs[id]!;
      q.state = advance(fact) as never;
      const at = fact.operation === null ? -1 : q.queued.indexOf(fact.operation);
      if (at >= 0) q.queued.splice(at, 1);
      return;
    }
    case 'FltCbdqDisable':
    case 'FltCbdqEnable':
      d.cbdqs[id]!.state = advance(fact) as never;
      return;
    default:
      assertNever(fact, 'cancel fact');
  }
}
