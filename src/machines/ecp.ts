/**
 * Extra create parameters (§22.2): the ECP list and the ECP context, one machine each.
 *
 * ECP list:     Allocated --FltFreeExtraCreateParameterList--> Freed
 *
 * ECP context:  Allocated --FltInsertExtraCreateParameter--> Inserted
 *               Inserted --FltAcknowledgeEcp--> Acknowledged --FltPrepareToReuseEcp--> Inserted
 *               Inserted --EcpTargetAdjusted--> Acknowledged   (FltCreateFileEx2 filled a target ECP, §22.3)
 *               Inserted | Acknowledged --FltRemoveExtraCreateParameter--> Allocated
 *               Allocated --FltFreeExtraCreateParameter--> Freed
 *               Inserted | Acknowledged --FltFreeExtraCreateParameter(withList)--> Freed   (its list was freed)
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type EcpListState = 'Allocated' | 'Freed';
export type EcpState = 'Allocated' | 'Inserted' | 'Acknowledged' | 'Freed';

export const ecpListMachine = setup({
  types: {} as { context: MachineContext; events: FactOf<'FltFreeExtraCreateParameterList'> | FactOf<'RoutineFailed'> | FactOf<'VerifierViolation'>; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
}).createMachine({
  id: 'ecpList',
  context: contextFromInput,
  initial: 'Allocated',
  on: { '*': { actions: 'rejectEvent' }, RoutineFailed: {}, VerifierViolation: {} },
  states: {
    Allocated: { on: { FltFreeExtraCreateParameterList: 'Freed' } },
    Freed: {},
  },
});

export type EcpEvent =
  | FactOf<'FltInsertExtraCreateParameter'>
  | FactOf<'FltRemoveExtraCreateParameter'>
  | FactOf<'FltAcknowledgeEcp'>
  | FactOf<'FltPrepareToReuseEcp'>
  | FactOf<'EcpTargetAdjusted'>
  | FactOf<'FltFreeExtraCreateParameter'>
  | FactOf<'RoutineFailed'>
  | FactOf<'VerifierViolation'>;

export const ecpMachine = setup({
  types: {} as { context: MachineContext; events: EcpEvent; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
  guards: { withList: ({ event }) => event.type === 'FltFreeExtraCreateParameter' && event.withList },
}).createMachine({
  id: 'ecp',
  context: contextFromInput,
  initial: 'Allocated',
  on: { '*': { actions: 'rejectEvent' }, RoutineFailed: {}, VerifierViolation: {} },
  states: {
    Allocated: { on: { FltInsertExtraCreateParameter: 'Inserted', FltFreeExtraCreateParameter: 'Freed' } },
    Inserted: {
      on: {
        FltAcknowledgeEcp: 'Acknowledged',
        EcpTargetAdjusted: 'Acknowledged',
        FltRemoveExtraCreateParameter: 'Allocated',
        FltFreeExtraCreateParameter: { guard: 'withList', target: 'Freed' },
      },
    },
    Acknowledged: {
      on: {
        FltPrepareToReuseEcp: 'Inserted',
        FltRemoveExtraCreateParameter: 'Allocated',
        FltFreeExtraCreateParameter: { guard: 'withList', target: 'Freed' },
      },
    },
    Freed: {},
  },
});
