/**
 * HRESULTs and Win32 error codes the user-mode side of the Filter Manager (fltlib, FltUser.h)
 * returns. Values copied from winerror.h.
 *
 * fltlib turns the NTSTATUS of the kernel side into an HRESULT the way Win32 does:
 * RtlNtStatusToDosError, then HRESULT_FROM_WIN32 — except the Filter Manager's own statuses
 * (facility 0x1C, 0xC01C00xx), which become FACILITY_USERMODE_FILTER_MANAGER HRESULTs
 * (0x801F00xx, e.g. ERROR_FLT_NO_WAITER_FOR_REPLY). §17.4.
 */
import { longArgument } from '../kernel/arguments.js';
import {
  NTSTATUS_NAMES,
  STATUS_ACCESS_DENIED,
  STATUS_ACCESS_VIOLATION,
  STATUS_BUFFER_OVERFLOW,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_CANCELLED,
  STATUS_CONNECTION_COUNT_LIMIT,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_PARAMETER,
  STATUS_INVALID_PARAMETER_3,
  STATUS_NO_MORE_ENTRIES,
  STATUS_NOT_SUPPORTED,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_PORT_DISCONNECTED,
  STATUS_SUCCESS,
  hex32,
  type NTSTATUS,
} from './ntstatus.js';

/** An HRESULT as an unsigned 32-bit number (0x80070005, not -2147024891). */
export type HRESULT = number;

export const ERROR_SUCCESS = 0;
export const ERROR_FILE_NOT_FOUND = 2;
export const ERROR_ACCESS_DENIED = 5;
export const ERROR_INVALID_HANDLE = 6;
export const ERROR_NOT_SUPPORTED = 50;
export const ERROR_INVALID_PARAMETER = 87;
export const ERROR_INSUFFICIENT_BUFFER = 122;
export const ERROR_MORE_DATA = 234;
export const ERROR_NO_MORE_ITEMS = 259;
/** GetQueuedCompletionStatus: the completion port was closed while the caller waited. */
export const ERROR_ABANDONED_WAIT_0 = 735;
export const ERROR_OPERATION_ABORTED = 995;
export const ERROR_IO_INCOMPLETE = 996;
export const ERROR_IO_PENDING = 997;
export const ERROR_NOACCESS = 998;
export const ERROR_CONNECTION_COUNT_LIMIT = 1238;
export const ERROR_NO_SYSTEM_RESOURCES = 1450;

/** HRESULT_FROM_WIN32: 0x8007xxxx for a Win32 error, S_OK for ERROR_SUCCESS. */
export function HRESULT_FROM_WIN32(error: number): HRESULT {
  longArgument('HRESULT_FROM_WIN32', 'x', error);
  return error <= 0 ? error >>> 0 : ((error & 0xffff) | 0x80070000) >>> 0;
}

export const S_OK: HRESULT = 0;
export const E_ACCESSDENIED: HRESULT = 0x80070005;
export const E_INVALIDARG: HRESULT = 0x80070057;
export const E_HANDLE: HRESULT = 0x80070006;
/** winerror.h: FACILITY_USERMODE_FILTER_MANAGER (0x1F) counterpart of STATUS_FLT_NO_WAITER_FOR_REPLY. */
export const ERROR_FLT_NO_WAITER_FOR_REPLY: HRESULT = 0x801f0020;

/** RtlNtStatusToDosError for the statuses the port model produces. */
const DOS_ERROR_OF: ReadonlyMap<NTSTATUS, number> = new Map([
  [STATUS_SUCCESS, ERROR_SUCCESS],
  [STATUS_OBJECT_NAME_NOT_FOUND, ERROR_FILE_NOT_FOUND],
  [STATUS_ACCESS_DENIED, ERROR_ACCESS_DENIED],
  [STATUS_INVALID_HANDLE, ERROR_INVALID_HANDLE],
  [STATUS_PORT_DISCONNECTED, ERROR_INVALID_HANDLE],
  [STATUS_INVALID_PARAMETER, ERROR_INVALID_PARAMETER],
  [STATUS_INVALID_PARAMETER_3, ERROR_INVALID_PARAMETER],
  [STATUS_NOT_SUPPORTED, ERROR_NOT_SUPPORTED],
  [STATUS_BUFFER_TOO_SMALL, ERROR_INSUFFICIENT_BUFFER],
  [STATUS_BUFFER_OVERFLOW, ERROR_MORE_DATA],
  [STATUS_CANCELLED, ERROR_OPERATION_ABORTED],
  [STATUS_ACCESS_VIOLATION, ERROR_NOACCESS],
  [STATUS_CONNECTION_COUNT_LIMIT, ERROR_CONNECTION_COUNT_LIMIT],
  [STATUS_INSUFFICIENT_RESOURCES, ERROR_NO_SYSTEM_RESOURCES],
  // A warning status with a Win32 twin: minispy's user program waits for exactly this HRESULT.
  [STATUS_NO_MORE_ENTRIES, ERROR_NO_MORE_ITEMS],
]);

/**
 * The HRESULT fltlib reports for a kernel NTSTATUS. Filter Manager statuses keep their code under
 * facility 0x1F; statuses without a Win32 mapping here become HRESULT_FROM_NT (a documented
 * fallback of the model, not a claim about every status).
 */
export function hresultFromNtStatus(status: NTSTATUS): HRESULT {
  longArgument('hresultFromNtStatus', 'status', status);
  const s = status >>> 0;
  if (s >>> 30 === 0) return S_OK;
  if ((s & 0xffff0000) >>> 0 === 0xc01c0000) return (0x801f0000 | (s & 0xffff)) >>> 0;
  const dos = DOS_ERROR_OF.get(s);
  if (dos !== undefined) return HRESULT_FROM_WIN32(dos);
  return (s | 0x10000000) >>> 0;
}

/** RtlNtStatusToDosError for the statuses the port model produces (what GetLastError reads); null when unmapped. */
export function win32ErrorFromNtStatus(status: NTSTATUS): number | null {
  longArgument('win32ErrorFromNtStatus', 'status', status);
  return DOS_ERROR_OF.get(status >>> 0) ?? null;
}

export function SUCCEEDED(hr: HRESULT): boolean {
  longArgument('SUCCEEDED', 'hr', hr);
  return hr >>> 31 === 0;
}

export function FAILED(hr: HRESULT): boolean {
  longArgument('FAILED', 'hr', hr);
  return hr >>> 31 === 1;
}

const HRESULT_NAMES: ReadonlyMap<number, string> = new Map([
  [S_OK, 'S_OK'],
  [E_ACCESSDENIED, 'E_ACCESSDENIED'],
  [E_INVALIDARG, 'E_INVALIDARG'],
  [E_HANDLE, 'E_HANDLE'],
  [HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND), 'HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)'],
  [HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER), 'HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER)'],
  [HRESULT_FROM_WIN32(ERROR_MORE_DATA), 'HRESULT_FROM_WIN32(ERROR_MORE_DATA)'],
  [HRESULT_FROM_WIN32(ERROR_NO_MORE_ITEMS), 'HRESULT_FROM_WIN32(ERROR_NO_MORE_ITEMS)'],
  [HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED), 'HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED)'],
  [HRESULT_FROM_WIN32(ERROR_IO_PENDING), 'HRESULT_FROM_WIN32(ERROR_IO_PENDING)'],
  [HRESULT_FROM_WIN32(ERROR_NOACCESS), 'HRESULT_FROM_WIN32(ERROR_NOACCESS)'],
  [HRESULT_FROM_WIN32(ERROR_CONNECTION_COUNT_LIMIT), 'HRESULT_FROM_WIN32(ERROR_CONNECTION_COUNT_LIMIT)'],
  [HRESULT_FROM_WIN32(ERROR_NO_SYSTEM_RESOURCES), 'HRESULT_FROM_WIN32(ERROR_NO_SYSTEM_RESOURCES)'],
  [HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED), 'HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)'],
  [ERROR_FLT_NO_WAITER_FOR_REPLY, 'ERROR_FLT_NO_WAITER_FOR_REPLY'],
]);

/** `E_ACCESSDENIED`, `HRESULT_FROM_WIN32(ERROR_IO_PENDING)`, or hex: the form traces print. */
export function hresultName(hr: HRESULT): string {
  longArgument('hresultName', 'hr', hr);
  const known = HRESULT_NAMES.get(hr >>> 0);
  if (known !== undefined) return known;
  const s = hr >>> 0;
  if ((s & 0xffff0000) >>> 0 === 0x801f0000) {
    for (const [name, value] of Object.entries(NTSTATUS_NAMES)) {
      if (value === ((0xc01c0000 | (s & 0xffff)) >>> 0)) return name.replace(/^STATUS_/, 'ERROR_');
    }
  }
  return hex32(s);
}
