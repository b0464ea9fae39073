/**
 * simrep.c's global data and debug helpers: the mapping (OldName → NewName), the routine used to
 * replace file object names, the RemapRenamesAndLinks switch and the DebugLevel bits. DbgPrint
 * output goes to Globals.DebugOutput.
 */
import type { NTSTATUS, PFILE_OBJECT, PFLT_FILTER } from '../../../src/index.js';

export const DEBUG_TRACE_ERROR = 0x00000001;
export const DEBUG_TRACE_LOAD_UNLOAD = 0x00000002;
export const DEBUG_TRACE_INSTANCES = 0x00000004;
export const DEBUG_TRACE_REPARSE_OPERATIONS = 0x00000008;
export const DEBUG_TRACE_REPARSED_OPERATIONS = 0x00000010;
export const DEBUG_TRACE_REPARSED_REISSUE = 0x00000020;
export const DEBUG_TRACE_NAME_OPERATIONS = 0x00000040;
export const DEBUG_TRACE_RENAME_REDIRECTION_OPERATIONS = 0x00000080;
export const DEBUG_TRACE_ALL_IO = 0x00000100;
export const DEBUG_TRACE_ALL = 0xffffffff;

/** MAPPING_ENTRY: creates under OldName are reparsed to NewName. */
export interface MAPPING_ENTRY {
  OldName: string | null;
  NewName: string | null;
}

export type PReplaceFileObjectName = (FileObject: PFILE_OBJECT, NewFileName: string, FileNameLength: number) => NTSTATUS;

export interface SIMREP_GLOBAL_DATA {
  Filter: PFLT_FILTER | null;
  Mapping: MAPPING_ENTRY;
  ReplaceFileNameFunction: PReplaceFileObjectName | null;
  RemapRenamesAndLinks: boolean;
  DebugLevel: number;
  readonly DebugOutput: string[];
}

export function DebugTrace(Globals: SIMREP_GLOBAL_DATA, Level: number, message: string | (() => string)): void {
  if ((Level & Globals.DebugLevel) !== 0) Globals.DebugOutput.push(typeof message === 'string' ? message : message());
}

/** The registry values simrep.inf writes under the service's Parameters key (RemapRenamesAndLinks is off unless set). */
export interface SimRepRegistry {
  readonly DebugLevel?: number;
  readonly RemapRenamesAndLinks?: number;
  readonly OldMapping?: string | null;
  readonly NewMapping?: string | null;
}

export const hex = (status: number): string => `0x${(status >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
