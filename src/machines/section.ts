/**
 * A section object backed by a file (§24.1, §24.4): created by FltCreateSectionForDataScan (a
 * data-scan section, with a section context FltMgr attaches to the stream) or by an application's
 * CreateFileMapping. It holds a reference on its file object, so IRP_MJ_CLOSE of that file object
 * waits until the section is deleted.
 *
 *   Created --SectionContextAttached--> DataScanOpen          (FltCreateSectionForDataScan: FltMgr holds a reference)
 *   DataScanOpen --FltCloseSectionForDataScan--> DataScanClosed (the context is removed; FltMgr's reference goes)
 *   Created | DataScanClosed --SectionDeleted--> Deleted      (the last handle, object reference and view are gone)
 *
 * The reference count is data carried by each fact (`count`, the count after it). FltMgr's own
 * reference keeps an open data-scan section alive, so SectionDeleted cannot come in DataScanOpen.
 *
 * Every state has two parts, ModifiedPageWriterIdle and ModifiedPageWriterQueued: the first write
 * through a view queues the modified page writer for the section's dirty pages, which takes a
 * reference (SectionReferenced by ModifiedPageWriter) and drops it once no page is dirty
 * (SectionDereferenced by ModifiedPageWriter); the part survives the data-scan moves
 * (src/machines/twoParts.ts). It decides whether a store through a view queues the writer.
 */
import { setup, type SnapshotFrom, type StateValue } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';
import { subState, topState } from './stateValue.js';
import { withTwoParts, type TwoParts } from './twoParts.js';

export type SectionState = 'Created' | 'DataScanOpen' | 'DataScanClosed' | 'Deleted';

export type SectionEvent =
  | FactOf<'SectionContextAttached'>
  | FactOf<'FltCloseSectionForDataScan'>
  | FactOf<'SectionReferenced'>
  | FactOf<'SectionDereferenced'>
  | FactOf<'SectionViewMapped'>
  | FactOf<'SectionViewUnmapped'>
  | FactOf<'SectionPagesDirtied'>
  | FactOf<'SectionPagesWriting'>
  | FactOf<'SectionConflict'>
  | FactOf<'SectionDeleted'>
  | FactOf<'RoutineFailed'>
  | FactOf<'VerifierViolation'>;

/** Facts that change references or pages but not the section's state. */
const IN_PLACE = {
  SectionReferenced: { guard: 'referencedBefore' },
  SectionDereferenced: { guard: 'countNotNegative' },
  SectionViewMapped: { guard: 'referencedBefore' },
  SectionViewUnmapped: { guard: 'countNotNegative' },
  SectionPagesDirtied: {},
  SectionPagesWriting: {},
} as const;

/** The writer is queued and done in any state a view can be written in (the section is not deleted). */
const PAGE_WRITER_PARTS: TwoParts = {
  machine: 'section',
  first: 'ModifiedPageWriterIdle',
  second: 'ModifiedPageWriterQueued',
  enterIn: new Set(['Created', 'DataScanOpen', 'DataScanClosed']),
  enter: { event: 'SectionReferenced', guard: 'pageWriterReferences' },
  leave: { event: 'SectionDereferenced', guard: 'pageWriterDereferences' },
};

const byPageWriter = (event: SectionEvent): boolean => 'by' in event && event.by === 'ModifiedPageWriter';

export const sectionMachine = setup({
  types: {} as { context: MachineContext; events: SectionEvent; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
  guards: {
    /** References are taken only on a section someone still references. */
    referencedBefore: ({ event }) => 'count' in event && event.count >= 2,
    countNotNegative: ({ event }) => 'count' in event && event.count >= 0,
    // The part's moves check the count as the state's own SectionReferenced / SectionDereferenced do.
    pageWriterReferences: ({ event }) => byPageWriter(event) && 'count' in event && event.count >= 2,
    pageWriterDereferences: ({ event }) => byPageWriter(event) && 'count' in event && event.count >= 0,
  },
}).createMachine({
  id: 'section',
  context: contextFromInput,
  initial: 'Created',
  on: { '*': { actions: 'rejectEvent' }, RoutineFailed: {}, VerifierViolation: {} },
  states: withTwoParts(PAGE_WRITER_PARTS, {
    Created: { on: { ...IN_PLACE, SectionContextAttached: { guard: 'referencedBefore', target: 'DataScanOpen' }, SectionDeleted: 'Deleted' } },
    DataScanOpen: { on: { ...IN_PLACE, SectionConflict: {}, FltCloseSectionForDataScan: { guard: 'countNotNegative', target: 'DataScanClosed' } } },
    DataScanClosed: { on: { ...IN_PLACE, SectionDeleted: 'Deleted' } },
    Deleted: {},
  } as const),
});

/** The section's top-level state (what views and `SectionObject.state` name). */
export function sectionState(snapshot: SnapshotFrom<typeof sectionMachine>): SectionState {
  return topState(snapshot.value) as SectionState;
}

/** The modified page writer holds a reference for the section's dirty pages (its ModifiedPageWriterQueued part). */
export function modifiedPageWriterQueued(snapshot: SnapshotFrom<typeof sectionMachine>): boolean {
  return subState(snapshot.value) === 'ModifiedPageWriterQueued';
}

/** The machine value of a section whose view says `state` and `modifiedPageWriterQueued` (what a fold resumes from). */
export function sectionStateValue(state: SectionState, queued: true | undefined): StateValue {
  return { [state]: queued === true ? 'ModifiedPageWriterQueued' : 'ModifiedPageWriterIdle' };
}
