/**
 * Object-manager references on file objects (§23.5): ObReferenceObject and
 * ObReferenceObjectByHandle, the way MetadataManager, NameChanger and simrep get a file object from
 * a FltCreateFile handle. Every reference is released with ObDereferenceObject; IRP_MJ_CLOSE goes
 * out when the last one (handles included) is gone.
 */
import { UsageError } from '../kernel/errors.js';
import { FileObject } from '../io/fileObject.js';
import { STATUS_INVALID_HANDLE, STATUS_OBJECT_TYPE_MISMATCH, STATUS_SUCCESS, type NTSTATUS } from '../wdk/ntstatus.js';
import { fail } from '../fltmgr/routineSupport.js';
import { KernelHandle } from './createFile.js';
import { TransactionObject } from '../fltmgr/transactionObjects.js';
import { referenceTransactionObject } from '../fltmgr/transactionRoutines.js';

/** The object type a handle must name: `*IoFileObjectType`, the only object type handles here refer to. */
export const IoFileObjectType = 'File';

/** ObReferenceObject(Object): one more pointer reference on a file object or a transaction (§22.4). */
export function ObReferenceObject(Object: FileObject | TransactionObject): void {
  if (Object instanceof TransactionObject) {
    referenceTransactionObject(Object);
    return;
  }
  if (!(Object instanceof FileObject)) throw new UsageError('BAD_ARGUMENT', 'ObReferenceObject: only file objects and transactions are modelled');
  if (Object.state === 'Closed' || Object.pointerCount <= 0) {
    throw Object.volume.fltMgr.kernel.violation('IO_ON_CLOSED_FILE_OBJECT', Object.id, `ObReferenceObject on ${Object}, which is closed`);
  }
  Object.pointerCount++;
}

/**
 * ObReferenceObjectByHandle(Handle, DesiredAccess, ObjectType, AccessMode, &Object, NULL): the file
 * object behind a kernel handle from FltCreateFile*, referenced. A handle that is closed →
 * STATUS_INVALID_HANDLE; another object type → STATUS_OBJECT_TYPE_MISMATCH; UserMode may not use a
 * kernel handle (OBJ_KERNEL_HANDLE) → STATUS_INVALID_HANDLE. Access is not re-checked (§23.5 only
 * needs the reference).
 */
export function ObReferenceObjectByHandle(
  Handle: KernelHandle,
  DesiredAccess: number,
  ObjectType: string | null,
  AccessMode: 'KernelMode' | 'UserMode',
): { readonly status: NTSTATUS; readonly Object: FileObject | null } {
  if (!(Handle instanceof KernelHandle)) throw new UsageError('BAD_ARGUMENT', 'ObReferenceObjectByHandle: Handle is not a handle from FltCreateFile*');
  void DesiredAccess;
  const fltMgr = Handle.fltMgr;
  const fo = fltMgr.kernelHandles.get(Handle.id);
  const refuse = (status: NTSTATUS, detail: string) => ({ status: fail(fltMgr, 'sim', 'ObReferenceObjectByHandle', status, detail), Object: null });
  if (fo === undefined) return refuse(STATUS_INVALID_HANDLE, `${Handle.id} is not an open handle`);
  if (AccessMode === 'UserMode') return refuse(STATUS_INVALID_HANDLE, `${Handle.id} is a kernel handle`);
  if (ObjectType !== null && ObjectType !== IoFileObjectType) return refuse(STATUS_OBJECT_TYPE_MISMATCH, `${Handle.id} is a file, not a ${ObjectType}`);
  fo.pointerCount++;
  return { status: STATUS_SUCCESS, Object: fo };
}
