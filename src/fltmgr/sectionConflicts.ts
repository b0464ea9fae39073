/**
 * I/O that conflicts with an open data-scan section (§24.4): an operation that would purge the cache
 * under it. Before such an operation goes down, FltMgr calls the section's filter's
 * SectionNotificationCallback, then lets the operation proceed ([model], docs/semantics.md §24: FltMgr
 * does not hold it until the section is closed).
 */
import type { Blocking } from '../kernel/effects.js';
import type { FileObject } from '../io/fileObject.js';
import type { IoOperation } from '../io/ioOperation.js';
import { FILE_INFORMATION_CLASS } from '../wdk/informationClasses.js';
import { IRP_MJ_SET_INFORMATION, IRP_MJ_WRITE, IRP_NOCACHE, IRP_PAGING_IO } from '../wdk/irp.js';
import type { FilterManager } from './filterManager.js';
import type { SectionObject } from './sectionObjects.js';

/** Open data-scan sections of other file objects on `fo`'s stream: those an incompatible operation on `fo` conflicts with. */
export function conflictingSections(fltMgr: FilterManager, fo: FileObject): SectionObject[] {
  const open = fo.volume.fileSystem.openOf(fo.id);
  if (open === null || open.kind !== 'file') return [];
  return fltMgr.sections.dataScanSectionsOn(fo, open.fileId).filter((s) => s.fileObject !== fo);
}

/** Operations that would purge the cache under a data-scan section (§24.4): a non-cached non-paging write, a new end of file or allocation size. */
function conflictsWithSection(op: IoOperation): boolean {
  const iopb = op.data.Iopb;
  if (iopb.MajorFunction === IRP_MJ_WRITE) return (iopb.IrpFlags & IRP_NOCACHE) !== 0 && (iopb.IrpFlags & IRP_PAGING_IO) === 0;
  if (iopb.MajorFunction !== IRP_MJ_SET_INFORMATION || !('SetFileInformation' in iopb.Parameters)) return false;
  const infoClass = iopb.Parameters.SetFileInformation.FileInformationClass;
  return infoClass === FILE_INFORMATION_CLASS.FileEndOfFileInformation || infoClass === FILE_INFORMATION_CLASS.FileAllocationInformation;
}

/**
 * Before an application's operation goes down: for each open data-scan section on its stream (of
 * another file object) whose filter registered SectionNotificationCallback, FltMgr calls it at
 * PASSIVE_LEVEL on this thread with (Instance, SectionContext, Data). The operation then proceeds.
 */
export function* notifySectionConflicts(fltMgr: FilterManager, fo: FileObject, op: IoOperation): Blocking<void> {
  if (fltMgr.sections.live.size === 0 || !conflictsWithSection(op)) return;
  for (const s of conflictingSections(fltMgr, fo)) {
    const instance = s.instance!;
    const callback = instance.filter.registration.SectionNotificationCallback;
    if (callback == null || s.state !== 'DataScanOpen') continue;
    const context = s.context!;
    fltMgr.emitFact({ seq: 0, time: 0, object: s.id, type: 'SectionConflict', context: context.id, operation: op.id });
    yield* fltMgr.invoke(instance.filter, () => callback(instance, context, op.data));
  }
}
