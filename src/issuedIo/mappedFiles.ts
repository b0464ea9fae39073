/**
 * Applications' file mappings and the modified page writer (§24.1): CreateFileMappingW over a
 * file handle, MapViewOfFile / UnmapViewOfFile (read-only views also serve the data-scan sections a
 * filter hands a user-mode scanner), writes through a writable view, and the paging writes that
 * carry those pages to the file system later — from a system thread of their own, so they can come
 * after the handle's IRP_MJ_CLEANUP and always before the file object's IRP_MJ_CLOSE (the section
 * references the file object, and the writer holds the section).
 *
 * Not modelled: the FsFilter callbacks around them (IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION,
 * IRP_MJ_ACQUIRE_FOR_MOD_WRITE and their releases; every operation here is an IRP), paging reads
 * (a view reads the file's data directly), and reads through the cache seeing dirty pages before
 * they are written: an IRP_MJ_READ in between sees the file system's data.
 */
import { bufferArgument } from '../kernel/arguments.js';
import { preempt, type Blocking } from '../kernel/effects.js';
import { UsageError } from '../kernel/errors.js';
import { SYSTEM_SID } from '../kernel/sids.js';
import { driveToCompletion } from '../io/dispatch.js';
import type { FileObject } from '../io/fileObject.js';
import { startOperation } from '../io/startOperation.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import { requireThread, fail } from '../fltmgr/routineSupport.js';
import { PAGE_SIZE, SectionHandle, SectionView, type SectionObject } from '../fltmgr/sectionObjects.js';
import { dereferenceSection, mapView, referenceSection, sectionHandleFromValue, unmapView } from '../fltmgr/sectionRoutines.js';
import { IRP_MJ_WRITE, IRP_NOCACHE, IRP_PAGING_IO } from '../wdk/irp.js';
import { STATUS_ACCESS_VIOLATION, STATUS_END_OF_FILE, STATUS_FILE_IS_A_DIRECTORY, STATUS_INVALID_HANDLE, NT_SUCCESS } from '../wdk/ntstatus.js';
import { FILE_MAP_WRITE, PAGE_READWRITE } from '../wdk/sectionConstants.js';

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
  const { section, handle } = fltMgr.sections.create('mapping', fo, stream.data.length, flProtect === PAGE_READWRITE, thread.process, false);
  fo.pointerCount++;
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
  fltMgr.emit(section.id, { type: 'SectionPagesDirtied', view: view.id, offset, length: bytes.length });
  bytes.forEach((b, i) => section.dirty.set(offset + i, b));
  section.dirtyRanges.push({ offset, length: bytes.length });
  if (!section.writerQueued) {
    section.writerQueued = true;
    referenceSection(fltMgr, section, 'ModifiedPageWriter');
    fltMgr.kernel.spawn(`ModifiedPageWriter(${section.id})`, modifiedPageWriter(fltMgr, section));
  }
}

/**
 * The modified page writer for one section: a system thread the scheduler runs when it chooses.
 * It writes the dirty pages — whole pages; the file system cuts them at end of file — as IRP_MJ_WRITE with
 * IRP_PAGING_IO | IRP_NOCACHE from the top of the stack, until none are left, then drops its
 * reference on the section.
 */
function* modifiedPageWriter(fltMgr: FilterManager, section: SectionObject): Blocking<number> {
  yield* preempt();
  for (;;) {
    const offsets = [...section.dirty.keys()].sort((a, b) => a - b);
    if (offsets.length === 0) break;
    const fileData = section.fileObject.volume.fileSystem.streamOf(section.fileObject.id)?.data ?? new Uint8Array(0);
    const start = Math.floor(offsets[0]! / PAGE_SIZE) * PAGE_SIZE;
    // Whole pages (sector aligned, as non-cached I/O must be); the file system cuts a paging write at end of file.
    const end = Math.ceil((offsets.at(-1)! + 1) / PAGE_SIZE) * PAGE_SIZE;
    const pages = new Uint8Array(end - start);
    pages.set(fileData.subarray(start, end));
    for (const [at, byte] of section.dirty) if (at >= start && at < end) pages[at - start] = byte;
    fltMgr.emit(section.id, { type: 'SectionPagesWriting', offset: start, length: pages.length });
    section.dirty.clear();
    section.dirtyRanges.length = 0;
    const op = startOperation(fltMgr, {
      volume: section.fileObject.volume,
      fileObject: section.fileObject,
      MajorFunction: IRP_MJ_WRITE,
      IrpFlags: IRP_PAGING_IO | IRP_NOCACHE,
      Parameters: { Write: { Length: pages.length, Key: 0, ByteOffset: start, WriteBuffer: pages, MdlAddress: null } },
      RequestorMode: 'KernelMode',
      requestorSid: SYSTEM_SID,
      initiator: null,
      markGenerated: false,
      buffer: pages,
    });
    yield* driveToCompletion(fltMgr, op);
  }
  section.writerQueued = false;
  dereferenceSection(fltMgr, section, 'ModifiedPageWriter');
  return 0;
}
