/**
 * FLT_FILE_NAME_OPTIONS and the flags of FLT_FILE_NAME_INFORMATION and of name providers (§16.1,
 * ifs/flt-file-name-options, fltKernel.h). Values are copied exactly.
 */
import { ulongArgument } from '../kernel/arguments.js';

export const FLT_VALID_FILE_NAME_FORMATS = 0x000000ff;
export const FLT_FILE_NAME_NORMALIZED = 0x01;
export const FLT_FILE_NAME_OPENED = 0x02;
export const FLT_FILE_NAME_SHORT = 0x03;

export const FLT_VALID_FILE_NAME_QUERY_METHODS = 0x0000ff00;
export const FLT_FILE_NAME_QUERY_DEFAULT = 0x0100;
export const FLT_FILE_NAME_QUERY_CACHE_ONLY = 0x0200;
export const FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY = 0x0300;
export const FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP = 0x0400;

export const FLT_VALID_FILE_NAME_FLAGS = 0xff000000;
export const FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER = 0x01000000;
export const FLT_FILE_NAME_DO_NOT_CACHE = 0x02000000;
export const FLT_FILE_NAME_ALLOW_QUERY_ON_REPARSE = 0x04000000;

/** FLT_FILE_NAME_PARSED_FLAGS: set by FltParseFileNameInformation for each part it parsed (present or not). */
export const FLTFL_FILE_NAME_PARSED_FINAL_COMPONENT = 0x0001;
export const FLTFL_FILE_NAME_PARSED_EXTENSION = 0x0002;
export const FLTFL_FILE_NAME_PARSED_STREAM = 0x0004;
export const FLTFL_FILE_NAME_PARSED_PARENT_DIR = 0x0008;

/** Flags of NormalizeNameComponent(Ex)Callback. */
export const FLTFL_NORMALIZE_NAME_CASE_SENSITIVE = 0x01;
export const FLTFL_NORMALIZE_NAME_DESTINATION_FILE_NAME = 0x02;

/** FltGetFileNameFormat: the format bits of a FLT_FILE_NAME_OPTIONS value. */
export function FltGetFileNameFormat(NameOptions: number): number {
  return NameOptions & FLT_VALID_FILE_NAME_FORMATS;
}

/** FltGetFileNameQueryMethod: the query-method bits of a FLT_FILE_NAME_OPTIONS value. */
export function FltGetFileNameQueryMethod(NameOptions: number): number {
  return NameOptions & FLT_VALID_FILE_NAME_QUERY_METHODS;
}

const FORMAT_NAMES: Readonly<Record<number, string>> = {
  [FLT_FILE_NAME_NORMALIZED]: 'NORMALIZED',
  [FLT_FILE_NAME_OPENED]: 'OPENED',
  [FLT_FILE_NAME_SHORT]: 'SHORT',
};
const METHOD_NAMES: Readonly<Record<number, string>> = {
  [FLT_FILE_NAME_QUERY_DEFAULT]: 'QUERY_DEFAULT',
  [FLT_FILE_NAME_QUERY_CACHE_ONLY]: 'QUERY_CACHE_ONLY',
  [FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY]: 'QUERY_FILESYSTEM_ONLY',
  [FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP]: 'QUERY_ALWAYS_ALLOW_CACHE_LOOKUP',
};

/** `NORMALIZED|QUERY_DEFAULT|DO_NOT_CACHE` — for traces and messages. */
export function fileNameOptionsText(NameOptions: number): string {
  ulongArgument('fileNameOptionsText', 'NameOptions', NameOptions);
  const parts = [FORMAT_NAMES[FltGetFileNameFormat(NameOptions)] ?? `format 0x${(NameOptions & 0xff).toString(16)}`];
  parts.push(METHOD_NAMES[FltGetFileNameQueryMethod(NameOptions)] ?? `method 0x${(NameOptions & 0xff00).toString(16)}`);
  if (NameOptions & FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER) parts.push('REQUEST_FROM_CURRENT_PROVIDER');
  if (NameOptions & FLT_FILE_NAME_DO_NOT_CACHE) parts.push('DO_NOT_CACHE');
  if (NameOptions & FLT_FILE_NAME_ALLOW_QUERY_ON_REPARSE) parts.push('ALLOW_QUERY_ON_REPARSE');
  return parts.join('|');
}
