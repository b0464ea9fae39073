/**
 * The filter object (PFLT_FILTER), §2.
 *
 *   Registered --FltStartFiltering--> Filtering --FilterUnloadCallback--> UnloadCallback
 *   UnloadCallback --FilterUnloadReturned--> Filtering          (vetoed, or returned without unregistering)
 *   Registered | Filtering | UnloadCallback --FltUnregisterFilter--> Unregistering
 *   Unregistering --FltUnregisterFilterReturned--> Unregistered
 *   Unregistered --FilterUnloadReturned | DriverUnload--> Unloaded
 *
 * Unload requests are accepted only in Filtering: a filter that has not started filtering is
 * still inside DriverEntry (fltsim answers STATUS_FLT_FILTER_NOT_READY, a documented choice).
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type FilterEvent =
  | FactOf<'FltStartFiltering'>
  | FactOf<'FilterUnloadCallback'>
  | FactOf<'FilterUnloadReturned'>
  | FactOf<'FltUnregisterFilter'>
  | FactOf<'FltUnregisterFilterReturned'>
  | FactOf<'DriverUnload'>
  | FactOf<'RundownWait'>
  | FactOf<'FltObjectReference'>
  | FactOf<'FltObjectDereference'>
  | FactOf<'RoutineFailed'>
  | FactOf<'VerifierViolation'>;

export type FilterState = 'Registered' | 'Filtering' | 'UnloadCallback' | 'Unregistering' | 'Unregistered' | 'Unloaded';

/** Facts that never change a filter's lifecycle state but are still about it. */
const bookkeeping = {
  FltObjectReference: {},
  FltObjectDereference: {},
  RoutineFailed: {},
  VerifierViolation: {},
} as const;

export const filterMachine = setup({
  types: {} as { context: MachineContext; events: FilterEvent; input: MachineInput },
  actions: {
    rejectEvent: ({ context, event }) => context.reject(event),
  },
}).createMachine({
  id: 'filter',
  context: contextFromInput,
  initial: 'Registered',
  on: { '*': { actions: 'rejectEvent' } },
  states: {
    Registered: {
      on: { ...bookkeeping, FltStartFiltering: 'Filtering', FltUnregisterFilter: 'Unregistering' },
    },
    Filtering: {
      on: { ...bookkeeping, FilterUnloadCallback: 'UnloadCallback', FltUnregisterFilter: 'Unregistering' },
    },
    UnloadCallback: {
      on: { ...bookkeeping, FilterUnloadReturned: 'Filtering', FltUnregisterFilter: 'Unregistering' },
    },
    Unregistering: {
      on: { ...bookkeeping, RundownWait: {}, FltUnregisterFilterReturned: 'Unregistered' },
    },
    Unregistered: {
      on: { ...bookkeeping, FilterUnloadReturned: 'Unloaded', DriverUnload: 'Unloaded' },
    },
    Unloaded: {
      on: { ...bookkeeping },
    },
  },
});
