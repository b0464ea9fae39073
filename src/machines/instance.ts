/**
 * The instance object (PFLT_INSTANCE), §3–§4.
 *
 *   InstanceSetup --InstanceSetupReturned(success)--> Attached
 *   InstanceSetup --InstanceSetupReturned(warning/error)--> Declined              (final)
 *   Attached --InstanceQueryTeardown--> QueryTeardown                              (manual detach only)
 *   QueryTeardown --InstanceQueryTeardownReturned(veto)--> Attached
 *   QueryTeardown --InstanceQueryTeardownReturned(success)--> TeardownApproved
 *   Attached | TeardownApproved --InstanceTeardownStart--> TeardownStart
 *   TeardownStart --InstanceTeardownStartReturned--> Draining
 *   Draining --InstanceTeardownComplete--> TeardownComplete
 *   TeardownComplete --InstanceTeardownCompleteReturned--> Detached
 *   Detached --InstanceFreed--> Freed                                              (last rundown ref gone)
 *
 * Draining is where FltMgr waits for pended operations and generated I/O of the instance (§4 step 4).
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { NT_SUCCESS } from '../wdk/ntstatus.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type InstanceEvent =
  | FactOf<'FltRegisterForDataScan'>
  | FactOf<'InstanceSetupReturned'>
  | FactOf<'InstanceQueryTeardown'>
  | FactOf<'InstanceQueryTeardownReturned'>
  | FactOf<'InstanceTeardownStart'>
  | FactOf<'InstanceTeardownStartReturned'>
  | FactOf<'InstanceTeardownComplete'>
  | FactOf<'InstanceTeardownCompleteReturned'>
  | FactOf<'InstanceFreed'>
  | FactOf<'RundownWait'>
  | FactOf<'FltObjectReference'>
  | FactOf<'FltObjectDereference'>
  | FactOf<'RoutineFailed'>
  | FactOf<'VerifierViolation'>;

export type InstanceState =
  | 'InstanceSetup'
  | 'Declined'
  | 'Attached'
  | 'QueryTeardown'
  | 'TeardownApproved'
  | 'TeardownStart'
  | 'Draining'
  | 'TeardownComplete'
  | 'Detached'
  | 'Freed';

const bookkeeping = {
  FltObjectReference: {},
  FltObjectDereference: {},
  RoutineFailed: {},
  VerifierViolation: {},
} as const;

export const instanceMachine = setup({
  types: {} as { context: MachineContext; events: InstanceEvent; input: MachineInput },
  actions: {
    rejectEvent: ({ context, event }) => context.reject(event),
  },
  guards: {
    returnedSuccess: ({ event }) => 'status' in event && NT_SUCCESS(event.status),
  },
}).createMachine({
  id: 'instance',
  context: contextFromInput,
  initial: 'InstanceSetup',
  on: { '*': { actions: 'rejectEvent' } },
  states: {
    InstanceSetup: {
      on: {
        ...bookkeeping,
        FltRegisterForDataScan: {},
        InstanceSetupReturned: [{ guard: 'returnedSuccess', target: 'Attached' }, { target: 'Declined' }],
      },
    },
    Declined: { on: { ...bookkeeping } },
    Attached: {
      on: { ...bookkeeping, FltRegisterForDataScan: {}, InstanceQueryTeardown: 'QueryTeardown', InstanceTeardownStart: 'TeardownStart' },
    },
    QueryTeardown: {
      on: {
        ...bookkeeping,
        InstanceQueryTeardownReturned: [{ guard: 'returnedSuccess', target: 'TeardownApproved' }, { target: 'Attached' }],
      },
    },
    TeardownApproved: { on: { ...bookkeeping, InstanceTeardownStart: 'TeardownStart' } },
    TeardownStart: { on: { ...bookkeeping, InstanceTeardownStartReturned: 'Draining' } },
    Draining: { on: { ...bookkeeping, RundownWait: {}, InstanceTeardownComplete: 'TeardownComplete' } },
    TeardownComplete: { on: { ...bookkeeping, InstanceTeardownCompleteReturned: 'Detached' } },
    Detached: { on: { ...bookkeeping, InstanceFreed: 'Freed' } },
    Freed: { on: { RoutineFailed: {}, VerifierViolation: {} } },
  },
});
