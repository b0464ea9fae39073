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
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

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

const bookkeeping = { FileObjectUpdate: {}, CcInitializeCacheMap: {}, RoutineFailed: {}, VerifierViolation: {}, ...nameQueries } as const;

export const fileObjectMachine = setup({
  types: {} as { context: MachineContext; events: FileObjectEvent; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
}).createMachine({
  id: 'fileObject',
  context: contextFromInput,
  initial: 'Opening',
  on: { '*': { actions: 'rejectEvent' } },
  states: {
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
  },
});
