/**
 * CtxStruc.h: the ctx sample's globals and its four context types, each with the name it keeps.
 * Sizes and tags are what the registration declares (FltAllocateContext checks the size).
 */
import type { ERESOURCE, PFLT_FILTER, PFLT_INSTANCE, PFLT_VOLUME } from '../../../src/index.js';

export interface CTX_GLOBAL_DATA {
  Filter: PFLT_FILTER | null;
  /** The registry DebugLevel (DEBUG_TRACE_* flags); DebugTrace appends to `DebugOutput`. */
  DebugLevel: number;
  readonly DebugOutput: string[];
}

export interface CTX_INSTANCE_CONTEXT {
  Instance: PFLT_INSTANCE;
  Volume: PFLT_VOLUME;
  VolumeName: string | null;
}

export interface CTX_FILE_CONTEXT {
  FileName: string | null;
}

export interface CTX_STREAM_CONTEXT {
  FileName: string | null;
  CreateCount: number;
  CleanupCount: number;
  CloseCount: number;
  Resource: ERESOURCE | null;
}

export interface CTX_STREAMHANDLE_CONTEXT {
  FileName: string | null;
  Resource: ERESOURCE | null;
}

export const CTX_INSTANCE_CONTEXT_SIZE = 40;
export const CTX_FILE_CONTEXT_SIZE = 16;
export const CTX_STREAM_CONTEXT_SIZE = 40;
export const CTX_STREAMHANDLE_CONTEXT_SIZE = 24;
export const CTX_INSTANCE_CONTEXT_TAG = 0x63497843; // 'CxIc'
export const CTX_FILE_CONTEXT_TAG = 0x63467843; // 'CxFc'
export const CTX_STREAM_CONTEXT_TAG = 0x63537843; // 'CxSc'
export const CTX_STREAMHANDLE_CONTEXT_TAG = 0x63487843; // 'CxHc'

export const DEBUG_TRACE_ERROR = 0x00000001;
export const DEBUG_TRACE_LOAD_UNLOAD = 0x00000002;
export const DEBUG_TRACE_INSTANCES = 0x00000004;
export const DEBUG_TRACE_INSTANCE_CONTEXT_OPERATIONS = 0x00000008;
export const DEBUG_TRACE_FILE_CONTEXT_OPERATIONS = 0x00000010;
export const DEBUG_TRACE_STREAM_CONTEXT_OPERATIONS = 0x00000020;
export const DEBUG_TRACE_STREAMHANDLE_CONTEXT_OPERATIONS = 0x00000040;
export const DEBUG_TRACE_ALL_IO = 0x00000080;

export function DebugTrace(Globals: CTX_GLOBAL_DATA, Level: number, text: string): void {
  if ((Globals.DebugLevel & Level) !== 0) Globals.DebugOutput.push(text);
}
