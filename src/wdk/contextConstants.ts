/**
 * Context constants (§15), values as in fltKernel.h: the context types (FLT_CONTEXT_TYPE), the
 * registration markers, the set operations (FLT_SET_CONTEXT_OPERATION) and the pool types a
 * context may come from.
 */
import { integerArgument } from '../kernel/arguments.js';

export const FLT_VOLUME_CONTEXT = 0x0001;
export const FLT_INSTANCE_CONTEXT = 0x0002;
export const FLT_FILE_CONTEXT = 0x0004;
export const FLT_STREAM_CONTEXT = 0x0008;
export const FLT_STREAMHANDLE_CONTEXT = 0x0010;
export const FLT_TRANSACTION_CONTEXT = 0x0020;
export const FLT_SECTION_CONTEXT = 0x0040;
export const FLT_ALL_CONTEXTS =
  FLT_VOLUME_CONTEXT | FLT_INSTANCE_CONTEXT | FLT_FILE_CONTEXT | FLT_STREAM_CONTEXT | FLT_STREAMHANDLE_CONTEXT | FLT_TRANSACTION_CONTEXT | FLT_SECTION_CONTEXT;

/** Ends a ContextRegistration array, as IRP_MJ_OPERATION_END ends OperationRegistration. */
export const FLT_CONTEXT_END = 0xffff;
/** `Size` of a registration entry for contexts of any size ((SIZE_T)-1 in C). */
export const FLT_VARIABLE_SIZED_CONTEXTS = -1;
/** A fixed-size entry may serve any request up to its Size, not only an exact match. */
export const FLTFL_CONTEXT_REGISTRATION_NO_EXACT_SIZE_MATCH = 0x0001;
/** The largest context FltAllocateContext hands out (MAXUSHORT). */
export const MAX_CONTEXT_SIZE = 0xffff;

export const FLT_SET_CONTEXT_REPLACE_IF_EXISTS = 0;
export const FLT_SET_CONTEXT_KEEP_IF_EXISTS = 1;
export type FLT_SET_CONTEXT_OPERATION = typeof FLT_SET_CONTEXT_REPLACE_IF_EXISTS | typeof FLT_SET_CONTEXT_KEEP_IF_EXISTS;

/** POOL_TYPE values a context may be allocated from. */
export const NonPagedPool = 0;
export const PagedPool = 1;
export const NonPagedPoolNx = 512;
export type POOL_TYPE = typeof NonPagedPool | typeof PagedPool | typeof NonPagedPoolNx;

/** The one context type a FLT_CONTEXT_TYPE bit names, as traces print it. */
export const CONTEXT_TYPE_NAMES: Readonly<Record<number, string>> = {
  [FLT_VOLUME_CONTEXT]: 'FLT_VOLUME_CONTEXT',
  [FLT_INSTANCE_CONTEXT]: 'FLT_INSTANCE_CONTEXT',
  [FLT_FILE_CONTEXT]: 'FLT_FILE_CONTEXT',
  [FLT_STREAM_CONTEXT]: 'FLT_STREAM_CONTEXT',
  [FLT_STREAMHANDLE_CONTEXT]: 'FLT_STREAMHANDLE_CONTEXT',
  [FLT_TRANSACTION_CONTEXT]: 'FLT_TRANSACTION_CONTEXT',
  [FLT_SECTION_CONTEXT]: 'FLT_SECTION_CONTEXT',
};

export function contextTypeName(type: number): string {
  integerArgument('contextTypeName', 'type', type, 0, 0xffff, 'a FLT_CONTEXT_TYPE (0 to 0xFFFF)');
  return CONTEXT_TYPE_NAMES[type] ?? `0x${type.toString(16)}`;
}
