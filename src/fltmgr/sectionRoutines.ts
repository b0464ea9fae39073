/**
 * Data-scan sections (§24.4) and the references every section counts (§24.1):
 * FltRegisterForDataScan, FltCreateSectionForDataScan, FltCloseSectionForDataScan, ZwClose / NtClose
 * of a section handle, the section half of ObDereferenceObject, ZwMapViewOfSection /
 * ZwUnmapViewOfSection, and what FltMgr does itself: closing a data-scan section whose instance is
 * torn down (SectionNotificationCallback for I/O that conflicts with an open one: sectionConflicts.ts).
 *
 * Choices where the documentation leaves room ([model], docs/semantics.md §24):
 * - FltMgr holds one reference on a data-scan section until FltCloseSectionForDataScan, so the
 *   section (and the file object it references) outlives the caller's handle and object reference.
 * - A data-scan section still open when its instance's teardown completes is closed by FltMgr, as
 *   it removes the instance's other contexts (§15.8); a later FltCloseSectionForDataScan gets
 *   STATUS_NOT_FOUND.
 * - Conflicting I/O calls SectionNotificationCallback and then proceeds: FltMgr does not hold it
 *   until the section is closed.
 * - FltCreateSectionForDataScan creates its section between IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION
 *   and IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION (§24.1), after its own argument checks; a second
 *   call that attached a section to the stream while the acquire's callbacks ran wins, and this one
 *   gets STATUS_FLT_CONTEXT_ALREADY_DEFINED after its release.
 */
import { objectArgument } from '../kernel/arguments.js';
import { kernelCall, preempt, type Blocking } from '../kernel/effects.js';
import { UsageError } from '../kernel/errors.js';
import type { FileObject } from '../io/fileObject.js';
import { FileObject as FileObjectClass } from '../io/fileObject.js';
import { releaseRequestReference } from '../io/startOperation.js';
import { FLT_SECTION_CONTEXT } from '../wdk/contextConstants.js';
import { OBJ_KERNEL_HANDLE } from '../wdk/fltConstants.js';
import {
  STATUS_END_OF_FILE,
  STATUS_FILE_CLOSED,
  STATUS_FILE_IS_A_DIRECTORY,
  STATUS_FLT_CONTEXT_ALREADY_DEFINED,
  STATUS_FLT_DELETING_OBJECT,
  STATUS_INVALID_FILE_FOR_SECTION,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_PARAMETER,
  STATUS_INVALID_PARAMETER_8,
  STATUS_NOT_FOUND,
  STATUS_NOT_SUPPORTED,
  STATUS_SUCCESS,
  NT_SUCCESS,
  type NTSTATUS,
} from '../wdk/ntstatus.js';
import { SEC_COMMIT, SECTION_MAP_WRITE, SyncTypeCreateSection } from '../wdk/sectionConstants.js';
import { acquireForSectionSynchronization, releaseForSectionSynchronization } from '../io/fsFilterOperations.js';
import { ContextObject } from './contextObject.js';
import { instanceKey, streamTarget } from './contextTable.js';
import { TransactionHandle } from './transactionObjects.js';
import { closeTransactionHandle } from './transactionRoutines.js';
import type { FilterManager } from './filterManager.js';
import { InstanceObject } from './instanceObject.js';
import { fail, requireThread } from './routineSupport.js';
import { SectionHandle, SectionObject, SectionView } from './sectionObjects.js';

export interface CreateSectionResult {
  readonly status: NTSTATUS;
  /** *SectionHandle: in the calling thread's process, or a kernel handle with OBJ_KERNEL_HANDLE. */
  readonly SectionHandle: SectionHandle | null;
  /** *SectionObject: referenced; the caller releases it with ObDereferenceObject. */
  readonly SectionObject: SectionObject | null;
  /** *FileSize. */
  readonly FileSize: number;
}

/** OBJECT_ATTRIBUTES as the section routines read them: only Attributes matters (OBJ_KERNEL_HANDLE). */
export interface SECTION_OBJECT_ATTRIBUTES {
  readonly Attributes?: number;
}

/** Instance states from TeardownStart on: no new section context may hang on it. */
const INSTANCE_GOING: ReadonlySet<string> = new Set(['TeardownStart', 'Draining', 'TeardownComplete', 'Detached', 'Declined', 'Freed']);

function instanceArgument(routine: string, Instance: InstanceObject): InstanceObject {
  if (!(Instance instanceof InstanceObject)) throw new UsageError('BAD_ARGUMENT', `${routine}: Instance is not a PFLT_INSTANCE`);
  return Instance;
}

/**
 * FltRegisterForDataScan(Instance): once per instance before FltCreateSectionForDataScan. Every
 * volume the model mounts can take sections (Windows refuses only named pipes and mailslots).
 */
export function FltRegisterForDataScan(Instance: InstanceObject): NTSTATUS {
  const instance = instanceArgument('FltRegisterForDataScan', Instance);
  const fltMgr = instance.filter.fltMgr;
  if (INSTANCE_GOING.has(instance.state)) return fail(fltMgr, instance, 'FltRegisterForDataScan', STATUS_FLT_DELETING_OBJECT, `${instance} is ${instance.state}`);
  // Once per instance: the fact moves the machine to its RegisteredForDataScan part.
  if (!instance.registeredForDataScan) fltMgr.emitFact({ seq: 0, time: 0, object: instance.id, type: 'FltRegisterForDataScan' }, instance);
  return STATUS_SUCCESS;
}

/**
 * FltCreateSectionForDataScan(Instance, FileObject, SectionContext, DesiredAccess, ObjectAttributes,
 * MaximumSize, SectionPageProtection, AllocationAttributes, Flags, &SectionHandle, &SectionObject,
 * &FileSize): a section on the file for a scanner, with SectionContext attached to the stream for
 * this instance (one per stream and instance). The section references the file object, so its
 * IRP_MJ_CLOSE waits until the section is deleted.
 */
export function* FltCreateSectionForDataScan(
  Instance: InstanceObject,
  FileObject: FileObject,
  SectionContext: ContextObject<object>,
  DesiredAccess: number,
  ObjectAttributes: SECTION_OBJECT_ATTRIBUTES | null,
  MaximumSize: number | null,
  SectionPageProtection: number,
  AllocationAttributes: number,
  Flags: number,
): Blocking<CreateSectionResult> {
  const routine = 'FltCreateSectionForDataScan';
  const instance = instanceArgument(routine, Instance);
  if (!(FileObject instanceof FileObjectClass)) throw new UsageError('BAD_ARGUMENT', `${routine}: FileObject is not a PFILE_OBJECT`);
  if (!(SectionContext instanceof ContextObject)) throw new UsageError('BAD_ARGUMENT', `${routine}: SectionContext is not a PFLT_CONTEXT`);
  void Flags;
  const fltMgr = instance.filter.fltMgr;
  const thread = requireThread(fltMgr, routine);
  yield* preempt();
  const refuse = (object: string, status: NTSTATUS, detail: string): CreateSectionResult => ({ status: fail(fltMgr, object, routine, status, detail), SectionHandle: null, SectionObject: null, FileSize: 0 });
  fltMgr.contexts.requireReferenced(SectionContext, routine);
  if (SectionContext.ContextType !== FLT_SECTION_CONTEXT) return refuse(SectionContext.id, STATUS_INVALID_PARAMETER, `${SectionContext} is not a FLT_SECTION_CONTEXT`);
  if (SectionContext.filter !== instance.filter) return refuse(SectionContext.id, STATUS_INVALID_PARAMETER, `${SectionContext} belongs to ${SectionContext.filter.name}, not ${instance.filter.name}`);
  if (SectionContext.state !== 'Allocated') return refuse(SectionContext.id, STATUS_INVALID_PARAMETER, `${SectionContext} was used before (${SectionContext.state})`);
  if ((AllocationAttributes & SEC_COMMIT) === 0) return refuse(instance.id, STATUS_INVALID_PARAMETER_8, `AllocationAttributes 0x${AllocationAttributes.toString(16)} without SEC_COMMIT`);
  if (!instance.registeredForDataScan) return refuse(instance.id, STATUS_NOT_SUPPORTED, `${instance} did not call FltRegisterForDataScan`);
  if (INSTANCE_GOING.has(instance.state)) return refuse(instance.id, STATUS_FLT_DELETING_OBJECT, `${instance} is ${instance.state}`);
  if (FileObject.volume !== instance.volume) return refuse(instance.id, STATUS_INVALID_PARAMETER, `${FileObject} is on ${FileObject.volume}, ${instance} on ${instance.volume}`);
  if (FileObject.state === 'Closed') throw fltMgr.kernel.violation('IO_ON_CLOSED_FILE_OBJECT', FileObject.id, `${routine} on ${FileObject}, which is closed`);
  if (FileObject.state !== 'Opened' && FileObject.state !== 'HandleCreated') return refuse(FileObject.id, STATUS_FILE_CLOSED, `${FileObject} is ${FileObject.state}`);
  const open = FileObject.volume.fileSystem.openOf(FileObject.id);
  const stream = FileObject.volume.fileSystem.streamOf(FileObject.id);
  if (open === null || open.kind !== 'file' || stream === null) return refuse(FileObject.id, STATUS_INVALID_FILE_FOR_SECTION, `${FileObject} is a volume open`);
  if (stream.isDirectory) return refuse(FileObject.id, STATUS_FILE_IS_A_DIRECTORY, `${FileObject} is a directory`);
  if (stream.data.length === 0) return refuse(FileObject.id, STATUS_END_OF_FILE, `${FileObject} is empty`);
  const target = streamTarget(FileObject.volume, open.fileId);
  const key = instanceKey('section', instance, target);
  const existing = fltMgr.contexts.linkedAt(key);
  if (existing !== undefined) return refuse(SectionContext.id, STATUS_FLT_CONTEXT_ALREADY_DEFINED, `${existing.id} is the open section context of ${instance} on ${target}`);
  // FsRtlCreateSectionForDataScan creates it as Mm creates any section: between the FsFilter acquire
  // and release for section synchronization (§24.1), which every instance of the volume sees, this
  // one included. A filter may refuse the acquire with STATUS_INSUFFICIENT_RESOURCES: no section.
  const acquired = yield* acquireForSectionSynchronization(fltMgr, FileObject, SyncTypeCreateSection, SectionPageProtection);
  if (!NT_SUCCESS(acquired)) return refuse(FileObject.id, acquired, `IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION of ${FileObject} failed`);
  const raced = fltMgr.contexts.linkedAt(key);
  if (raced !== undefined || SectionContext.state !== 'Allocated') {
    // Another thread attached a section (or this context) while the acquire's callbacks ran.
    yield* releaseForSectionSynchronization(fltMgr, FileObject);
    return refuse(SectionContext.id, STATUS_FLT_CONTEXT_ALREADY_DEFINED, `${(raced ?? SectionContext).id} is the open section context of ${instance} on ${target}`);
  }
  const kernelHandle = ((ObjectAttributes?.Attributes ?? 0) & OBJ_KERNEL_HANDLE) !== 0;
  const size = MaximumSize !== null && MaximumSize > 0 ? Math.min(MaximumSize, stream.data.length) : stream.data.length;
  const { section, handle } = fltMgr.sections.create('dataScan', FileObject, size, (DesiredAccess & SECTION_MAP_WRITE) !== 0, kernelHandle ? 'P0' : thread.process, kernelHandle);
  // The section's own reference on the file object: its IRP_MJ_CLOSE waits for the section (§24.4).
  FileObject.pointerCount++;
  fltMgr.contexts.link(SectionContext, { key, target, instance }, routine);
  fltMgr.emitFact({ seq: 0, time: 0, object: section.id, type: 'SectionContextAttached', context: SectionContext.id, instance: instance.id, count: section.references + 1 });
  section.references++;
  section.context = SectionContext;
  section.instance = instance;
  yield* releaseForSectionSynchronization(fltMgr, FileObject);
  return { status: STATUS_SUCCESS, SectionHandle: handle, SectionObject: section, FileSize: stream.data.length };
}

/** The data-scan section a section context is attached to (open or closed), if any. */
function sectionOfContext(fltMgr: FilterManager, context: ContextObject<object>): SectionObject | undefined {
  for (const s of fltMgr.sections.live.values()) if (s.context === context) return s;
  return undefined;
}

/**
 * FltCloseSectionForDataScan(SectionContext): FltMgr removes the context from the stream and drops
 * its reference on the section; conflicting I/O is no longer reported. STATUS_INVALID_PARAMETER for
 * a context never used for a section, STATUS_NOT_FOUND once it was closed (§24.4).
 */
export function* FltCloseSectionForDataScan(SectionContext: ContextObject<object>): Blocking<NTSTATUS> {
  const routine = 'FltCloseSectionForDataScan';
  if (!(SectionContext instanceof ContextObject)) throw new UsageError('BAD_ARGUMENT', `${routine}: SectionContext is not a PFLT_CONTEXT`);
  const fltMgr = SectionContext.filter.fltMgr;
  requireThread(fltMgr, routine);
  yield* preempt();
  fltMgr.contexts.requireReferenced(SectionContext, routine);
  if (SectionContext.ContextType !== FLT_SECTION_CONTEXT || SectionContext.state === 'Allocated') {
    return fail(fltMgr, SectionContext.id, routine, STATUS_INVALID_PARAMETER, `${SectionContext} was never used for a section`);
  }
  const section = sectionOfContext(fltMgr, SectionContext);
  if (section === undefined || section.state !== 'DataScanOpen') return fail(fltMgr, SectionContext.id, routine, STATUS_NOT_FOUND, `the section of ${SectionContext} is already closed`);
  closeDataScan(fltMgr, section, routine);
  return STATUS_SUCCESS;
}

function closeDataScan(fltMgr: FilterManager, section: SectionObject, by: string): void {
  const context = section.context!;
  fltMgr.emitFact({ seq: 0, time: 0, object: section.id, type: 'FltCloseSectionForDataScan', context: context.id, by, count: section.references - 1 });
  section.references--;
  fltMgr.contexts.unlink(context, by, false);
  if (section.references === 0) deleteSection(fltMgr, section);
}

/** After TeardownComplete, before the instance's contexts go: FltMgr closes its open data-scan sections. */
export function closeDataScanSectionsOf(fltMgr: FilterManager, instance: InstanceObject): void {
  for (const s of [...fltMgr.sections.live.values()]) {
    if (s.instance === instance && s.state === 'DataScanOpen') closeDataScan(fltMgr, s, `teardown of ${instance.id}`);
  }
}

/** Drop one reference; the last one deletes the section, which releases its file object. */
export function dereferenceSection(fltMgr: FilterManager, section: SectionObject, by: string, handle: string | null = null): void {
  fltMgr.emitFact({ seq: 0, time: 0, object: section.id, type: 'SectionDereferenced', by, handle, count: section.references - 1 });
  section.references--;
  if (section.references === 0) deleteSection(fltMgr, section);
}

export function referenceSection(fltMgr: FilterManager, section: SectionObject, by: string): void {
  fltMgr.emitFact({ seq: 0, time: 0, object: section.id, type: 'SectionReferenced', by, count: section.references + 1 });
  section.references++;
}

function deleteSection(fltMgr: FilterManager, section: SectionObject): void {
  fltMgr.emitFact({ seq: 0, time: 0, object: section.id, type: 'SectionDeleted' });
  fltMgr.sections.live.delete(section.id);
  // The file object's last reference may be this one: IRP_MJ_CLOSE goes out on a thread of its own.
  releaseRequestReference(fltMgr, section.fileObject);
}

/** Close a section handle on behalf of `routine` from `process`; false when it is not an open handle there. */
export function closeSectionHandle(fltMgr: FilterManager, Handle: SectionHandle, routine: string, process: string, userMode: boolean): NTSTATUS {
  const open = fltMgr.sections.handles.get(Handle.id) === Handle;
  if (!open) return fail(fltMgr, Handle.section.id, routine, STATUS_INVALID_HANDLE, `${Handle.id} is not an open handle`);
  if (Handle.kernelHandle ? userMode : Handle.process !== process) {
    return fail(fltMgr, Handle.section.id, routine, STATUS_INVALID_HANDLE, `${Handle.id} is ${Handle.kernelHandle ? 'a kernel handle' : `a handle of ${Handle.process}`}, not one ${process} can close`);
  }
  const section = Handle.section;
  fltMgr.sections.handles.delete(Handle.id);
  fltMgr.kernel.objectHandles.delete(Handle.value);
  section.handles.splice(section.handles.indexOf(Handle), 1);
  dereferenceSection(fltMgr, section, routine, Handle.id);
  return STATUS_SUCCESS;
}

function handleArgument(routine: string, Handle: SectionHandle): SectionHandle {
  if (!(Handle instanceof SectionHandle)) throw new UsageError('BAD_ARGUMENT', `${routine}: Handle is not a section handle`);
  return Handle;
}

/** ZwClose(Handle) for a section or transaction handle: a kernel handle, or a handle of the current process. */
export function* ZwClose(Handle: SectionHandle | TransactionHandle): Blocking<NTSTATUS> {
  if (Handle instanceof TransactionHandle) {
    const fltMgr = Handle.transaction.fltMgr;
    const thread = requireThread(fltMgr, 'ZwClose');
    yield* preempt();
    return closeTransactionHandle(fltMgr, Handle, 'ZwClose', thread.process, false);
  }
  const fltMgr = handleArgument('ZwClose', Handle).section.fileObject.volume.fltMgr;
  const thread = requireThread(fltMgr, 'ZwClose');
  yield* preempt();
  return closeSectionHandle(fltMgr, Handle, 'ZwClose', thread.process, false);
}

/** NtClose(Handle): as ZwClose with PreviousMode UserMode, so a kernel handle is refused (avscan relies on it). */
export function* NtClose(Handle: SectionHandle): Blocking<NTSTATUS> {
  const fltMgr = handleArgument('NtClose', Handle).section.fileObject.volume.fltMgr;
  const thread = requireThread(fltMgr, 'NtClose');
  yield* preempt();
  return closeSectionHandle(fltMgr, Handle, 'NtClose', thread.process, true);
}

/** The section half of ObDereferenceObject. */
export function dereferenceSectionObject(Object: SectionObject): void {
  const fltMgr = Object.fileObject.volume.fltMgr;
  requireThread(fltMgr, 'ObDereferenceObject');
  if (Object.state === 'Deleted' || Object.references <= 0) {
    throw fltMgr.kernel.violation('DEREFERENCE_UNREFERENCED_FILE_OBJECT', Object.id, `ObDereferenceObject on ${Object}, which holds no reference`);
  }
  dereferenceSection(fltMgr, Object, 'ObDereferenceObject');
}

/** The current process as ZwMapViewOfSection's ProcessHandle (NtCurrentProcess()). */
export const NtCurrentProcess = (): 'NtCurrentProcess' => 'NtCurrentProcess';

export interface MapViewResult {
  readonly status: NTSTATUS;
  /** *BaseAddress: the view. */
  readonly BaseAddress: SectionView | null;
  /** *ViewSize: whole pages. */
  readonly ViewSize: number;
}

/** Map a view of `Handle`'s section into the calling thread's process (ZwMapViewOfSection, MapViewOfFile). */
export function mapView(fltMgr: FilterManager, Handle: SectionHandle, routine: string, process: string, writable: boolean): MapViewResult {
  const open = fltMgr.sections.handles.get(Handle.id) === Handle;
  if (!open || (!Handle.kernelHandle && Handle.process !== process)) {
    return { status: fail(fltMgr, Handle.section.id, routine, STATUS_INVALID_HANDLE, `${Handle.id} is not an open handle of ${process}`), BaseAddress: null, ViewSize: 0 };
  }
  const section = Handle.section;
  if (writable && !section.writable) return { status: fail(fltMgr, section.id, routine, STATUS_INVALID_PARAMETER, `${section} is read-only`), BaseAddress: null, ViewSize: 0 };
  const view = new SectionView(fltMgr.kernel.nextId('Y'), section, process, writable);
  fltMgr.emitFact({ seq: 0, time: 0, object: section.id, type: 'SectionViewMapped', view: view.id, process, bytes: view.RegionSize, writable, count: section.references + 1 });
  section.references++;
  section.views.push(view);
  return { status: STATUS_SUCCESS, BaseAddress: view, ViewSize: view.RegionSize };
}

export function unmapView(fltMgr: FilterManager, view: SectionView, routine: string, process: string): NTSTATUS {
  const section = view.section;
  if (!section.views.includes(view) || view.process !== process) {
    return fail(fltMgr, section.id, routine, STATUS_INVALID_PARAMETER, `${view.id} is not a view mapped in ${process}`);
  }
  fltMgr.emitFact({ seq: 0, time: 0, object: section.id, type: 'SectionViewUnmapped', view: view.id, count: section.references - 1 });
  section.views.splice(section.views.indexOf(view), 1);
  section.references--;
  if (section.references === 0) deleteSection(fltMgr, section);
  return STATUS_SUCCESS;
}

/**
 * ZwMapViewOfSection(SectionHandle, ProcessHandle, &BaseAddress, ZeroBits, CommitSize,
 * SectionOffset, &ViewSize, InheritDisposition, AllocationType, Win32Protect): the whole section,
 * mapped into the current process (ProcessHandle: NtCurrentProcess(); a process opened with
 * ZwOpenProcess for the current one is the same).
 */
export function* ZwMapViewOfSection(
  SectionHandle: SectionHandle,
  ProcessHandle: 'NtCurrentProcess',
  ZeroBits: number,
  CommitSize: number,
  SectionOffset: number | null,
  InheritDisposition: number,
  AllocationType: number,
  Win32Protect: number,
): Blocking<MapViewResult> {
  const fltMgr = handleArgument('ZwMapViewOfSection', SectionHandle).section.fileObject.volume.fltMgr;
  void ProcessHandle;
  void ZeroBits;
  void CommitSize;
  void SectionOffset;
  void InheritDisposition;
  void AllocationType;
  const thread = requireThread(fltMgr, 'ZwMapViewOfSection');
  yield* preempt();
  return mapView(fltMgr, SectionHandle, 'ZwMapViewOfSection', thread.process, (Win32Protect & 0x04) !== 0);
}

/** ZwUnmapViewOfSection(ProcessHandle, BaseAddress). */
export function* ZwUnmapViewOfSection(ProcessHandle: 'NtCurrentProcess', BaseAddress: SectionView): Blocking<NTSTATUS> {
  if (!(BaseAddress instanceof SectionView)) throw new UsageError('BAD_ARGUMENT', 'ZwUnmapViewOfSection: BaseAddress is not a mapped view');
  void ProcessHandle;
  const fltMgr = BaseAddress.section.fileObject.volume.fltMgr;
  const thread = requireThread(fltMgr, 'ZwUnmapViewOfSection');
  yield* preempt();
  return unmapView(fltMgr, BaseAddress, 'ZwUnmapViewOfSection', thread.process);
}

/** The bytes a view shows now: the file's data with pages written through views and not yet written out. */
export function viewBytes(view: SectionView): Uint8Array {
  objectArgument('viewBytes', 'view', view, SectionView, 'a mapped view (ZwMapViewOfSection, MapViewOfFile)');
  const section = view.section;
  const fltMgr = section.fileObject.volume.fltMgr;
  if (!section.views.includes(view)) throw fltMgr.kernel.violation('IO_ON_CLOSED_FILE_OBJECT', section.id, `a read of ${view.id}, which is unmapped (an access violation)`);
  const data = new Uint8Array(view.RegionSize);
  data.set(section.fileObject.volume.fileSystem.streamOf(section.fileObject.id)?.data.subarray(0, section.size) ?? new Uint8Array(0));
  for (const [offset, byte] of section.dirty) data[offset] = byte;
  return data;
}

/** A HANDLE value named by code (a message, a reply), resolved in the object manager's table: the section handle, or null. */
export function* sectionHandleFromValue(value: SectionHandle | number): Blocking<SectionHandle | null> {
  if (value instanceof SectionHandle) return value;
  const found = yield* kernelCall((kernel) => kernel.objectHandles.get(value));
  return found instanceof SectionHandle ? found : null;
}
