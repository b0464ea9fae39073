// The avscan sample's invariants as exploration monitors, shared by its test files (a test file
// imported by another would register its tests twice).
import type { Fact, MonitorViolation } from '../../src/index.js';

/** §24.9 invariant 15 for the sample: every data-scan section is closed exactly once, and no close of the filter's fails. */
export function sectionsClosedOnce(facts: readonly Fact[]): MonitorViolation[] {
  const out: MonitorViolation[] = [];
  const closes = new Map<string, number>();
  for (const f of facts) {
    if (f.type === 'SectionContextAttached') closes.set(f.object, 0);
    if (f.type === 'FltCloseSectionForDataScan') closes.set(f.object, (closes.get(f.object) ?? 0) + 1);
    if (f.type === 'RoutineFailed' && f.routine === 'FltCloseSectionForDataScan') out.push({ name: 'SECTION_CLOSED_TWICE', seq: f.seq, message: `${f.object}: ${f.detail}` });
  }
  for (const [section, n] of closes) if (n !== 1) out.push({ name: 'SECTION_CLOSE_COUNT', seq: facts.length, message: `${section} closed ${n} times` });
  return out;
}

/** The waiting create always wakes: every IRP_MJ_CREATE an application issued completes. */
export function createsComplete(facts: readonly Fact[]): MonitorViolation[] {
  const open = new Set<string>();
  for (const f of facts) {
    if (f.type === 'IoStart' && f.major === 0 && f.requestorMode === 'UserMode') open.add(f.object);
    if (f.type === 'IoComplete') open.delete(f.object);
  }
  return [...open].map((op) => ({ name: 'CREATE_NEVER_WOKE', seq: facts.length, message: `${op} never completed` }));
}

