/**
 * FLT_FILE_NAME_INFORMATION (§16.4, §16.5): FltMgr-owned, shared by every filter, reference counted.
 *
 *   Referenced --FltReleaseFileNameInformation [count 0, cached]--> Cached
 *   Referenced --FltReleaseFileNameInformation [count 0, not cached]--> Freed
 *   Cached --NameCacheHit--> Referenced
 *   Cached --NameCacheInvalidate--> Freed
 *
 * Referenced: some filter holds a reference (count > 0 is data on the facts). Cached: no filter
 * holds one and only the name cache keeps it alive, so a later query can hand it out again. Freed:
 * gone; any later use is the filter's mistake (the engine names it before sending anything here).
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

export type FileNameInformationEvent =
  | FactOf<'NameCacheInsert'>
  | FactOf<'NameCacheHit'>
  | FactOf<'NameCacheInvalidate'>
  | FactOf<'FltReferenceFileNameInformation'>
  | FactOf<'FltReleaseFileNameInformation'>
  | FactOf<'FltParseFileNameInformation'>
  | FactOf<'FltGetTunneledName'>
  | FactOf<'RoutineFailed'>
  | FactOf<'VerifierViolation'>;

export type FileNameInformationState = 'Referenced' | 'Cached' | 'Freed';

export const fileNameInformationMachine = setup({
  types: {} as { context: MachineContext; events: FileNameInformationEvent; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
  guards: {
    stillReferenced: ({ event }) => event.type === 'FltReleaseFileNameInformation' && event.count > 0,
    keptByCache: ({ event }) => event.type === 'FltReleaseFileNameInformation' && event.cached,
  },
}).createMachine({
  id: 'fileNameInformation',
  context: contextFromInput,
  initial: 'Referenced',
  on: { '*': { actions: 'rejectEvent' } },
  states: {
    Referenced: {
      on: {
        NameCacheInsert: {},
        NameCacheHit: {},
        NameCacheInvalidate: {},
        FltReferenceFileNameInformation: {},
        FltParseFileNameInformation: {},
        FltGetTunneledName: {},
        FltReleaseFileNameInformation: [{ guard: 'stillReferenced' }, { guard: 'keptByCache', target: 'Cached' }, { target: 'Freed' }],
        RoutineFailed: {},
        VerifierViolation: {},
      },
    },
    Cached: { on: { NameCacheHit: 'Referenced', NameCacheInvalidate: 'Freed', RoutineFailed: {}, VerifierViolation: {} } },
    Freed: { on: { RoutineFailed: {}, VerifierViolation: {} } },
  },
});
