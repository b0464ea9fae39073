/**
 * The fold of section facts (§24): data-scan sections and file mappings with their references,
 * handles, views and dirty pages, rebuilt from the log alone. The lifecycle comes from the same
 * machine the live objects use.
 */
import type { Draft } from 'immer';
import type { Fact, FactOf } from '../kernel/facts.js';
import { sectionMachine } from '../machines/section.js';
import { splitStatePath } from '../machines/stateValue.js';
import type { Advance, Born } from './fold.js';
import type { SectionView, SimState } from './simState.js';

const SECTION_FACTS = new Set<string>([
  'SectionCreate',
  'SectionContextAttached',
  'SectionReferenced',
  'SectionDereferenced',
  'SectionViewMapped',
  'SectionViewUnmapped',
  'SectionPagesDirtied',
  'SectionPagesWriting',
  'SectionConflict',
  'FltCloseSectionForDataScan',
  'SectionDeleted',
]);

export type SectionFact =
  | FactOf<'SectionCreate'>
  | FactOf<'SectionContextAttached'>
  | FactOf<'SectionReferenced'>
  | FactOf<'SectionDereferenced'>
  | FactOf<'SectionViewMapped'>
  | FactOf<'SectionViewUnmapped'>
  | FactOf<'SectionPagesDirtied'>
  | FactOf<'SectionPagesWriting'>
  | FactOf<'SectionConflict'>
  | FactOf<'FltCloseSectionForDataScan'>
  | FactOf<'SectionDeleted'>;

export function isSectionFact(fact: Fact): fact is SectionFact {
  return SECTION_FACTS.has(fact.type);
}

export function applySectionFact(d: Draft<SimState>, fact: SectionFact, born: Born, advance: Advance): void {
  const id = fact.object;
  switch (fact.type) {
    case 'SectionCreate':
      d.sections[id] = {
        kind: fact.kind,
        state: splitStatePath(born(id, sectionMachine))[0] as never,
        fileObject: fact.fileObject,
        instance: null,
        context: null,
        references: fact.count,
        handles: [fact.handle],
        views: [],
        dirty: [],
      };
      return;
    case 'SectionContextAttached': {
      const s = d.sections[id]!;
      advanceSection(s, fact, advance);
      s.instance = fact.instance;
      s.context = fact.context;
      s.references = fact.count;
      return;
    }
    case 'SectionReferenced':
    case 'SectionDereferenced': {
      const s = d.sections[id]!;
      advanceSection(s, fact, advance);
      s.references = fact.count;
      if (fact.type === 'SectionDereferenced' && fact.handle !== null) s.handles.splice(s.handles.indexOf(fact.handle), 1);
      return;
    }
    case 'SectionViewMapped': {
      const s = d.sections[id]!;
      advanceSection(s, fact, advance);
      s.references = fact.count;
      s.views.push(fact.view);
      return;
    }
    case 'SectionViewUnmapped': {
      const s = d.sections[id]!;
      advanceSection(s, fact, advance);
      s.references = fact.count;
      s.views.splice(s.views.indexOf(fact.view), 1);
      return;
    }
    case 'SectionPagesDirtied':
      advance(fact);
      d.sections[id]!.dirty.push({ offset: fact.offset, length: fact.length });
      return;
    case 'SectionPagesWriting':
      advance(fact);
      d.sections[id]!.dirty = [];
      return;
    case 'SectionConflict':
      advance(fact);
      return;
    case 'FltCloseSectionForDataScan': {
      const s = d.sections[id]!;
      advanceSection(s, fact, advance);
      s.references = fact.count;
      return;
    }
    case 'SectionDeleted':
      advance(fact);
      delete d.sections[id];
      return;
  }
}

/** A section fact that may move its machine: the view takes the top-level state, and the page writer's part (src/machines/section.ts). */
function advanceSection(s: Draft<SectionView>, fact: SectionFact, advance: Advance): void {
  const [state, part] = splitStatePath(advance(fact)!);
  s.state = state as never;
  if (part === 'ModifiedPageWriterQueued') s.modifiedPageWriterQueued = true;
  else delete s.modifiedPageWriterQueued;
}
