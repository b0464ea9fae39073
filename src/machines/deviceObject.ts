/**
 * DEVICE_OBJECT (a driver's own device, outside any volume stack: the control device object a
 * minifilter creates with IoCreateDevice for its user-mode clients, wdk-samples "cdo").
 *
 *   Created --IoDeleteDevice [no references]--> Deleted           (freed at once)
 *   Created --IoDeleteDevice [references]--> DeletePending        (the name is gone; open file objects keep it)
 *   DeletePending --DeviceDereferenced [count 0]--> Deleted       (the last file object on it closed)
 *
 * The reference count (DEVICE_OBJECT.ReferenceCount: one per file object opened on the device) is
 * data carried by each fact; a fast I/O call (FastIoCall) changes nothing. Only a Created device can be opened by name; IRPs for file objects
 * already open still reach the driver while the deletion is pending, as IoDeleteDevice documents.
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type DeviceObjectState = 'Created' | 'DeletePending' | 'Deleted';

export type DeviceObjectEvent =
  | FactOf<'IoDeleteDevice'>
  | FactOf<'DeviceReferenced'>
  | FactOf<'DeviceDereferenced'>
  | FactOf<'FastIoCall'>
  | FactOf<'RoutineFailed'>
  | FactOf<'VerifierViolation'>;

export const deviceObjectMachine = setup({
  types: {} as { context: MachineContext; events: DeviceObjectEvent; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
  guards: {
    unreferenced: ({ event }) => event.type === 'IoDeleteDevice' && event.references === 0,
    lastReference: ({ event }) => event.type === 'DeviceDereferenced' && event.count === 0,
    countNotNegative: ({ event }) => 'count' in event && event.count >= 0,
  },
}).createMachine({
  id: 'deviceObject',
  context: contextFromInput,
  initial: 'Created',
  on: { '*': { actions: 'rejectEvent' }, RoutineFailed: {}, VerifierViolation: {} },
  states: {
    Created: {
      on: {
        FastIoCall: {},
        DeviceReferenced: {},
        DeviceDereferenced: { guard: 'countNotNegative' },
        IoDeleteDevice: [{ guard: 'unreferenced', target: 'Deleted' }, { target: 'DeletePending' }],
      },
    },
    DeletePending: {
      on: {
        FastIoCall: {},
        DeviceDereferenced: [{ guard: 'lastReference', target: 'Deleted' }, { guard: 'countNotNegative' }],
      },
    },
    Deleted: {},
  },
});
