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
 *
 * Every state has two parts, NotRegisteredForDataScan and RegisteredForDataScan: FltRegisterForDataScan
 * (§24.4, accepted in InstanceSetup and Attached, once) moves to the second, and every transition from
 * a registered part enters the registered part of its target, so the registration lasts the
 * instance's life (src/machines/twoParts.ts). The part decides whether FltCreateSectionForDataScan
 * may create a section.
 */
import { setup, type SnapshotFrom, type StateValue } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { NT_SUCCESS } from '../wdk/ntstatus.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';
import { subState, topState } from './stateValue.js';
import { withTwoParts, type TwoParts } from './twoParts.js';

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

/** FltRegisterForDataScan is accepted in InstanceSetup and Attached (§24.4: before or after InstanceSetup returns), once. */
const DATA_SCAN_PARTS: TwoParts = {
  machine: 'instance',
  first: 'NotRegisteredForDataScan',
  second: 'RegisteredForDataScan',
  enterIn: new Set(['InstanceSetup', 'Attached']),
  enter: { event: 'FltRegisterForDataScan' },
};

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
  states: withTwoParts(DATA_SCAN_PARTS, {
    InstanceSetup: {
      on: {
        ...bookkeeping,
        InstanceSetupReturned: [{ guard: 'returnedSuccess', target: 'Attached' }, { target: 'Declined' }],
      },
    },
    Declined: { on: { ...bookkeeping } },
    Attached: {
      on: { ...bookkeeping, InstanceQueryTeardown: 'QueryTeardown', InstanceTeardownStart: 'TeardownStart' },
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
  } as const),
});

/** The instance's top-level state (what views and `InstanceObject.state` name). */
export function instanceState(snapshot: SnapshotFrom<typeof instanceMachine>): InstanceState {
  return topState(snapshot.value) as InstanceState;
}

/** FltRegisterForDataScan succeeded on the instance (its RegisteredForDataScan part). */
export function registeredForDataScan(snapshot: SnapshotFrom<typeof instanceMachine>): boolean {
  return subState(snapshot.value) === 'RegisteredForDataScan';
}

/** The machine value of an instance whose view says `state` and `registeredForDataScan` (what a fold resumes from). */
export function instanceStateValue(state: InstanceState, registered: true | undefined): StateValue {
  return { [state]: registered === true ? 'RegisteredForDataScan' : 'NotRegisteredForDataScan' };
}
