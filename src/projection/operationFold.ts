/**
 * The fold of callback data (one per operation, D…): its walk through pre, the file system and
 * post as the callback-data machine says, who pended it, and when it leaves the state (at IoComplete
 * for FltMgr's own data, at FltFreeCallbackData for data a filter allocated).
 * One part of foldLog (src/projection/fold.ts), which hands it the facts `isOperationFact` accepts.
 */
import type { Draft } from 'immer';
import { assertNever, type Fact, type FactOf } from '../kernel/facts.js';
import { callbackDataMachine } from '../machines/callbackData.js';
import { splitStatePath } from '../machines/stateValue.js';
import type { SimState } from './simState.js';
import type { Advance, Born } from './fold.js';

const OPERATION_FACTS = [
  'FltAllocateCallbackData',
  'IoStart',
  'FltReuseCallbackData',
  'AsyncIoCallback',
  'AsyncIoCallbackReturned',
  'FltReissueSynchronousIo',
  'FltFreeCallbackData',
  'FltRequestOperationStatusCallback',
  'OperationStatusCallback',
  'OperationStatusCallbackReturned',
  'PreOperationReturned',
  'PostOperationReturned',
  'FltCompletePendedPreOperation',
  'FltCompletePendedPostOperation',
  'PreOperation',
  'LegacyFilterDispatch',
  'LegacyFilterCompletion',
  'FsDispatch',
  'FsPending',
  'FsComplete',
  'FsFastIoDeclined',
  'PostOperation',
  'DrainPostOperation',
  'DrainPostOperationReturned',
  'IoComplete',
] as const;
const OPERATION_FACT_SET: ReadonlySet<string> = new Set(OPERATION_FACTS);

export type OperationFact = FactOf<(typeof OPERATION_FACTS)[number]>;

export function isOperationFact(fact: Fact): fact is OperationFact {
  return OPERATION_FACT_SET.has(fact.type);
}

/** The top-level state of a `statePath`: what a view whose machine has parts it does not show records. */
function topOf(path: string | null): string | null {
  return path === null ? null : splitStatePath(path)[0];
}

export function applyOperationFact(d: Draft<SimState>, fact: OperationFact, born: Born, advance: Advance): void {
  const id = fact.object;
  switch (fact.type) {
    case 'FltAllocateCallbackData':
      d.operations[id] = {
        major: 0,
        fileObject: fact.fileObject,
        volume: fact.volume,
        initiator: fact.instance,
        thread: null,
        state: born(id, callbackDataMachine) as never,
        pendedBy: null,
        allocatedBy: fact.instance,
      };
      return;
    case 'IoStart': {
      // FltMgr's own data is born with its IoStart; a filter's allocated data was born earlier.
      const existing = d.operations[id];
      if (existing === undefined) born(id, callbackDataMachine);
      d.operations[id] = {
        major: fact.major,
        fileObject: fact.fileObject,
        volume: fact.volume,
        initiator: fact.initiator,
        thread: fact.thread,
        state: advance(fact) as never,
        pendedBy: null,
        allocatedBy: existing?.allocatedBy ?? null,
      };
      return;
    }
    case 'FltReuseCallbackData':
    case 'AsyncIoCallback':
    case 'AsyncIoCallbackReturned': // may follow a free inside the callback: the view is gone then

    case 'FltReissueSynchronousIo': {
      // Completed's parts (IoCompleted, AsyncIoCallbackCalled) are the engine's; the view names Completed.
      const state = topOf(advance(fact));
      const op = d.operations[id];
      if (op !== undefined) op.state = state as never;
      return;
    }
    case 'FltFreeCallbackData':
      advance(fact);
      delete d.operations[id];
      return;
    // A request lives on the operation until its callback; neither changes an object's state.
    case 'FltRequestOperationStatusCallback':
    case 'OperationStatusCallback':
    case 'OperationStatusCallbackReturned':
      return;
    case 'PreOperationReturned':
    case 'PostOperationReturned': {
      const op = d.operations[id]!;
      op.state = advance(fact) as never;
      op.pendedBy = op.state === 'PrePended' || op.state === 'PostPended' ? fact.instance : null;
      return;
    }
    case 'FltCompletePendedPreOperation':
    case 'FltCompletePendedPostOperation': {
      const op = d.operations[id]!;
      op.state = advance(fact) as never;
      op.pendedBy = null;
      return;
    }
    case 'PreOperation':
    case 'LegacyFilterDispatch':
    case 'LegacyFilterCompletion':
    case 'FsDispatch':
    case 'FsPending':
    case 'FsComplete':
    case 'FsFastIoDeclined':
    case 'PostOperation':
    case 'DrainPostOperation':
      d.operations[id]!.state = advance(fact) as never;
      return;
    case 'DrainPostOperationReturned': {
      // May come after the operation completed and left the state (the drain ran on a copy).
      const state = topOf(advance(fact));
      const op = d.operations[id];
      if (op !== undefined) op.state = state as never;
      return;
    }
    case 'IoComplete': {
      const state = topOf(advance(fact));
      const op = d.operations[id]!;
      if (op.allocatedBy === null) delete d.operations[id];
      else op.state = state as never;
      return;
    }
    default:
      assertNever(fact, 'operation fact');
  }
}
