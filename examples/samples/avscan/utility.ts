/**
 * utility.c: the generic table's routines (AvCompareEntry, AvAllocateGenericTableEntry,
 * AvFreeGenericTableEntry) and AvGetFileId; AvGetFileSize is in context.ts.
 *
 * utility.h: the lock helpers every avscan routine takes its ERESOURCEs through. Each asserts what
 * the C asserts (FLT_ASSERT, a checked build's NT_ASSERT): at most APC_LEVEL, and for an exclusive
 * acquire that the thread does not hold the resource shared only (the upgrade would wait for
 * itself); for a release that the thread holds it. Then the critical region and the Ex routine.
 */
import {
  APC_LEVEL,
  ExAllocatePoolZero,
  ExFreePoolWithTag,
  FILE_INFORMATION_CLASS,
  FLT_FSTYPE_REFS,
  FltGetFileSystemType,
  FltQueryInformationFile,
  GenericEqual,
  GenericGreaterThan,
  GenericLessThan,
  NT_SUCCESS,
  PagedPool,
  ExAcquireResourceExclusiveLite,
  ExAcquireResourceSharedLite,
  ExIsResourceAcquiredExclusiveLite,
  ExIsResourceAcquiredSharedLite,
  ExReleaseResourceLite,
  FLT_ASSERT,
  KeEnterCriticalRegion,
  KeGetCurrentIrql,
  KeLeaveCriticalRegion,
  type Blocking,
  type ERESOURCE,
  type NTSTATUS,
  type PFILE_OBJECT,
  type PFLT_INSTANCE,
  type RTL_GENERIC_COMPARE_RESULTS,
  type RTL_GENERIC_TABLE,
} from '../../../src/index.js';
import { AV_TABLE_ENTRY_TAG, type AV_FILE_REFERENCE, type AV_GENERIC_TABLE_ENTRY } from './avscanTypes.js';

/**
 * AvCompareEntry: the 64-bit Value first (the one part a 64-bit id has), then UpperZeroes. Not the
 * order of a memcmp of the 128 bits, which does not matter: the tree only needs one consistent order.
 */
export function AvCompareEntry(_Table: RTL_GENERIC_TABLE<AV_GENERIC_TABLE_ENTRY>, Lhs: AV_GENERIC_TABLE_ENTRY, Rhs: AV_GENERIC_TABLE_ENTRY): RTL_GENERIC_COMPARE_RESULTS {
  const lhs = Lhs.FileId.FileId64;
  const rhs = Rhs.FileId.FileId64;
  if (lhs.Value < rhs.Value) return GenericLessThan;
  if (lhs.Value > rhs.Value) return GenericGreaterThan;
  if (lhs.UpperZeroes < rhs.UpperZeroes) return GenericLessThan;
  if (lhs.UpperZeroes > rhs.UpperZeroes) return GenericGreaterThan;
  return GenericEqual;
}

/** AvAllocateGenericTableEntry: paged pool, zeroed, tagged 'eTvA'. */
export function AvAllocateGenericTableEntry(_Table: RTL_GENERIC_TABLE<AV_GENERIC_TABLE_ENTRY>, ByteSize: number): Blocking<Uint8Array | null> {
  return ExAllocatePoolZero(PagedPool, ByteSize, AV_TABLE_ENTRY_TAG);
}

/** AvFreeGenericTableEntry. */
export function AvFreeGenericTableEntry(_Table: RTL_GENERIC_TABLE<AV_GENERIC_TABLE_ENTRY>, Entry: unknown): Blocking<void> {
  return ExFreePoolWithTag(Entry as Uint8Array, AV_TABLE_ENTRY_TAG);
}

/** Eight bytes of a FILE_ID_128 (as FileIdInformation hands it: 32 hex digits, byte 0 first) read as a little-endian ULONGLONG. */
function ulonglongAt(fileId128: string, byteOffset: number): bigint {
  let value = 0n;
  for (let i = 7; i >= 0; i--) value = (value << 8n) | BigInt(parseInt(fileId128.slice((byteOffset + i) * 2, (byteOffset + i) * 2 + 2), 16));
  return value;
}

/**
 * AvGetFileId: ReFS → FileIdInformation's 128-bit id (RtlCopyMemory over the union: Value is its
 * first eight bytes, UpperZeroes the last eight); otherwise FileInternalInformation's IndexNumber
 * with UpperZeroes 0.
 */
export function* AvGetFileId(Instance: PFLT_INSTANCE, FileObject: PFILE_OBJECT, FileId: AV_FILE_REFERENCE): Blocking<NTSTATUS> {
  const type = FltGetFileSystemType(Instance);
  let status = type.status;
  if (NT_SUCCESS(status)) {
    if (type.FileSystemType === FLT_FSTYPE_REFS) {
      const r = yield* FltQueryInformationFile(Instance, FileObject, 24, FILE_INFORMATION_CLASS.FileIdInformation);
      status = r.status;
      if (NT_SUCCESS(status) && r.output?.kind === 'fileInformation') {
        const fileIdInformation = r.output.info as { FileId: string };
        FileId.FileId64.Value = ulonglongAt(fileIdInformation.FileId, 0);
        FileId.FileId64.UpperZeroes = ulonglongAt(fileIdInformation.FileId, 8);
      }
    } else {
      const r = yield* FltQueryInformationFile(Instance, FileObject, 8, FILE_INFORMATION_CLASS.FileInternalInformation);
      status = r.status;
      if (NT_SUCCESS(status) && r.output?.kind === 'fileInformation') {
        const fileInternalInformation = r.output.info as { IndexNumber: number };
        FileId.FileId64.Value = BigInt(fileInternalInformation.IndexNumber);
        FileId.FileId64.UpperZeroes = 0n;
      }
    }
  }
  return status;
}

/** AvAcquireResourceExclusive. */
export function* AvAcquireResourceExclusive(Resource: ERESOURCE): Blocking<void> {
  FLT_ASSERT((yield* KeGetCurrentIrql()) <= APC_LEVEL, 'KeGetCurrentIrql() <= APC_LEVEL');
  FLT_ASSERT((yield* ExIsResourceAcquiredExclusiveLite(Resource)) || (yield* ExIsResourceAcquiredSharedLite(Resource)) === 0, 'ExIsResourceAcquiredExclusiveLite(Resource) || !ExIsResourceAcquiredSharedLite(Resource)');
  yield* KeEnterCriticalRegion();
  yield* ExAcquireResourceExclusiveLite(Resource, true);
}

/** AvAcquireResourceShared. */
export function* AvAcquireResourceShared(Resource: ERESOURCE): Blocking<void> {
  FLT_ASSERT((yield* KeGetCurrentIrql()) <= APC_LEVEL, 'KeGetCurrentIrql() <= APC_LEVEL');
  yield* KeEnterCriticalRegion();
  yield* ExAcquireResourceSharedLite(Resource, true);
}

/** AvReleaseResource. */
export function* AvReleaseResource(Resource: ERESOURCE): Blocking<void> {
  FLT_ASSERT((yield* KeGetCurrentIrql()) <= APC_LEVEL, 'KeGetCurrentIrql() <= APC_LEVEL');
  FLT_ASSERT((yield* ExIsResourceAcquiredExclusiveLite(Resource)) || (yield* ExIsResourceAcquiredSharedLite(Resource)) !== 0, 'ExIsResourceAcquiredExclusiveLite(Resource) || ExIsResourceAcquiredSharedLite(Resource)');
  yield* ExReleaseResourceLite(Resource);
  yield* KeLeaveCriticalRegion();
}
