/**
 * Applications' file mappings and the modified page writer (§24.1): CreateFileMappingW over a
 * file handle, MapViewOfFile / UnmapViewOfFile (read-only views also serve the data-scan sections a
 * filter hands a user-mode scanner), writes through a writable view, and the paging writes that
 * carry those pages to the file system later — from a system thread of their own, so they can come
 * after the handle's IRP_MJ_CLEANUP and always before the file object's IRP_MJ_CLOSE (the section
 * references the file object, and the writer holds the section) — or now, from FlushViewOfFile.
 *
 * The FsFilter callback operations around them (src/io/fsFilterOperations.ts): the section is
 * created between IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION (SyncTypeCreateSection) and
 * IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION; each paging write of the modified page writer is
 * between IRP_MJ_ACQUIRE_FOR_MOD_WRITE and IRP_MJ_RELEASE_FOR_MOD_WRITE, each of a flush between
 * IRP_MJ_ACQUIRE_FOR_CC_FLUSH and IRP_MJ_RELEASE_FOR_CC_FLUSH (one pair per paging write, [model]).
 *
 * Not modelled: paging reads (a view reads the file's data directly), and reads through the cache
 * seeing dirty pages before they are written: an IRP_MJ_READ in between sees the file system's data.
 */
import { bufferArgument } from '../kernel/arguments.js';
import { preempt, waitFor, type Blocking } from '../kernel/effects.js';
import { UsageError } from '../kernel/errors.js';
import { SYSTEM_SID } from '../kernel/sids.js';
import { driveToCompletion } from '../io/dispatch.js';
import type { FileObject } from '../io/fileObject.js';
import { startOperation } from '../io/startOperation.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import { requireThread, fail } from '../fltmgr/routineSupport.js';
import { PAGE_SIZE, SectionHandle, SectionView, type SectionObject } from '../fltmgr/sectionObjects.js';
import { dereferenceSection, mapView, referenceSection, sectionHandleFromValue, unmapView } from '../fltmgr/sectionRoutines.js';
import { acquireForCcFlush, acquireForModWrite, acquireForSectionSynchronization, releaseForCcFlush, releaseForModWrite, releaseForSectionSynchronization } from '../io/fsFilterOperations.js';
import { IRP_MJ_WRITE, IRP_NOCACHE, IRP_PAGING_IO, IRP_SYNCHRONOUS_PAGING_IO } from '../wdk/irp.js';
import { STATUS_ACCESS_VIOLATION, STATUS_END_OF_FILE, STATUS_FILE_IS_A_DIRECTORY, STATUS_INVALID_HANDLE, STATUS_SUCCESS, NT_SUCCESS } from '../wdk/ntstatus.js';
import { FILE_MAP_WRITE, PAGE_READWRITE, SyncTypeCreateSection } from '../wdk/sectionConstants.js';

/** CreateFileMappingW(hFile, NULL, flProtect, 0, 0, NULL) on an open file object: a section with a handle in the caller's process. */
export function* createFileMapping(fltMgr: FilterManager, fo: FileObject | undefined, flProtect: number): Blocking<SectionHandle | null> {
  const thread = requireThread(fltMgr, 'CreateFileMappingW');
  yield* preempt();
  if (fo === undefined) {
    fail(fltMgr, 'sim', 'CreateFileMappingW', STATUS_INVALID_HANDLE, 'hFile is not an open file handle');
    return null;
  }
  const stream = fo.volume.fileSystem.streamOf(fo.id);
  if (stream === null || stream.isDirectory) {
    fail(fltMgr, fo.id, 'CreateFileMappingW', STATUS_FILE_IS_A_DIRECTORY, `${fo} is not a file stream`);
    return null;
  }
  // CreateFileMapping of an empty file without a maximum size fails (ERROR_FILE_INVALID).
  if (stream.data.length === 0) {
    fail(fltMgr, fo.id, 'CreateFileMappingW', STATUS_END_OF_FILE, `${fo} is empty`);
    return null;
  }
  // Mm takes the file for the section's creation (FsRtlAcquireToCreateMappedSection); a filter may
  // refuse it with STATUS_INSUFFICIENT_RESOURCES, and then there is no section and no release.
  const acquired = yield* acquireForSectionSynchronization(fltMgr, fo, SyncTypeCreateSection, flProtect);
  if (!NT_SUCCESS(acquired)) {
    fail(fltMgr, fo.id, 'CreateFileMappingW', acquired, `IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION of ${fo} failed`);
    return null;
  }
  const size = fo.volume.fileSystem.streamOf(fo.id)?.data.length ?? stream.data.length;
  const { section, handle } = fltMgr.sections.create('mapping', fo, size, flProtect === PAGE_READWRITE, thread.process, false);
  fo.pointerCount++;
  yield* releaseForSectionSynchronization(fltMgr, fo);
  // An application holds only the handle: the object reference the create took is dropped at once.
  dereferenceSection(fltMgr, section, 'CreateFileMappingW');
  return handle;
}

/** MapViewOfFile(hFileMappingObject, dwDesiredAccess, 0, 0, 0): the whole section; null on failure. */
export function* MapViewOfFile(hFileMappingObject: SectionHandle | number, dwDesiredAccess: number, dwFileOffsetHigh: number, dwFileOffsetLow: number, dwNumberOfBytesToMap: number): Blocking<SectionView | null> {
  if (!(hFileMappingObject instanceof SectionHandle) && typeof hFileMappingObject !== 'number') throw new UsageError('BAD_ARGUMENT', 'MapViewOfFile: hFileMappingObject is not a section handle');
  const handle = yield* sectionHandleFromValue(hFileMappingObject);
  // A value that names no section: ERROR_INVALID_HANDLE (nothing to log it on).
  if (handle === null) return null;
  void dwFileOffsetHigh;
  void dwFileOffsetLow;
  void dwNumberOfBytesToMap;
  const fltMgr = handle.section.fileObject.volume.fltMgr;
  const thread = requireThread(fltMgr, 'MapViewOfFile');
  yield* preempt();
  const r = mapView(fltMgr, handle, 'MapViewOfFile', thread.process, (dwDesiredAccess & FILE_MAP_WRITE) !== 0);
  return NT_SUCCESS(r.status) ? r.BaseAddress : null;
}

/** UnmapViewOfFile(lpBaseAddress) (and UnmapViewOfFileEx, whose flags change nothing the model sees). */
export function* UnmapViewOfFile(lpBaseAddress: SectionView): Blocking<boolean> {
  if (!(lpBaseAddress instanceof SectionView)) throw new UsageError('BAD_ARGUMENT', 'UnmapViewOfFile: lpBaseAddress is not a mapped view');
  const fltMgr = lpBaseAddress.section.fileObject.volume.fltMgr;
  const thread = requireThread(fltMgr, 'UnmapViewOfFile');
  yield* preempt();
  return NT_SUCCESS(unmapView(fltMgr, lpBaseAddress, 'UnmapViewOfFile', thread.process));
}

/**
 * A store through a writable view: the pages become dirty, and the modified page writer is queued
 * (it takes a reference on the section) if it is not already. No IRP now.
 */
export function* writeMappedView(view: SectionView, offset: number, data: Uint8Array | string): Blocking<void> {
  if (!(view instanceof SectionView)) throw new UsageError('BAD_ARGUMENT', 'writeMappedView: view is not a mapped view');
  if (typeof data !== 'string') bufferArgument('writeMappedView', 'data', data, false);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const section = view.section;
  const fltMgr = section.fileObject.volume.fltMgr;
  requireThread(fltMgr, 'a write through a mapped view');
  yield* preempt();
  if (!section.views.includes(view) || !view.writable || !Number.isInteger(offset) || offset < 0 || offset + bytes.length > section.size) {
    throw fltMgr.kernel.violation('IO_ON_CLOSED_FILE_OBJECT', section.id, `a write of ${bytes.length} bytes at ${offset} through ${view.id} (${!section.views.includes(view) ? 'unmapped' : !view.writable ? 'read-only' : `outside the ${section.size}-byte section`}): an access violation (${STATUS_ACCESS_VIOLATION.toString(16)})`);
  }
  fltMgr.emitFact({ seq: 0, time: 0, object: section.id, type: 'SectionPagesDirtied', view: view.id, offset, length: bytes.length });
  bytes.forEach((b, i) => section.dirty.set(offset + i, b));
  section.dirtyRanges.push({ offset, length: bytes.length });
  // The writer's reference moves the section's machine to its ModifiedPageWriterQueued part.
  if (!section.writerQueued) {
    referenceSection(fltMgr, section, 'ModifiedPageWriter');
    fltMgr.kernel.spawn(`ModifiedPageWriter(${section.id})`, modifiedPageWriter(fltMgr, section));
  }
}

/**
 * FlushViewOfFile(lpBaseAddress, dwNumberOfBytesToFlush): the dirty pages of the view's first
 * dwNumberOfBytesToFlush bytes (0: the whole view) are written now, on the caller's thread, as one
 * paging write (IRP_PAGING_IO | IRP_NOCACHE | IRP_SYNCHRONOUS_PAGING_IO) between
 * IRP_MJ_ACQUIRE_FOR_CC_FLUSH and IRP_MJ_RELEASE_FOR_CC_FLUSH (§24.3). Nothing dirty: no I/O.
 */
export function* FlushViewOfFile(lpBaseAddress: SectionView, dwNumberOfBytesToFlush: number): Blocking<boolean> {
  if (!(lpBaseAddress instanceof SectionView)) throw new UsageError('BAD_ARGUMENT', 'FlushViewOfFile: lpBaseAddress is not a mapped view');
  if (!Number.isInteger(dwNumberOfBytesToFlush) || dwNumberOfBytesToFlush < 0) throw new UsageError('BAD_ARGUMENT', 'FlushViewOfFile: dwNumberOfBytesToFlush is not a byte count');
  const section = lpBaseAddress.section;
  const fltMgr = section.fileObject.volume.fltMgr;
  const thread = requireThread(fltMgr, 'FlushViewOfFile');
  yield* preempt();
  if (!section.views.includes(lpBaseAddress) || lpBaseAddress.process !== thread.process) {
    fail(fltMgr, section.id, 'FlushViewOfFile', STATUS_INVALID_HANDLE, `${lpBaseAddress.id} is not a view mapped in ${thread.process}`);
    return false;
  }
  const limit = dwNumberOfBytesToFlush === 0 ? section.size : Math.ceil(dwNumberOfBytesToFlush / PAGE_SIZE) * PAGE_SIZE;
  yield* enterPagingWrite(fltMgr, section);
  let status: number = STATUS_SUCCESS;
  try {
    const pages = takeDirtyPages(fltMgr, section, limit);
    if (pages !== null) {
      yield* acquireForCcFlush(fltMgr, section.fileObject);
      status = yield* pagingWrite(fltMgr, section, pages, IRP_SYNCHRONOUS_PAGING_IO);
      yield* releaseForCcFlush(fltMgr, section.fileObject);
    }
  } finally {
    leavePagingWrite(fltMgr, section);
  }
  return NT_SUCCESS(status);
}

/**
 * One paging write of a section's pages in flight at a time: a flush that collides with the
 * modified page writer's write of the same pages waits for it to finish, as Mm makes it, and takes
 * the pages after — so pages dirtied again meanwhile are written after the older contents, never
 * under them. (Found by test/property/fsFilterOperations.test.ts once FlushViewOfFile existed.)
 */
function* enterPagingWrite(fltMgr: FilterManager, section: SectionObject): Blocking<void> {
  if (section.pagingWriteGate === null) {
    section.pagingWriteGate = fltMgr.kernel.createWaitable(`${section.id} paging write`, 'synchronization');
    fltMgr.kernel.signal(section.pagingWriteGate);
  }
  yield* waitFor(section.pagingWriteGate, `a paging write of ${section.id} in flight`);
}

function leavePagingWrite(fltMgr: FilterManager, section: SectionObject): void {
  fltMgr.kernel.signal(section.pagingWriteGate!);
}

/**
 * The dirty pages below `limit` taken for one paging write — whole pages, from the first dirty one to
 * the last (sector aligned, as non-cached I/O must be; the file system cuts a paging write at end
 * of file) — or null when none is dirty.
 */
function takeDirtyPages(fltMgr: FilterManager, section: SectionObject, limit: number): { start: number; bytes: Uint8Array } | null {
  const offsets = [...section.dirty.keys()].filter((at) => at < limit).sort((a, b) => a - b);
  if (offsets.length === 0) return null;
  const fileData = section.fileObject.volume.fileSystem.streamOf(section.fileObject.id)?.data ?? new Uint8Array(0);
  const start = Math.floor(offsets[0]! / PAGE_SIZE) * PAGE_SIZE;
  const end = Math.ceil((offsets.at(-1)! + 1) / PAGE_SIZE) * PAGE_SIZE;
  const bytes = new Uint8Array(end - start);
  bytes.set(fileData.subarray(start, end));
  for (const at of offsets) if (at >= start) bytes[at - start] = section.dirty.get(at)!;
  fltMgr.emitFact({ seq: 0, time: 0, object: section.id, type: 'SectionPagesWriting', offset: start, length: bytes.length });
  for (const at of offsets) section.dirty.delete(at);
  if (section.dirty.size === 0) section.dirtyRanges.length = 0;
  return { start, bytes };
}

/** One IRP_MJ_WRITE with IRP_PAGING_IO | IRP_NOCACHE (and `extraFlags`) from the top of the stack, on this thread; its status. */
function* pagingWrite(fltMgr: FilterManager, section: SectionObject, pages: { start: number; bytes: Uint8Array }, extraFlags: number): Blocking<number> {
  const op = startOperation(fltMgr, {
    volume: section.fileObject.volume,
    fileObject: section.fileObject,
    MajorFunction: IRP_MJ_WRITE,
    IrpFlags: IRP_PAGING_IO | IRP_NOCACHE | extraFlags,
    Parameters: { Write: { Length: pages.bytes.length, Key: 0, ByteOffset: pages.start, WriteBuffer: pages.bytes, MdlAddress: null } },
    RequestorMode: 'KernelMode',
    requestorSid: SYSTEM_SID,
    initiator: null,
    markGenerated: false,
    buffer: pages.bytes,
  });
  yield* driveToCompletion(fltMgr, op);
  return op.data.IoStatus.Status;
}

/**
 * The modified page writer for one section: a system thread the scheduler runs when it chooses.
 * It writes the dirty pages as paging writes from the top of the stack, each between
 * IRP_MJ_ACQUIRE_FOR_MOD_WRITE (EndingOffset: the end of its range) and IRP_MJ_RELEASE_FOR_MOD_WRITE,
 * until none are left, then drops its reference on the section.
 */
function* modifiedPageWriter(fltMgr: FilterManager, section: SectionObject): Blocking<number> {
  yield* preempt();
  for (;;) {
    yield* enterPagingWrite(fltMgr, section);
    try {
      const pages = takeDirtyPages(fltMgr, section, Number.POSITIVE_INFINITY);
      if (pages === null) break;
      yield* acquireForModWrite(fltMgr, section.fileObject, pages.start + pages.bytes.length);
      yield* pagingWrite(fltMgr, section, pages, 0);
      yield* releaseForModWrite(fltMgr, section.fileObject);
    } finally {
      leavePagingWrite(fltMgr, section);
    }
  }
  dereferenceSection(fltMgr, section, 'ModifiedPageWriter');
  return 0;
}
