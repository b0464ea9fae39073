/**
 * nc.h of the NameChanger sample (filesys/miniFilter/NameChanger), reduced to what the directory
 * change notification core uses, and the two routines of ncpath.c it calls (NcComparePath,
 * NcConstructPath).
 *
 * Reduced, precisely:
 * - A mapping entry keeps its long-name path only (NC_MAPPING_ENTRY.LongNamePath); the short-name
 *   path (ShortNamePath) and the comparison against it are not ported: names are compared by long
 *   components only, and a component followed by a stream (`dir:stream`) is not recognised.
 * - NC_STREAM_HANDLE_CONTEXT keeps its lock and DirectoryNotificationContext; the enumeration
 *   (DirectoryQueryContext) and find-by-SID (FindBySidContext) parts are not ported.
 * - UNICODE_STRINGs are JavaScript strings; their Length is `2 * length`, the checks against
 *   MAXUSHORT are kept where the notification core makes them.
 */
import { ERESOURCE, FltAcquireResourceExclusive, FltReleaseResource, type Blocking, type PFLT_CONTEXT, type PFLT_FILTER, type FLT_CALLBACK_DATA, type PFILE_OBJECT, type NTSTATUS, STATUS_OBJECT_PATH_INVALID, STATUS_SUCCESS } from '../../../src/index.js';

//  Allocation tags
export const NC_TAG = 'NC__';
export const NC_LOCK_TAG = 'NClk';
export const NC_GENERATE_NAME_TAG = 'NCgn';
export const NC_INSTANCE_CONTEXT_TAG = 'NCin';
export const NC_STREAM_HANDLE__CONTEXT_TAG = 'NCsh';

export const NC_SEPARATOR = '\\';
export const MAXUSHORT = 0xffff;

export function AlignToSize(length: number, alignment: number): number {
  return (length + (alignment - 1)) & ~(alignment - 1);
}

export function FlagOn(flags: number, flag: number): boolean {
  return (flags & flag) !== 0;
}

/** NC_MAPPING_PATH: one mapping path, precomputed for comparisons. */
export interface NC_MAPPING_PATH {
  FullPath: string; //  \volume_name\parent_path\final_component
  VolumePath: string; //  \volume_name
  ParentPath: string; //  \volume_name\parent_name
  FinalComponentName: string;
  VolumelessName: string; //  \parent_name\final_component
  NumberComponentsInFullPath: number;
  NumberComponentsInVolumePath: number;
}

/** NC_MAPPING_ENTRY (long name only, see the header). */
export interface NC_MAPPING_ENTRY {
  LongNamePath: NC_MAPPING_PATH;
}

export interface NC_MAPPING {
  RealMapping: NC_MAPPING_ENTRY;
  UserMapping: NC_MAPPING_ENTRY;
}

/** NC_PATH_OVERLAP: a name's relation to a mapping (no flag: outside it). */
export interface NC_PATH_OVERLAP {
  Ancestor: boolean;
  Parent: boolean;
  Match: boolean;
  InMapping: boolean;
  Peer: boolean;
}

export interface NC_INSTANCE_CONTEXT {
  Mapping: NC_MAPPING;
  VolumeFilesystemType: unknown;
}

export type PNC_INSTANCE_CONTEXT = PFLT_CONTEXT<NC_INSTANCE_CONTEXT>;

/** NC_DIR_NOT_CONTEXT.Mode. */
export type NC_DIR_NOT_MODE = 'Uninitialized' | 'Filter' | 'Munge' | 'Merge';

/** NC_DIR_NOT_CONTEXT: the notification state of one user handle. */
export interface NC_DIR_NOT_CONTEXT {
  Mode: NC_DIR_NOT_MODE;
  CancelSeen: boolean;
  CleanupSeen: boolean;
  IgnoreCase: boolean;
  InsufficientBufferSeen: boolean;
  WatchTree: boolean;
  OperationFlags: number;
  CompletionFilter: number;
  /** UserRequestName.Buffer == NULL is `null`. */
  UserRequestName: string | null;
  MappingParentName: string | null;
  UserRequest: FLT_CALLBACK_DATA | null;
  ShadowRequest: FLT_CALLBACK_DATA | null;
  MappingRequest: FLT_CALLBACK_DATA | null;
  InstanceContext: PNC_INSTANCE_CONTEXT | null;
  RealParentHandle: string | null;
  RealParentFileObject: PFILE_OBJECT | null;
  BufferToFree: Uint8Array | null;
  BufferLength: number;
}

/** NC_STREAM_HANDLE_CONTEXT (notification part, see the header). */
export interface NC_STREAM_HANDLE_CONTEXT {
  Lock: ERESOURCE | null;
  DirectoryNotificationContext: NC_DIR_NOT_CONTEXT;
}

export type PNC_STREAM_HANDLE_CONTEXT = PFLT_CONTEXT<NC_STREAM_HANDLE_CONTEXT>;

/** NcLockStreamHandleContext(C): FltAcquireResourceExclusive((C)->Lock). */
export function NcLockStreamHandleContext(C: PNC_STREAM_HANDLE_CONTEXT): Blocking<void> {
  return FltAcquireResourceExclusive(C.Data.Lock!);
}

/** NcUnlockStreamHandleContext(C): FltReleaseResource((C)->Lock). */
export function NcUnlockStreamHandleContext(C: PNC_STREAM_HANDLE_CONTEXT): Blocking<void> {
  return FltReleaseResource(C.Data.Lock!);
}

/** NC_GLOBAL_DATA: what NcInitializeMapping reads from the registry, and the filter handle. */
export interface NC_GLOBAL_DATA {
  UserMappingPath: string;
  UserMappingFinalComponentLong: string;
  RealMappingPath: string;
  RealMappingFinalComponent: string;
  FilterHandle: PFLT_FILTER | null;
}

function components(path: string): string[] {
  return path.split(NC_SEPARATOR).filter((c) => c.length > 0);
}

/** NcBuildMappingPathFromVolume: the mapping path of ParentPath\FinalComponentName on the volume named VolumeName. */
export function NcBuildMappingPathFromVolume(VolumeName: string, ParentPath: string, FinalComponentName: string): NC_MAPPING_PATH {
  const parent = ParentPath === NC_SEPARATOR ? '' : ParentPath.replace(/\\$/, '');
  return {
    FullPath: `${VolumeName}${parent}${NC_SEPARATOR}${FinalComponentName}`,
    VolumePath: VolumeName,
    ParentPath: `${VolumeName}${parent}`,
    FinalComponentName,
    VolumelessName: `${parent}${NC_SEPARATOR}${FinalComponentName}`,
    NumberComponentsInFullPath: components(VolumeName).length + components(parent).length + 1,
    NumberComponentsInVolumePath: components(VolumeName).length,
  };
}

/**
 * NcComparePath(Name, Mapping, &Remainder, IgnoreCase, ContainsDevice, &Overlap): how Name relates
 * to the mapping, component by component (long names only). Returns Overlap and, when Name is in
 * the mapping, the Remainder after it.
 */
export function NcComparePath(Name: string, Mapping: NC_MAPPING_ENTRY, IgnoreCase: boolean, ContainsDevice: boolean): { InMapping: boolean; Overlap: NC_PATH_OVERLAP; Remainder: string } {
  const path = Mapping.LongNamePath;
  const MappingComponents = ContainsDevice ? path.NumberComponentsInFullPath : path.NumberComponentsInFullPath - path.NumberComponentsInVolumePath;
  const VolumeComponents = ContainsDevice ? path.NumberComponentsInVolumePath : 0;
  const fold = (s: string): string => (IgnoreCase ? s.toUpperCase() : s);
  const name = components(Name);
  const mapping = components(ContainsDevice ? path.FullPath : path.VolumelessName);
  let ComponentMatches = 0;
  while (ComponentMatches < name.length && ComponentMatches < mapping.length && fold(name[ComponentMatches]!) === fold(mapping[ComponentMatches]!)) ComponentMatches++;
  const left = name.slice(ComponentMatches);
  const Overlap: NC_PATH_OVERLAP = { Ancestor: false, Parent: false, Match: false, InMapping: false, Peer: false };
  let Remainder = '';
  if (ComponentMatches >= MappingComponents && left.length > 0) {
    //  All the mapping's components matched and something is left over: in the mapping.
    Overlap.InMapping = true;
    Remainder = left.join(NC_SEPARATOR);
  } else if (ComponentMatches === MappingComponents) {
    Overlap.Match = true;
    Overlap.InMapping = true;
  } else if (ComponentMatches === MappingComponents - 1 && left.length > 0) {
    //  Everything but the final component, and only a file name left: a peer of the mapping.
    Overlap.Peer = left.length === 1;
  } else if (ComponentMatches === MappingComponents - 1) {
    Overlap.Parent = true;
    Overlap.Ancestor = true;
  } else if (ComponentMatches >= VolumeComponents && left.length === 0) {
    Overlap.Ancestor = true;
  }
  return { InMapping: Overlap.InMapping, Overlap, Remainder };
}

/** NcConstructPath(RealPath, Remainder, IncludeVolume, &NewName). */
export function NcConstructPath(RealPath: NC_MAPPING_ENTRY, Remainder: string, IncludeVolume: boolean): { status: NTSTATUS; NewName: string | null } {
  const Separator = Remainder.length === 0 ? '' : NC_SEPARATOR;
  const NewName = `${IncludeVolume ? RealPath.LongNamePath.VolumePath : ''}${RealPath.LongNamePath.VolumelessName}${Separator}${Remainder}`;
  if (2 * NewName.length >= MAXUSHORT) return { status: STATUS_OBJECT_PATH_INVALID, NewName: null };
  return { status: STATUS_SUCCESS, NewName };
}
