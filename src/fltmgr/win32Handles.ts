/**
 * What the application's Win32 calls (WaitForSingleObject, SetEvent, ResetEvent, CloseHandle, an
 * OVERLAPPED's hEvent) do with a value passed as a HANDLE. Windows resolves a handle in the calling
 * process's handle table before it does anything: NULL, a value that names nothing and a handle
 * already closed fail with STATUS_INVALID_HANDLE; the handle of an object of another type (a
 * section or a communication port where an event belongs) with STATUS_OBJECT_TYPE_MISMATCH. Both
 * read as ERROR_INVALID_HANDLE from GetLastError, or E_HANDLE where the call returns an HRESULT. The
 * call fails and nothing else happens, so the model returns that failure and records a RoutineFailed
 * fact on `sim`. A value no C caller could pass as a HANDLE (a string, a plain object) is only a
 * TypeScript mistake: a UsageError naming the routine and the parameter.
 */
import { kindOf } from '../kernel/arguments.js';
import { UsageError } from '../kernel/errors.js';
import type { Kernel } from '../kernel/kernel.js';
import { STATUS_INVALID_HANDLE, STATUS_OBJECT_TYPE_MISMATCH, type NTSTATUS } from '../wdk/ntstatus.js';
import { EventHandle, FilterPortHandle, IoCompletionPortHandle, type OVERLAPPED } from './portObjects.js';
import { SectionHandle } from './sectionObjects.js';

/** Why a HANDLE was refused: the NTSTATUS behind the Win32 error, and a detail for the fact. */
export interface HandleFailure {
  readonly status: NTSTATUS;
  readonly detail: string;
}

/** An application-side object's kernel (for the RoutineFailed fact), or null for NULL and a bare handle value. */
export function kernelOfHandle(value: unknown): Kernel | null {
  if (value instanceof EventHandle || value instanceof IoCompletionPortHandle) return value.kernel;
  if (value instanceof FilterPortHandle) return value.port.fltMgr.kernel;
  if (value instanceof SectionHandle) return value.section.fileObject.volume.fltMgr.kernel;
  return null;
}

/**
 * `value` as a call that needs an event sees it: the open EventHandle, or the failure Windows
 * reports for it. A closed event's handle is stale: its value names nothing any more.
 */
export function eventHandleOrFailure(routine: string, name: string, value: unknown): EventHandle | HandleFailure {
  if (value instanceof EventHandle) return value.closed ? { status: STATUS_INVALID_HANDLE, detail: `${name} ${value.id} is closed` } : value;
  if (value === null || value === undefined) return { status: STATUS_INVALID_HANDLE, detail: `${name} is NULL` };
  if (typeof value === 'number') return { status: STATUS_INVALID_HANDLE, detail: `${name} ${kindOf(value)} names no open event` };
  if (value instanceof SectionHandle || value instanceof FilterPortHandle || value instanceof IoCompletionPortHandle) {
    return { status: STATUS_OBJECT_TYPE_MISMATCH, detail: `${name} is the handle of ${describeHandle(value)}, not an event` };
  }
  throw new UsageError('BAD_ARGUMENT', `${routine}: ${name} is ${kindOf(value)}, not an event handle from CreateEventW`);
}

/**
 * lpOverlapped->hEvent as the call that issues the I/O references it (EVENT_MODIFY_STATE, before the
 * request is built): NULL (no event to set), an open event, or the failure that fails the call.
 * undefined is not NULL: an OVERLAPPED built in TypeScript says `hEvent: null`.
 */
export function overlappedEventOrFailure(routine: string, overlapped: OVERLAPPED): EventHandle | null | HandleFailure {
  const hEvent: unknown = overlapped.hEvent;
  if (hEvent === null) return null;
  if (hEvent === undefined) throw new UsageError('BAD_ARGUMENT', `${routine}: lpOverlapped.hEvent is undefined, not an event handle or NULL`);
  return eventHandleOrFailure(routine, 'lpOverlapped.hEvent', hEvent);
}

/** Record the refusal on `sim` (when the kernel is known: a bare NULL carries none). */
export function recordHandleFailure(kernel: Kernel | null, routine: string, failure: HandleFailure): void {
  kernel?.emitFact({ seq: 0, time: 0, object: 'sim', type: 'RoutineFailed', routine, status: failure.status, detail: failure.detail });
}

function describeHandle(value: SectionHandle | FilterPortHandle | IoCompletionPortHandle): string {
  if (value instanceof SectionHandle) return `section ${value.section.id}`;
  if (value instanceof FilterPortHandle) return `a communication port (${value.id})`;
  return `a completion port (${value.id})`;
}
