/**
 * A memory descriptor list (§20.3, §20.4): describes the pages of a buffer. Built by IoAllocateMdl
 * (a filter swapping buffers) or by FltLockUserBuffer (FltMgr, for the operation); its pages must be
 * locked before MmGetSystemAddressForMdlSafe maps them.
 *
 *   Allocated --MdlLocked--> Locked
 *   Allocated | Locked --IoFreeMdl--> Freed
 *
 * An MDL a pre-op swapped into an operation is freed by FltMgr after that instance's post-op, unless
 * the post-op calls FltRetainSwappedBufferMdlAddress: then the filter frees it (§20.6). Locked and
 * Freed each have two parts, NotRetained and Retained, because a post-op may free the MDL before it
 * calls the routine (the order inside the post-op does not matter on Windows): FltMgr asks the part
 * when the post-op is done, whatever the order was.
 */
import { setup, type SnapshotFrom, type StateValue } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';
import { subState, topState } from './stateValue.js';

export type MdlState = 'Allocated' | 'Locked' | 'Freed';

export type MdlEvent = FactOf<'MdlLocked'> | FactOf<'IoFreeMdl'> | FactOf<'FltRetainSwappedBufferMdlAddress'> | FactOf<'RoutineFailed'> | FactOf<'VerifierViolation'>;

export const mdlMachine = setup({
  types: {} as { context: MachineContext; events: MdlEvent; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
}).createMachine({
  id: 'mdl',
  context: contextFromInput,
  initial: 'Allocated',
  on: { '*': { actions: 'rejectEvent' }, RoutineFailed: {}, VerifierViolation: {} },
  states: {
    Allocated: { on: { MdlLocked: 'Locked', IoFreeMdl: 'Freed' } },
    Locked: {
      initial: 'NotRetained',
      states: {
        NotRetained: { on: { FltRetainSwappedBufferMdlAddress: 'Retained', IoFreeMdl: '#mdl.Freed.NotRetained' } },
        Retained: { on: { FltRetainSwappedBufferMdlAddress: {}, IoFreeMdl: '#mdl.Freed.Retained' } },
      },
    },
    Freed: {
      initial: 'NotRetained',
      states: {
        NotRetained: { on: { FltRetainSwappedBufferMdlAddress: 'Retained' } },
        Retained: { on: { FltRetainSwappedBufferMdlAddress: {} } },
      },
    },
  },
});

/** The MDL's top-level state. */
export function mdlState(snapshot: SnapshotFrom<typeof mdlMachine>): MdlState {
  return topState(snapshot.value) as MdlState;
}

/** A swapping post-op retained it (FltRetainSwappedBufferMdlAddress): the filter frees it, not FltMgr. */
export function isRetained(snapshot: SnapshotFrom<typeof mdlMachine>): boolean {
  return subState(snapshot.value) === 'Retained';
}

/** The machine value of an MDL whose view says `state` and `retained` (what a fold resumes from). */
export function mdlStateValue(state: MdlState, retained: true | undefined): StateValue {
  return state === 'Locked' ? { Locked: retained === true ? 'Retained' : 'NotRetained' } : state;
}
