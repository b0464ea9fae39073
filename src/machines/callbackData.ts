/**
 * Callback data (FLT_CALLBACK_DATA): one per operation, §7, §8.
 *
 *   PreOperation --PreOperationReturned(PENDING)--> PrePended --FltCompletePendedPreOperation--> PreOperation
 *   PreOperation --FsDispatch--> Dispatched --FsPending--> FsPending --FsComplete--> PostOperation
 *   Dispatched --FsComplete--> PostOperation
 *   Dispatched --FsFastIoDeclined--> PostOperation   (fast I/O the file system's routine would not do, §24.2)
 *   PreOperation --PostOperation--> PostOperation        (a pre-op completed it: only higher posts run)
 *   PostOperation --PostOperationReturned(MORE_PROCESSING_REQUIRED)--> PostPended
 *   PostPended --FltCompletePendedPostOperation--> PostOperation
 *   PreOperation | PostOperation --IoComplete--> Completed
 *
 * A pre-op that swaps the data buffers (§20.6) is BuffersSwapped, in PreOperation only; a teardown
 * that finds such an operation cancels it (SwappedOperationCancelled) wherever it is.
 *
 * Draining post-operations (§4) run on a copy of the data while the operation is anywhere before
 * Completed; they do not move the original, so they are bookkeeping in every live state.
 *
 * Callback data a filter allocates (§11.8–11.12) starts in Allocated and comes back there on reuse:
 *
 *   Allocated --IoStart--> PreOperation ... Completed --FltReuseCallbackData--> Allocated
 *   Allocated | Completed --FltFreeCallbackData--> Freed                          (final)
 *
 * Data FltMgr builds itself is born with its IoStart, so its actor starts in Allocated and takes
 * IoStart at once.
 *
 * Completed has two parts: IoCompleted, then AsyncIoCallbackCalled once the run's completion
 * routine was called (FltPerformAsynchronousIo, an asynchronous FltReadFile / FltWriteFile, §11.10).
 * A run issued with a completion routine owes that call from its start until AsyncIoCallbackCalled:
 * until then the data may not be freed or reused (FREE_BEFORE_CALLBACK), and the initiator's
 * unload waits for it. Whether a run has a completion routine is the run's parameter (the routine
 * the issuer passed), not a state; whether it was called is the machine's.
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { FLT_POSTOP_MORE_PROCESSING_REQUIRED, FLT_PREOP_PENDING } from '../wdk/fltConstants.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type CallbackDataEvent =
  | FactOf<'PreOperation'>
  | FactOf<'PreOperationReturned'>
  | FactOf<'FltCompletePendedPreOperation'>
  | FactOf<'LegacyFilterDispatch'>
  | FactOf<'LegacyFilterCompletion'>
  | FactOf<'FsDispatch'>
  | FactOf<'FsPending'>
  | FactOf<'FsComplete'>
  | FactOf<'FsFastIoDeclined'>
  | FactOf<'PostOperation'>
  | FactOf<'PostOperationReturned'>
  | FactOf<'FltCompletePendedPostOperation'>
  | FactOf<'DrainPostOperation'>
  | FactOf<'DrainPostOperationReturned'>
  | FactOf<'IoComplete'>
  | FactOf<'IoStart'>
  | FactOf<'FltReuseCallbackData'>
  | FactOf<'FltFreeCallbackData'>
  | FactOf<'AsyncIoCallback'>
  | FactOf<'AsyncIoCallbackReturned'>
  | FactOf<'FltReissueSynchronousIo'>
  | FactOf<'FltRequestOperationStatusCallback'>
  | FactOf<'OperationStatusCallback'>
  | FactOf<'OperationStatusCallbackReturned'>
  | FactOf<'BuffersSwapped'>
  | FactOf<'SwappedOperationCancelled'>
  | FactOf<'RoutineFailed'>
  | FactOf<'VerifierViolation'>;

export type CallbackDataState = 'Allocated' | 'Freed' | 'PreOperation' | 'PrePended' | 'Dispatched' | 'FsPending' | 'PostOperation' | 'PostPended' | 'Completed';

/** The states in which a run is being walked (started and not completed). */
export const IN_FLIGHT: ReadonlySet<string> = new Set<CallbackDataState>(['PreOperation', 'PrePended', 'Dispatched', 'FsPending', 'PostOperation', 'PostPended']);

const bookkeeping = {
  // The callback of the last run returns: its data may already be reused and issued again by
  // another thread (NameChanger reissues from a work item queued inside the callback, §11.10).
  AsyncIoCallbackReturned: {},
  DrainPostOperation: {},
  DrainPostOperationReturned: {},
  // A teardown cancels an operation whose buffers its instance swapped wherever the operation is (§20.6).
  SwappedOperationCancelled: {},
  RoutineFailed: {},
  VerifierViolation: {},
} as const;

// FltRequestOperationStatusCallback's callback runs when the send below returns: before the file
// system completes (it pended), or after the completion this thread ran inside the send, by which
// time an asynchronous completion callback may have reused or freed the data (src/io/operationStatus.ts).
const statusCallback = { OperationStatusCallback: {}, OperationStatusCallbackReturned: {} } as const;

export const callbackDataMachine = setup({
  types: {} as { context: MachineContext; events: CallbackDataEvent; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
  guards: {
    pended: ({ event }) => event.type === 'PreOperationReturned' && event.result === FLT_PREOP_PENDING,
    postPended: ({ event }) => event.type === 'PostOperationReturned' && event.result === FLT_POSTOP_MORE_PROCESSING_REQUIRED,
  },
}).createMachine({
  id: 'callbackData',
  context: contextFromInput,
  initial: 'Allocated',
  on: { '*': { actions: 'rejectEvent' } },
  states: {
    // AsyncIoCallbackReturned: a completion callback may reuse or free its data before returning.
    // AsyncIoCallback: FltPerformAsynchronousIo refused before issuing still calls back once (§11.10).
    Allocated: { on: { ...bookkeeping, ...statusCallback, AsyncIoCallback: {}, AsyncIoCallbackReturned: {}, IoStart: 'PreOperation', FltFreeCallbackData: 'Freed' } },
    // DrainPostOperationReturned: a teardown's drain runs the post-op on a copy of the data (§4), so
    // the operation may complete and its owner free the data while the drain is still in the callback.
    Freed: { on: { ...statusCallback, RoutineFailed: {}, VerifierViolation: {}, AsyncIoCallbackReturned: {}, DrainPostOperationReturned: {} } },
    PreOperation: {
      on: {
        ...bookkeeping,
        PreOperation: {},
        FltRequestOperationStatusCallback: {},
        PreOperationReturned: [{ guard: 'pended', target: 'PrePended' }, {}],
        // Only a pre-op's result can swap buffers (§20.6).
        BuffersSwapped: {},
        LegacyFilterDispatch: {},
        FsDispatch: 'Dispatched',
        PostOperation: 'PostOperation',
        LegacyFilterCompletion: 'PostOperation',
        IoComplete: 'Completed',
      },
    },
    PrePended: { on: { ...bookkeeping, FltCompletePendedPreOperation: 'PreOperation' } },
    Dispatched: { on: { ...bookkeeping, FsPending: 'FsPending', FsComplete: 'PostOperation', FsFastIoDeclined: 'PostOperation' } },
    FsPending: { on: { ...bookkeeping, ...statusCallback, FsComplete: 'PostOperation' } },
    PostOperation: {
      on: {
        ...bookkeeping,
        ...statusCallback,
        FltReissueSynchronousIo: {},
        PostOperation: {},
        PostOperationReturned: [{ guard: 'postPended', target: 'PostPended' }, {}],
        LegacyFilterCompletion: {},
        IoComplete: 'Completed',
      },
    },
    PostPended: { on: { ...bookkeeping, ...statusCallback, FltCompletePendedPostOperation: 'PostOperation' } },
    Completed: {
      initial: 'IoCompleted',
      states: {
        IoCompleted: { on: { AsyncIoCallback: 'AsyncIoCallbackCalled' } },
        AsyncIoCallbackCalled: {},
      },
      on: {
        ...statusCallback,
        RoutineFailed: {},
        VerifierViolation: {},
        // A drain started before the operation completed may return after it (the drain ran on a copy).
        DrainPostOperationReturned: {},
        AsyncIoCallbackReturned: {},
        FltReissueSynchronousIo: {},
        FltReuseCallbackData: 'Allocated',
        FltFreeCallbackData: 'Freed',
      },
    },
  },
});
