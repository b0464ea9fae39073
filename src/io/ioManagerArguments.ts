/**
 * The checks of the application calls (sim.io), apart from the calls themselves: each call's first
 * lines, so the I/O manager's files read as what the calls do. A bad argument is a UsageError
 * BAD_ARGUMENT naming the call and the parameter; an unknown handle is the status Windows answers.
 */
import { bufferArgument, integerArgument, oneOfArgument, recordArgument, sizeArgument, stringArgument, ulongArgument } from '../kernel/arguments.js';
import type { Blocking } from '../kernel/effects.js';
import type { NTSTATUS } from '../wdk/ntstatus.js';
import { EventHandle, type OVERLAPPED } from '../fltmgr/portObjects.js';
import { overlappedEventOrFailure, recordHandleFailure, type HandleFailure } from '../fltmgr/win32Handles.js';
import type { Kernel } from '../kernel/kernel.js';
import type { CreateFileOptions } from './ioManagerTypes.js';

/**
 * The checks of the application calls (sim.io): a handle is the string NtCreateFile returned (NULL
 * or an unknown one is STATUS_INVALID_HANDLE, as Windows answers), a length a ULONG, an offset a
 * LARGE_INTEGER, options records of their fields (kernel/arguments.ts). A UsageError BAD_ARGUMENT
 * names the call and the parameter.
 */
export function appArguments(routine: string, handle: unknown, ulongs: Readonly<Record<string, unknown>> = {}): void {
  // NULL is a HANDLE a C caller can pass: it names no open file, so the call answers STATUS_INVALID_HANDLE.
  if (handle !== undefined && handle !== null) stringArgument(routine, 'handle', handle);
  for (const [name, value] of Object.entries(ulongs)) ulongArgument(routine, name, value);
}

export function createOptionsArgument(routine: string, value: unknown): CreateFileOptions {
  const o = recordArgument<CreateFileOptions>(routine, 'options', value);
  ulongArgument(routine, 'options.DesiredAccess', o.DesiredAccess);
  for (const name of ['ShareAccess', 'CreateDisposition', 'CreateOptions', 'FileAttributes', 'OperationFlags'] as const) if (o[name] !== undefined) ulongArgument(routine, `options.${name}`, o[name]);
  if (o.AllocationSize !== undefined) sizeArgument(routine, 'options.AllocationSize', o.AllocationSize);
  if (o.RequestorMode !== undefined) oneOfArgument(routine, 'options.RequestorMode', o.RequestorMode, ['KernelMode', 'UserMode'] as const);
  if (o.sid !== undefined) stringArgument(routine, 'options.sid', o.sid);
  if (o.Transaction !== undefined) stringArgument(routine, 'options.Transaction', o.Transaction);
  return o;
}

/**
 * lpOverlapped->hEvent as NtReadFile & co. reference it, after the file handle (an unknown file
 * handle fails first, with STATUS_INVALID_HANDLE, on the call's own path): a closed, unknown or
 * foreign handle fails the call before any request is built (win32Handles.ts). Null: go on.
 */
export function refusedEvent(routine: string, knownFile: boolean, overlapped: OVERLAPPED): HandleFailure | null {
  if (!knownFile) return null;
  const event = overlappedEventOrFailure(routine, overlapped);
  return event === null || event instanceof EventHandle ? null : event;
}

/** The refusal as the call returns it: its status, with a RoutineFailed fact on `sim`. */
export function* refused(kernel: Kernel, routine: string, failure: HandleFailure): Blocking<NTSTATUS> {
  recordHandleFailure(kernel, routine, failure);
  return failure.status;
}

/** A byte-range lock's handle, range and key. */
export function lockArguments(routine: string, handle: unknown, ByteOffset: unknown, Length: unknown, Key: unknown): void {
  appArguments(routine, handle, { Key });
  integerArgument(routine, 'ByteOffset', ByteOffset, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a LARGE_INTEGER (a whole number)');
  integerArgument(routine, 'Length', Length, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a LARGE_INTEGER (a whole number)');
}

export function optionalOffset(routine: string, ByteOffset: unknown): void {
  if (ByteOffset !== undefined && ByteOffset !== null) integerArgument(routine, 'ByteOffset', ByteOffset, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a LARGE_INTEGER (a whole number)');
}

export function dataArgument(routine: string, data: unknown): void {
  if (typeof data !== 'string') bufferArgument(routine, 'data', data, false);
}

/**
 * The buffer an application passes for `Length` bytes. A length no application could have allocated
 * (not a whole number, or past 64 MiB) gets none: the request goes down without one and the file
 * system answers the length as it does today (STATUS_INVALID_PARAMETER for a bad one).
 */
export function userBuffer(Length: number): Uint8Array | null {
  return Number.isSafeInteger(Length) && Length >= 0 && Length <= MAX_USER_BUFFER ? new Uint8Array(Length) : null;
}
const MAX_USER_BUFFER = 64 * 1024 * 1024;
