/**
 * The file object (FILE_OBJECT), §11.1–11.3, §11.13.
 *
 *   Opening --FileObjectOpened--> Opened --FileObjectHandleCreated--> HandleCreated
 *   Opening --FileObjectOpenFailed--> OpenFailed                                   (final)
 *   Opening --FileObjectDiscarded--> Discarded                                     (a fast query open's stack object, final)
 *   Opened --FileObjectOpenCancelled--> OpenCancelled                              (FltCancelFileOpen)
 *   HandleCreated | OpenCancelled --FileObjectCleanup--> CleanedUp                 (last handle gone)
 *   Opened | CleanedUp | OpenCancelled --FileObjectClose--> Closed                 (last reference gone)
 *
 * Opened is the window between the file system's success and the handle: post-create runs here, and
 * only here may FltCancelFileOpen be called (FO_HANDLE_CREATED clear).
 *
 * Every state has two parts, CacheMapNotInitialized and CacheMapInitialized (FILE_OBJECT.PrivateCacheMap
 * set): the file system's CcInitializeCacheMap at the first cached read or write it serves on an
 * opened file object moves to the second, once, and the part lasts the file object's life
 * (src/machines/twoParts.ts). The part decides whether the I/O manager tries the fast path for a
 * read or write on it (§24.2).
 */
import { setup, type SnapshotFrom, type StateValue } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';
import { subState, topState } from './stateValue.js';
import { withTwoParts, type TwoParts } from './twoParts.js';

export type FileObjectEvent =
  | FactOf<'FileObjectOpened'>
  | FactOf<'FileObjectOpenFailed'>
  | FactOf<'FileObjectHandleCreated'>
  | FactOf<'FileObjectHandleClosed'>
  | FactOf<'FileObjectUpdate'>
  | FactOf<'FileObjectOpenCancelled'>
  | FactOf<'FileObjectCleanup'>
  | FactOf<'FileObjectClose'>
  | FactOf<'CcInitializeCacheMap'>
  | FactOf<'FileObjectDiscarded'>
  | FactOf<'IoReplaceFileObjectName'>
  | FactOf<'FltCancelFileOpen'>
  | FactOf<'RoutineFailed'>
  | FactOf<'VerifierViolation'>
  | FileNameQueryEvent;

/** Name queries are facts of the file object they name (§16); they never change its state. */
type FileNameQueryEvent =
  | FactOf<'FileNameQuery'>
  | FactOf<'NameCacheMiss'>
  | FactOf<'FileSystemNameQuery'>
  | FactOf<'GenerateFileName'>
  | FactOf<'GenerateFileNameReturned'>
  | FactOf<'NormalizeNameComponent'>
  | FactOf<'NormalizeNameComponentReturned'>
  | FactOf<'NormalizeContextCleanup'>;

export type FileObjectState = 'Opening' | 'Opened' | 'OpenFailed' | 'Discarded' | 'HandleCreated' | 'OpenCancelled' | 'CleanedUp' | 'Closed';

const nameQueries = {
  FileNameQuery: {},
  NameCacheMiss: {},
  FileSystemNameQuery: {},
  GenerateFileName: {},
  GenerateFileNameReturned: {},
  NormalizeNameComponent: {},
  NormalizeNameComponentReturned: {},
  NormalizeContextCleanup: {},
} as const;

const bookkeeping = { FileObjectUpdate: {}, RoutineFailed: {}, VerifierViolation: {}, ...nameQueries } as const;

/** CcInitializeCacheMap is accepted once, on a file object the file system opened and nobody closed (it serves reads and writes there). */
const CACHE_MAP_PARTS: TwoParts = {
  machine: 'fileObject',
  first: 'CacheMapNotInitialized',
  second: 'CacheMapInitialized',
  enterIn: new Set(['Opened', 'HandleCreated', 'OpenCancelled', 'CleanedUp']),
  enter: { event: 'CcInitializeCacheMap' },
};

export const fileObjectMachine = setup({
  types: {} as { context: MachineContext; events: FileObjectEvent; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
}).createMachine({
  id: 'fileObject',
  context: contextFromInput,
  initial: 'Opening',
  on: { '*': { actions: 'rejectEvent' } },
  states: withTwoParts(CACHE_MAP_PARTS, {
    // Only a file object no file system has opened may take a new name (pre-create, or post-create of a reparse).
    Opening: { on: { ...bookkeeping, IoReplaceFileObjectName: {}, FileObjectOpened: 'Opened', FileObjectOpenFailed: 'OpenFailed', FileObjectDiscarded: 'Discarded' } },
    Opened: {
      on: {
        ...bookkeeping,
        FltCancelFileOpen: {},
        // The cleanup FltCancelFileOpen sends below the caller (§11.13) comes before the flag is set.
        FileObjectCleanup: {},
        FileObjectHandleCreated: 'HandleCreated',
        FileObjectOpenCancelled: 'OpenCancelled',
        FileObjectClose: 'Closed',
      },
    },
    // Post-create of a failed create may still ask for the name it tried (built from FileName).
    OpenFailed: { on: { RoutineFailed: {}, VerifierViolation: {}, ...nameQueries } },
    Discarded: { on: { RoutineFailed: {}, VerifierViolation: {} } },
    HandleCreated: { on: { ...bookkeeping, FileObjectHandleCreated: {}, FileObjectHandleClosed: {}, FileObjectCleanup: 'CleanedUp' } },
    OpenCancelled: { on: { ...bookkeeping, FileObjectClose: 'Closed' } },
    CleanedUp: { on: { ...bookkeeping, FileObjectClose: 'Closed' } },
    Closed: { on: { RoutineFailed: {}, VerifierViolation: {} } },
  } as const),
});

/** The file object's top-level state (what views and `state` getters name). */
export function fileObjectState(snapshot: SnapshotFrom<typeof fileObjectMachine>): FileObjectState {
  return topState(snapshot.value) as FileObjectState;
}

/** FILE_OBJECT.PrivateCacheMap is set: the machine's CacheMapInitialized part. */
export function cacheMapInitialized(snapshot: SnapshotFrom<typeof fileObjectMachine>): boolean {
  return subState(snapshot.value) === 'CacheMapInitialized';
}

/** The machine value of a file object whose view says `state` and `cacheInitiated` (what a fold resumes from). */
export function fileObjectStateValue(state: FileObjectState, cacheInitiated: true | undefined): StateValue {
  return { [state]: cacheInitiated === true ? 'CacheMapInitialized' : 'CacheMapNotInitialized' };
}
