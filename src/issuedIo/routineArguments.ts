/**
 * The checks the I/O routines a minifilter issues (§11) make of their arguments, before anything
 * else: in C a wrong pointer type does not compile and a ULONG cannot be NaN, so these are
 * UsageErrors (`BAD_ARGUMENT`, naming the routine and the parameter), never a TypeError from deep
 * inside the model. What Windows itself checks stays what it is: a NULL FileObject is the verifier's
 * NULL_FILE_OBJECT, a buffer shorter than Length or a negative ByteOffset is STATUS_INVALID_PARAMETER.
 */
import { shown } from '../kernel/elide.js';
import { UsageError } from '../kernel/errors.js';
import { FilterObject } from '../fltmgr/filterObject.js';
import { InstanceObject } from '../fltmgr/instanceObject.js';
import { FileObject } from '../io/fileObject.js';

function kindOf(value: unknown): string {
  if (value === null) return 'NULL';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return typeof value === 'number' || typeof value === 'boolean' ? `${typeof value} ${String(value)}` : typeof value === 'string' ? `string ${shown(value)}` : typeof value;
}

const bad = (routine: string, message: string): UsageError => new UsageError('BAD_ARGUMENT', `${routine}: ${message}`);

/** A PFLT_INSTANCE of this model (NULL only where `nullable`). */
export function instanceArgument(routine: string, name: string, value: unknown, nullable = false): InstanceObject {
  if (value instanceof InstanceObject) return value;
  throw bad(routine, `${name} is ${kindOf(value)}, not a PFLT_INSTANCE${nullable ? ' or NULL' : ''}`);
}

export function filterArgument(routine: string, value: unknown): FilterObject {
  if (value instanceof FilterObject) return value;
  throw bad(routine, `Filter is ${kindOf(value)}, not a PFLT_FILTER from FltRegisterFilter`);
}

/** A PFILE_OBJECT, or NULL/undefined (left for the routine: Windows' own check, NULL_FILE_OBJECT). */
export function fileObjectArgument(routine: string, value: unknown): FileObject | null {
  if (value === null || value === undefined || value instanceof FileObject) return value ?? null;
  throw bad(routine, `FileObject is ${kindOf(value)}, not a PFILE_OBJECT`);
}

/** A ULONG: a whole number from 0 to 0xFFFFFFFF. */
export function ulongArgument(routine: string, name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return value;
  throw bad(routine, `${name} is ${kindOf(value)}, not a ULONG (a whole number from 0 to 0xFFFFFFFF)`);
}

/** A LARGE_INTEGER byte offset, or NULL: any safe integer (the routine decides which negative ones mean something). */
export function offsetArgument(routine: string, name: string, value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw bad(routine, `${name} is ${kindOf(value)}, not a LARGE_INTEGER (a whole number) or NULL`);
}

export function bufferArgument(routine: string, name: string, value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw bad(routine, `${name} is ${kindOf(value)}, not a buffer (Uint8Array)`);
}

/** A callback routine pointer, or NULL where the routine allows one. */
export function callbackArgument<F>(routine: string, name: string, value: unknown): F | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'function') return value as F;
  throw bad(routine, `${name} is ${kindOf(value)}, not a function or NULL`);
}
