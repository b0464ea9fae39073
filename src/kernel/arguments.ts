/**
 * The one set of argument checks every public routine makes before it acts (issue 14 item 3). In C
 * a wrong pointer type does not compile and a ULONG cannot be NaN; here a caller can pass anything,
 * so each routine checks its arguments first and the model never meets a value it cannot act on:
 *
 * - a value of the wrong kind (an instance where a filter goes, NaN or a fraction where the WDK has
 *   a ULONG, a string where a buffer goes) is only a TypeScript mistake: a `UsageError`
 *   `BAD_ARGUMENT` naming the routine and the parameter;
 * - NULL where the WDK requires a pointer that the routine dereferences is what Windows bug checks
 *   on (a NULL dereference in kernel mode): the verifier's `NULL_POINTER`, recorded in the log when
 *   the routine has a way to the simulation (another argument, or the calling thread);
 * - what Windows itself checks and answers with a status stays the routine's own business
 *   (STATUS_INVALID_PARAMETER as a RoutineFailed fact).
 *
 * The checks take the classes they accept as parameters, so this layer imports nothing above it.
 */
import { kindOf, shown } from './elide.js';
import { UsageError, VerifierError } from './errors.js';
import type { Kernel } from './kernel.js';

export { kindOf };

/** A constructor the checks compare with `instanceof` (abstract classes included). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ClassOf<T> = abstract new (...args: any[]) => T;

/** The UsageError every check throws: `Routine: Parameter is <kind>, not <what>`. */
export function badArgument(routine: string, message: string, kernel: Kernel | null = null): UsageError {
  return new UsageError('BAD_ARGUMENT', `${routine}: ${message}`, kernel === null ? {} : kernel.place());
}

/**
 * NULL passed for a pointer the routine dereferences: the bug check Windows raises, as the verifier's
 * NULL_POINTER. Recorded against `object` when the routine reached the simulation some other way.
 */
export function nullPointer(routine: string, name: string, where: { readonly kernel: Kernel; readonly object: string } | null): VerifierError {
  const message = `${routine} was passed NULL for ${name}, which it dereferences`;
  return where === null ? new VerifierError('NULL_POINTER', message, {}) : where.kernel.violation('NULL_POINTER', where.object, message);
}

/** An object of `Class` (`what` names it as the WDK does); NULL is NULL_POINTER, anything else BAD_ARGUMENT. */
export function objectArgument<T>(
  routine: string,
  name: string,
  value: unknown,
  Class: ClassOf<T>,
  what: string,
  where: { readonly kernel: Kernel; readonly object: string } | null = null,
): T {
  if (value instanceof Class) return value;
  if (value === null || value === undefined) throw nullPointer(routine, name, where);
  throw badArgument(routine, `${name} is ${kindOf(value)}, not ${what}`);
}

/** An object of `Class`, or NULL where the WDK makes the parameter optional. */
export function optionalObjectArgument<T>(routine: string, name: string, value: unknown, Class: ClassOf<T>, what: string): T | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Class) return value;
  throw badArgument(routine, `${name} is ${kindOf(value)}, not ${what} or NULL`);
}

/** A whole number from `min` to `max` (`what` says which C type it stands for). */
export function integerArgument(routine: string, name: string, value: unknown, min: number, max: number, what: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw badArgument(routine, `${name} is ${kindOf(value)}, not ${what}`);
}

/** A ULONG: a whole number from 0 to 0xFFFFFFFF. */
export function ulongArgument(routine: string, name: string, value: unknown): number {
  return integerArgument(routine, name, value, 0, 0xffffffff, 'a ULONG (a whole number from 0 to 0xFFFFFFFF)');
}

/** A LONG: a whole number from -2^31 to 2^31 - 1 (the interlocked routines' values, NTSTATUS codes as signed). */
export function longArgument(routine: string, name: string, value: unknown): number {
  return integerArgument(routine, name, value, -0x80000000, 0xffffffff, 'a LONG (a 32-bit whole number)');
}

/** A count or size the model keeps as a safe integer (a SIZE_T, a ULONGLONG): from 0 to 2^53 - 1. */
export function sizeArgument(routine: string, name: string, value: unknown): number {
  return integerArgument(routine, name, value, 0, Number.MAX_SAFE_INTEGER, 'a size (a whole number from 0)');
}

/** A string (a UNICODE_STRING or PCWSTR). */
export function stringArgument(routine: string, name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  throw badArgument(routine, `${name} is ${kindOf(value)}, not a string`);
}

/** A string, or NULL (returned as null) where the WDK makes it optional. */
export function optionalStringArgument(routine: string, name: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  throw badArgument(routine, `${name} is ${kindOf(value)}, not a string or NULL`);
}

/** A BOOLEAN: true or false (C's TRUE/FALSE as 1/0 too). */
export function booleanArgument(routine: string, name: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  throw badArgument(routine, `${name} is ${kindOf(value)}, not a BOOLEAN (true or false)`);
}

/** A routine pointer; NULL (returned as null) where `nullable`. */
export function functionArgument<F>(routine: string, name: string, value: unknown, nullable: boolean): F | null {
  if (typeof value === 'function') return value as F;
  if (nullable && (value === null || value === undefined)) return null;
  throw badArgument(routine, `${name} is ${kindOf(value)}, not a function${nullable ? ' or NULL' : ''}`);
}

/** A buffer (Uint8Array); NULL (returned as null) where `nullable`. Its length against a size is the caller's check. */
export function bufferArgument(routine: string, name: string, value: unknown, nullable: boolean): Uint8Array | null {
  if (value instanceof Uint8Array) return value;
  if (nullable && (value === null || value === undefined)) return null;
  throw badArgument(routine, `${name} is ${kindOf(value)}, not a buffer (Uint8Array)${nullable ? ' or NULL' : ''}`);
}

/** A structure passed by pointer (an options record, an OBJECT_ATTRIBUTES): a non-null, non-array object. */
export function recordArgument<T extends object>(routine: string, name: string, value: unknown): T {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as T;
  throw badArgument(routine, `${name} is ${kindOf(value)}, not a structure (an object)`);
}

/** A structure or NULL/undefined (an optional options record): null when absent. */
export function optionalRecordArgument<T extends object>(routine: string, name: string, value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return recordArgument<T>(routine, name, value);
}

/** An array of at most `maxLength` elements, each checked by `element`. */
export function arrayArgument<T>(routine: string, name: string, value: unknown, maxLength: number, element: (item: unknown, index: number) => T): T[] {
  if (!Array.isArray(value)) throw badArgument(routine, `${name} is ${kindOf(value)}, not an array`);
  if (value.length > maxLength) throw badArgument(routine, `${name} has ${value.length} elements, more than ${maxLength}`);
  return value.map((item, index) => element(item, index));
}

/** One of the values a parameter takes (an enumeration: EVENT_TYPE, WAIT_TYPE, a mode). */
export function oneOfArgument<T>(routine: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (allowed.includes(value as T)) return value as T;
  throw badArgument(routine, `${name} is ${kindOf(value)}, not one of ${allowed.map((a) => shown(a)).join(', ')}`);
}

/** The address of the caller's variable (`&OldContext`, `&Context`): an object with `value`, or NULL when the caller passes none. */
export function optionalOutArgument<T extends { value: unknown }>(routine: string, name: string, value: unknown): T | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object' && !Array.isArray(value)) return value as T;
  throw badArgument(routine, `${name} is ${kindOf(value)}, not the address of a variable ({ value }) or NULL`);
}
