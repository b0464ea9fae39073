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
 */
import { setup } from 'xstate';
import type { FactOf } from '../kernel/facts.js';
import { contextFromInput, type MachineContext, type MachineInput } from './machineContext.js';

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

export const sectionMachine = setup({
  types: {} as { context: MachineContext; events: SectionEvent; input: MachineInput },
  actions: { rejectEvent: ({ context, event }) => context.reject(event) },
  guards: {
    /** References are taken only on a section someone still references. */
    referencedBefore: ({ event }) => 'count' in event && event.count >= 2,
    countNotNegative: ({ event }) => 'count' in event && event.count >= 0,
  },
}).createMachine({
  id: 'section',
  context: contextFromInput,
  initial: 'Created',
  on: { '*': { actions: 'rejectEvent' }, RoutineFailed: {}, VerifierViolation: {} },
  states: {
    Created: { on: { ...IN_PLACE, SectionContextAttached: { guard: 'referencedBefore', target: 'DataScanOpen' }, SectionDeleted: 'Deleted' } },
    DataScanOpen: { on: { ...IN_PLACE, SectionConflict: {}, FltCloseSectionForDataScan: { guard: 'countNotNegative', target: 'DataScanClosed' } } },
    DataScanClosed: { on: { ...IN_PLACE, SectionDeleted: 'Deleted' } },
    Deleted: {},
  },
});
