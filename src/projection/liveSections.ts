/** The section part of the live view (§24), read off FltMgr's section table. */
import type { SectionTable } from '../fltmgr/sectionObjects.js';
import { idRecord, type SectionView } from './simState.js';

export function liveSections(table: SectionTable): Record<string, SectionView> {
  const sections = idRecord<SectionView>();
  for (const s of table.live.values()) {
    sections[s.id] = {
      kind: s.kind,
      state: s.state,
      fileObject: s.fileObject.id,
      instance: s.instance?.id ?? null,
      context: s.context?.id ?? null,
      references: s.references,
      handles: s.handles.map((h) => h.id),
      views: s.views.map((v) => v.id),
      dirty: s.dirtyRanges.map((r) => ({ ...r })),
      ...(s.writerQueued ? { modifiedPageWriterQueued: true as const } : {}),
    };
  }
  return sections;
}
