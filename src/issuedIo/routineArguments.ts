/**
 * The checks the I/O routines a minifilter issues (§11) make of their arguments, before anything
 * else: kernel/arguments.ts and fltmgr/objectArguments.ts under the names and parameter order these
 * routines' code uses. What Windows itself checks stays what it is: a NULL FileObject is the
 * verifier's NULL_FILE_OBJECT, a buffer shorter than Length or a negative ByteOffset is
 * STATUS_INVALID_PARAMETER.
 */
import { badArgument, bufferArgument as buffer, functionArgument, integerArgument, kindOf, objectArgument } from '../kernel/arguments.js';
export { ulongArgument } from '../kernel/arguments.js';
import { FileObject } from '../io/fileObject.js';
import type { FilterObject } from '../fltmgr/filterObject.js';
import { InstanceObject } from '../fltmgr/instanceObject.js';
import { filterArgument as fltFilterArgument } from '../fltmgr/objectArguments.js';

/** A PFLT_INSTANCE of this model (NULL only where `nullable`). */
export function instanceArgument(routine: string, name: string, value: unknown, nullable = false): InstanceObject {
  if (nullable && value === null) return value as unknown as InstanceObject;
  return objectArgument(routine, name, value, InstanceObject, 'a PFLT_INSTANCE');
}

export function filterArgument(routine: string, value: unknown): FilterObject {
  return fltFilterArgument(routine, value);
}

/** A PFILE_OBJECT, or NULL/undefined (left for the routine: Windows' own check, NULL_FILE_OBJECT). */
export function fileObjectArgument(routine: string, value: unknown): FileObject | null {
  if (value === null || value === undefined || value instanceof FileObject) return value ?? null;
  throw badArgument(routine, `FileObject is ${kindOf(value)}, not a PFILE_OBJECT`);
}

/** A LARGE_INTEGER byte offset, or NULL: any safe integer (the routine decides which negative ones mean something). */
export function offsetArgument(routine: string, name: string, value: unknown): number | null {
  if (value === null || value === undefined) return null;
  return integerArgument(routine, name, value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a LARGE_INTEGER (a whole number) or NULL');
}

export function bufferArgument(routine: string, name: string, value: unknown): Uint8Array {
  return buffer(routine, name, value, false)!;
}

/** A callback routine pointer, or NULL where the routine allows one. */
export function callbackArgument<F>(routine: string, name: string, value: unknown): F | null {
  return functionArgument<F>(routine, name, value, true);
}
