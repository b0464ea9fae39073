/**
 * The cancel-safe callback-data queue, FLT_CALLBACK_DATA_QUEUE (§19.4). The queued operations
 * are data (the fold keeps their ids in insertion order); the machine decides whether an
 * insertion may happen:
 *
 *   Enabled --FltCbdqDisable--> Disabled --FltCbdqEnable--> Enabled
 *
 * FltCbdqInitialize is the first fact (the queue starts enabled). In Disabled only a refused
 * FltCbdqInsertIo (STATUS_FLT_CBDQ_DISABLED) is accepted; removals and the cancel path work in
 * both states, since a disabled queue is drained.
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { STATUS_FLT_CBDQ_DISABLED } from '../wdk/ntstatus.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type CbdqEvent =
  | FactOf<'FltCbdqInitialize'>
  | FactOf<'FltCbdqInsertIo'>
  | FactOf<'FltCbdqRemoveIo'>
  | FactOf<'FltCbdqRemoveNextIo'>
  | FactOf<'CbdqCompleteCanceledIo'>
  | FactOf<'FltCbdqDisable'>
  | FactOf<'FltCbdqEnable'>
  | FactOf<'VerifierViolation'>;

export type CbdqState = 'Enabled' | 'Disabled';

const inBoth = { VerifierViolation: {}, FltCbdqRemoveIo: {}, FltCbdqRemoveNextIo: {}, CbdqCompleteCanceledIo: {} } as const;

export const cbdqMachine = setup({
  types: {} as { context: MachineContext; events: CbdqEvent; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
  guards: { refused: ({ event }) => event.type === 'FltCbdqInsertIo' && event.status === STATUS_FLT_CBDQ_DISABLED },
}).createMachine({
  id: 'cbdq',
  context: contextFromInput,
  initial: 'Enabled',
  on: { '*': { actions: 'rejectEvent' }, FltCbdqInitialize: { target: '.Enabled' } },
  states: {
    Enabled: { on: { ...inBoth, FltCbdqInsertIo: {}, FltCbdqEnable: {}, FltCbdqDisable: 'Disabled' } },
    Disabled: { on: { ...inBoth, FltCbdqInsertIo: [{ guard: 'refused' }], FltCbdqDisable: {}, FltCbdqEnable: 'Enabled' } },
  },
});
