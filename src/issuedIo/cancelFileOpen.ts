/**
 * FltCancelFileOpen(Instance, FileObject) (§11.13): undo an open the file system granted, from the
 * post-create of the instance that wants the create to fail. IRP_MJ_CLEANUP goes below the caller
 * now; FO_FILE_OPEN_CANCELLED is set; IRP_MJ_CLOSE follows below the caller, on its own thread, once
 * the file object's last reference goes: the I/O manager's at the end of the create, or later, that
 * of I/O a post-create still has in flight on it. The caller must then fail the create (an error in
 * IoStatus, Information 0). What it owes is the stream in src/streams/fileOpenCancellation.ts.
 */
import { fileObjectArgument, instanceArgument } from './routineArguments.js';
import { Subject } from 'rxjs';
import type { Blocking } from '../kernel/effects.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import { requireThread } from '../fltmgr/routineSupport.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { IoOperation } from '../io/ioOperation.js';
import { driveToCompletion } from '../io/dispatch.js';
import type { FileObject } from '../io/fileObject.js';
import { fileObjectClosed, updateFileObject } from '../io/fileObjectLifecycle.js';
import { startOperation } from '../io/startOperation.js';
import { fileOpenCancellation } from '../streams/fileOpenCancellation.js';
import { FO_FILE_OPEN_CANCELLED, FO_HANDLE_CREATED } from '../wdk/fileConstants.js';
import { IRP_MJ_CLEANUP, IRP_MJ_CLOSE, IRP_MJ_CREATE } from '../wdk/irp.js';
import { NT_SUCCESS } from '../wdk/ntstatus.js';
import { SYSTEM_SID } from '../kernel/sids.js';

/** The create operation whose post-create `instance` is running now on this file object, if any. */
function postCreateInProgress(fltMgr: FilterManager, instance: InstanceObject, fo: FileObject): IoOperation | null {
  for (const op of fltMgr.operations) {
    if (op.major === IRP_MJ_CREATE && op.data.Iopb.TargetFileObject === fo && op.postCallbackRunning === instance) return op;
  }
  return null;
}

export function* FltCancelFileOpen(Instance: InstanceObject, FileObject: FileObject): Blocking<void> {
  instanceArgument('FltCancelFileOpen', 'Instance', Instance);
  fileObjectArgument('FltCancelFileOpen', FileObject);
  const fltMgr = Instance.filter.fltMgr;
  requireThread(fltMgr, 'FltCancelFileOpen');
  const create = postCreateInProgress(fltMgr, Instance, FileObject);
  if (create === null) {
    throw fltMgr.kernel.violation('CANCEL_OPEN_OUTSIDE_POST_CREATE', Instance.id, `FltCancelFileOpen(${Instance}, ${FileObject}) outside that instance's post-create for the file object (§11.13)`);
  }
  // Opened is the window between the file system's success and the first handle (FO_HANDLE_CREATED clear).
  if (FileObject.state !== 'Opened') {
    throw fltMgr.kernel.violation(
      'CANCEL_OPEN_NOT_OPENED',
      FileObject.id,
      `FltCancelFileOpen on ${FileObject}, which is ${FileObject.state}: it needs a create the file system succeeded and no handle yet (IoCancelFileOpen bugchecks with INVALID_CANCEL_OF_FILE_OPEN)`,
    );
  }
  fltMgr.emitFact({ seq: 0, time: 0, object: FileObject.id, type: 'FltCancelFileOpen', instance: Instance.id });
  const cancel$ = new Subject<void>();
  const released$ = new Subject<void>();
  let cleanupDone = false;
  fileOpenCancellation(cancel$, released$).subscribe((request) => {
    if (request === 'cleanup') cleanupDone = true;
    else fltMgr.kernel.spawn(`Close(${FileObject.id})`, sendBelow(fltMgr, Instance, FileObject, IRP_MJ_CLOSE));
  });
  // The close is this routine's to send once nothing references the file object (src/io/closeFile.ts).
  // Through a const, not assigned as a literal (V8 puts those in the old generation; docs/exploration.md, "Memory").
  const released = (): void => released$.next();
  FileObject.released = released;
  create.onComplete.push((op) => {
    // §14 invariant 15: after a cancel the create must fail, with Information 0.
    if (NT_SUCCESS(op.data.IoStatus.Status) || op.data.IoStatus.Information !== 0) {
      throw fltMgr.kernel.violation('CANCELLED_OPEN_NOT_FAILED', Instance.id, `${op.id} completes with ${op.data.IoStatus.Status}/${op.data.IoStatus.Information} after FltCancelFileOpen; the post-create must set an error and Information 0`);
    }
  });
  cancel$.next();
  if (cleanupDone) yield* sendBelow(fltMgr, Instance, FileObject, IRP_MJ_CLEANUP);
  updateFileObject(fltMgr, FileObject, FileObject.CurrentByteOffset, (FileObject.Flags | FO_FILE_OPEN_CANCELLED) >>> 0);
  fltMgr.emitFact({ seq: 0, time: 0, object: FileObject.id, type: 'FileObjectOpenCancelled' });
}

function* sendBelow(fltMgr: FilterManager, instance: InstanceObject, fo: FileObject, major: number): Blocking<number> {
  const op = startOperation(fltMgr, {
    volume: fo.volume,
    fileObject: fo,
    MajorFunction: major,
    Parameters: major === IRP_MJ_CLEANUP ? { Cleanup: {} } : { Close: {} },
    RequestorMode: 'KernelMode',
    requestorSid: SYSTEM_SID,
    initiator: instance,
    markGenerated: false,
  });
  yield* driveToCompletion(fltMgr, op);
  if (major === IRP_MJ_CLEANUP) fltMgr.emitFact({ seq: 0, time: 0, object: fo.id, type: 'FileObjectCleanup' });
  else fileObjectClosed(fltMgr, fo);
  return 0;
}
