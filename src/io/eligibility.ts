/**
 * Which instances an operation calls (§2 per-operation flags, §3, §8): the instance must still
 * receive operations, its filter must not be unregistering, it must register the major function,
 * and its FLTFL_OPERATION_REGISTRATION_SKIP_* flags must not exclude this I/O.
 */
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import type { FLT_OPERATION_REGISTRATION } from '../fltmgr/registration.js';
import {
  FLTFL_OPERATION_REGISTRATION_SKIP_CACHED_IO,
  FLTFL_OPERATION_REGISTRATION_SKIP_NON_CACHED_NON_PAGING_IO,
  FLTFL_OPERATION_REGISTRATION_SKIP_NON_DASD_IO,
  FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO,
} from '../wdk/fltConstants.js';
import { IRP_MJ_OPERATION_END, IRP_MJ_READ, IRP_MJ_WRITE, IRP_NOCACHE, IRP_PAGING_IO } from '../wdk/irp.js';
import type { FLT_IO_PARAMETER_BLOCK } from './ioOperation.js';

export function operationRegistration(instance: InstanceObject, iopb: FLT_IO_PARAMETER_BLOCK): FLT_OPERATION_REGISTRATION | null {
  if (!instance.receivesOperations) return null;
  if (!instance.filter.filtersOperations) return null;
  for (const entry of instance.filter.registration.OperationRegistration ?? []) {
    if (entry.MajorFunction === IRP_MJ_OPERATION_END) break;
    if (entry.MajorFunction !== iopb.MajorFunction) continue;
    if (entry.PreOperation === undefined && entry.PostOperation === undefined) return null;
    return skipped(entry.Flags ?? 0, iopb) ? null : entry;
  }
  return null;
}

function skipped(flags: number, iopb: FLT_IO_PARAMETER_BLOCK): boolean {
  const paging = (iopb.IrpFlags & IRP_PAGING_IO) !== 0;
  const nonCached = (iopb.IrpFlags & IRP_NOCACHE) !== 0;
  const readWrite = iopb.MajorFunction === IRP_MJ_READ || iopb.MajorFunction === IRP_MJ_WRITE;
  if ((flags & FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO) !== 0 && paging) return true;
  if ((flags & FLTFL_OPERATION_REGISTRATION_SKIP_CACHED_IO) !== 0 && readWrite && !paging && !nonCached) return true;
  if ((flags & FLTFL_OPERATION_REGISTRATION_SKIP_NON_CACHED_NON_PAGING_IO) !== 0 && readWrite && !paging && nonCached) return true;
  // DASD I/O is I/O on a volume open; everything else is "non-DASD".
  // A volume-level request with no file object (PnP, shutdown) is addressed to the volume: DASD.
  if ((flags & FLTFL_OPERATION_REGISTRATION_SKIP_NON_DASD_IO) !== 0 && (iopb.TargetFileObject?.FileName ?? '') !== '') return true;
  return false;
}
