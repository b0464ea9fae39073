/**
 * MetadataManagerStruc.h and the lock primitives of MetadataManagerProc.h: the sample's globals, its
 * instance context (the metadata file's handle and file object, the resource that guards them, the
 * flags, and the volume file object whose cleanup or unlock re-opens the metadata), and
 * FmmAcquireResourceExclusive / Shared / FmmReleaseResource, which enter and leave the critical
 * region around the raw Ex*ResourceLite calls exactly as the C's FORCEINLINE routines do.
 */
import {
  FLT_ASSERT as FltAssert,
  ExAcquireResourceExclusiveLite,
  ExAcquireResourceSharedLite,
  ExReleaseResourceLite,
  KeEnterCriticalRegion,
  KeLeaveCriticalRegion,
  type Blocking,
  type ERESOURCE,
  type KernelHandle,
  type PFILE_OBJECT,
  type PFLT_FILTER,
  type PFLT_INSTANCE,
  type PFLT_VOLUME,
} from '../../../src/index.js';

/**
 * How this build of the sample treats its resource around its own file-system operations:
 * 'shipped' releases it (FmmBeginFileSystemOperation / FmmEndFileSystemOperation, the TRANSITION
 * flag); 'keepsResource' is the variant the C comments warn against, which keeps it exclusive across
 * FltCreateFile and FltClose; 'keepsHandle' never gives up the metadata file on a lock or dismount
 * (the filter the sample exists to correct: the volume lock then fails, §21.7).
 */
export type FmmVariant = 'shipped' | 'keepsResource' | 'keepsHandle';

/** FMM_GLOBAL_DATA. */
export interface FMM_GLOBAL_DATA {
  Filter: PFLT_FILTER | null;
  DebugLevel: number;
  /** The DebugTrace lines a checked build prints (DbgPrint), in order. */
  readonly DebugOutput: string[];
  readonly variant: FmmVariant;
  /** A checked (DBG) build: FLT_ASSERT stops the run; a free build compiles the assertions out. */
  readonly checked: boolean;
}

/** The instance context resource was released around a file-system operation (FmmBeginFileSystemOperation). */
export const INSTANCE_CONTEXT_F_TRANSITION = 0x00000001;
/** The filter holds the metadata file open (handle and referenced file object). */
export const INSTANCE_CONTEXT_F_METADATA_OPENED = 0x00000002;

/** FMM_INSTANCE_CONTEXT. */
export interface FMM_INSTANCE_CONTEXT {
  Flags: number;
  Instance: PFLT_INSTANCE;
  /** The VolumeFilesystemType InstanceSetup was given ('NTFS', 'FAT', 'ReFS'). */
  FilesystemType: string;
  Volume: PFLT_VOLUME;
  MetadataResource: ERESOURCE;
  MetadataHandle: KernelHandle | null;
  MetadataFileObject: PFILE_OBJECT | null;
  /** The volume file object whose cleanup (or unlock) re-opens the metadata: the one that locked the volume. */
  MetadataOpenTriggerFileObject: PFILE_OBJECT | null;
}

/** sizeof(FMM_INSTANCE_CONTEXT) on x64: what the registration declares and FltAllocateContext checks. */
export const FMM_INSTANCE_CONTEXT_SIZE = 184;
export const FMM_STRING_TAG = 0x466d5374; // 'tSmF'
export const FMM_INSTANCE_CONTEXT_TAG = 0x466d4963; // 'cImF'

export const FMM_METADATA_FILE_NAME = '\\System Volume Information\\FilterMetadata.md';
export const FMM_DEFAULT_VOLUME_NAME_LENGTH = 64;

export const DEBUG_TRACE_ERROR = 0x00000001;
export const DEBUG_TRACE_LOAD_UNLOAD = 0x00000002;
export const DEBUG_TRACE_INSTANCES = 0x00000004;
export const DEBUG_TRACE_METADATA_OPERATIONS = 0x00000008;
export const DEBUG_TRACE_ALL_IO = 0x00000010;
export const DEBUG_TRACE_INFO = 0x00000020;
export const DEBUG_TRACE_ALL = 0xffffffff;

export function DebugTrace(Globals: FMM_GLOBAL_DATA, Level: number, text: string): void {
  if ((Level & Globals.DebugLevel) !== 0) Globals.DebugOutput.push(text);
}

/** FLT_ASSERT: a checked build stops here (fltsim's FLT_ASSERT: the verifier finding of that name, with the filter's place); a free build goes on. */
export function FLT_ASSERT(Globals: FMM_GLOBAL_DATA, condition: boolean, what: string): void {
  if (Globals.checked) FltAssert(condition, what);
}

export function FlagOn(flags: number, flag: number): boolean {
  return (flags & flag) !== 0;
}

/** FmmAcquireResourceExclusive: KeEnterCriticalRegion, then ExAcquireResourceExclusiveLite(Resource, TRUE). */
export function* FmmAcquireResourceExclusive(Resource: ERESOURCE): Blocking<void> {
  yield* KeEnterCriticalRegion();
  yield* ExAcquireResourceExclusiveLite(Resource, true);
}

/** FmmAcquireResourceShared: KeEnterCriticalRegion, then ExAcquireResourceSharedLite(Resource, TRUE). */
export function* FmmAcquireResourceShared(Resource: ERESOURCE): Blocking<void> {
  yield* KeEnterCriticalRegion();
  yield* ExAcquireResourceSharedLite(Resource, true);
}

/** FmmReleaseResource: ExReleaseResourceLite, then KeLeaveCriticalRegion. */
export function* FmmReleaseResource(Resource: ERESOURCE): Blocking<void> {
  yield* ExReleaseResourceLite(Resource);
  yield* KeLeaveCriticalRegion();
}
