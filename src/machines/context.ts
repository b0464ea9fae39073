/**
 * The context object (FLT_CONTEXT), §15.
 *
 *   Allocated --ContextLinked--> Linked                 (FltSet*Context succeeded)
 *   Linked --ContextUnlinked--> Deleting                (FltDelete*Context, REPLACE, or FltMgr at its object's teardown)
 *   Allocated | Deleting --ContextCleanupCallback--> CleanupCallback   (the last reference is gone)
 *   Allocated | Deleting | CleanupCallback --ContextFreed--> Freed
 *
 * The reference count is data carried by every fact (`count`, the count after it). The machine
 * guards what the count may do in each state: a linked context always holds the object's
 * reference, so its count never reaches zero there; cleanup and free need a count of zero, and a
 * context whose count reached zero takes no new reference. A fact the guards refuse means the
 * routine skipped a check; the kernel turns it into an internal error before it is logged.
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type ContextEvent =
  | FactOf<'FltReferenceContext'>
  | FactOf<'FltReleaseContext'>
  | FactOf<'ContextLinked'>
  | FactOf<'ContextUnlinked'>
  | FactOf<'ContextCleanupCallback'>
  | FactOf<'ContextFreed'>
  | FactOf<'RoutineFailed'>
  | FactOf<'VerifierViolation'>;

export type ContextState = 'Allocated' | 'Linked' | 'Deleting' | 'CleanupCallback' | 'Freed';

export const contextMachine = setup({
  types: {} as { context: MachineContext; events: ContextEvent; input: MachineInput },
  actions: {
    rejectEvent: ({ context, event }) => context.reject(event),
  },
  guards: {
    /** References are taken only on a context someone still references (count before ≥ 1). */
    referencedBefore: ({ event }) => 'count' in event && event.count >= 2,
    /** The object's reference keeps a linked context's count at 1 or more. */
    keepsObjectReference: ({ event }) => 'count' in event && event.count >= 1,
    countNotNegative: ({ event }) => 'count' in event && event.count >= 0,
  },
}).createMachine({
  id: 'context',
  context: contextFromInput,
  initial: 'Allocated',
  on: { '*': { actions: 'rejectEvent' }, RoutineFailed: {}, VerifierViolation: {} },
  states: {
    Allocated: {
      on: {
        FltReferenceContext: { guard: 'referencedBefore' },
        FltReleaseContext: { guard: 'countNotNegative' },
        ContextLinked: { guard: 'referencedBefore', target: 'Linked' },
        ContextCleanupCallback: 'CleanupCallback',
        ContextFreed: 'Freed',
      },
    },
    Linked: {
      on: {
        FltReferenceContext: { guard: 'referencedBefore' },
        FltReleaseContext: { guard: 'keepsObjectReference' },
        ContextUnlinked: { guard: 'countNotNegative', target: 'Deleting' },
      },
    },
    Deleting: {
      on: {
        FltReferenceContext: { guard: 'referencedBefore' },
        FltReleaseContext: { guard: 'countNotNegative' },
        ContextCleanupCallback: 'CleanupCallback',
        ContextFreed: 'Freed',
      },
    },
    CleanupCallback: { on: { ContextFreed: 'Freed' } },
    Freed: {},
  },
});
