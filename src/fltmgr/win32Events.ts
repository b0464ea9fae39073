/**
 * The few Win32 calls an application thread needs around overlapped FilterGetMessage (§17.4):
 * an event (CreateEventW is a Simulation method), WaitForSingleObject on it, SetEvent/ResetEvent,
 * and GetOverlappedResult. Milliseconds are virtual ticks one to one (src/kernel/time.ts).
 */
import { kernelCall, waitForObjects, type Blocking } from '../kernel/effects.js';
import type { Kernel } from '../kernel/kernel.js';
import { ERROR_INVALID_HANDLE, ERROR_IO_INCOMPLETE, ERROR_INVALID_PARAMETER, win32ErrorFromNtStatus } from '../wdk/hresult.js';
import { NT_SUCCESS, STATUS_PENDING, hex32 } from '../wdk/ntstatus.js';
import { INFINITE, WAIT_FAILED, WAIT_OBJECT_0, WAIT_TIMEOUT } from '../wdk/portConstants.js';
import { UsageError } from '../kernel/errors.js';
import { overlappedArgument } from './portArguments.js';
import { EventHandle, FilterPortHandle, IoCompletionPortHandle, type OVERLAPPED } from './portObjects.js';
import { eventHandleOrFailure, kernelOfHandle, overlappedEventOrFailure, recordHandleFailure } from './win32Handles.js';

/** CreateEventW(NULL, bManualReset, bInitialState, lpName): a manual-reset (notification) or auto-reset (synchronization) event. */
export function createEvent(kernel: Kernel, bManualReset: boolean, bInitialState: boolean, lpName: string | null): EventHandle {
  const waitable = kernel.createWaitable(lpName ?? 'event', bManualReset ? 'notification' : 'synchronization');
  waitable.signaled = bInitialState;
  return new EventHandle(kernel, kernel.nextId('H'), waitable, bManualReset);
}

/**
 * WaitForSingleObject(hHandle, dwMilliseconds): WAIT_OBJECT_0 or WAIT_TIMEOUT; a scheduling point
 * when it waits. WAIT_FAILED (GetLastError: ERROR_INVALID_HANDLE) for NULL, a closed or unknown
 * handle and a section's handle, which is not waitable (win32Handles.ts); a RoutineFailed fact says why.
 */
export function* WaitForSingleObject(hHandle: EventHandle, dwMilliseconds: number): Blocking<number> {
  if (hHandle instanceof FilterPortHandle || hHandle instanceof IoCompletionPortHandle) {
    // Both are waitable on Windows (a file object, a KQUEUE): waits on them are not modelled, and no sample makes one.
    throw new UsageError('BAD_ARGUMENT', `WaitForSingleObject: a wait on ${hHandle instanceof FilterPortHandle ? 'a communication port' : 'a completion port'}'s handle is not modelled (wait on an event from CreateEventW)`);
  }
  const event = eventHandleOrFailure('WaitForSingleObject', 'hHandle', hHandle);
  if (dwMilliseconds !== INFINITE && (!Number.isInteger(dwMilliseconds) || dwMilliseconds < 0)) {
    throw new UsageError('BAD_ARGUMENT', `WaitForSingleObject: dwMilliseconds ${dwMilliseconds} is not a DWORD`);
  }
  if (!(event instanceof EventHandle)) {
    yield* kernelCall((kernel) => recordHandleFailure(kernel, 'WaitForSingleObject', event));
    return WAIT_FAILED;
  }
  const ticks = dwMilliseconds === INFINITE ? null : dwMilliseconds;
  const outcome = yield* waitForObjects([event.waitable], 'WaitAny', ticks, `WaitForSingleObject(${event.id})`);
  return outcome.kind === 'signaled' ? WAIT_OBJECT_0 : WAIT_TIMEOUT;
}

/**
 * SetEvent(hEvent): TRUE. FALSE (GetLastError: ERROR_INVALID_HANDLE) for NULL, a closed or unknown
 * handle or another object's; the RoutineFailed fact is recorded when the handle names an object of
 * a simulation (a bare NULL names none, and SetEvent does not block, so it cannot ask for one).
 */
export function SetEvent(hEvent: EventHandle): boolean {
  const event = eventHandleOrFailure('SetEvent', 'hEvent', hEvent);
  if (!(event instanceof EventHandle)) {
    recordHandleFailure(kernelOfHandle(hEvent), 'SetEvent', event);
    return false;
  }
  event.kernel.signal(event.waitable);
  return true;
}

/** ResetEvent(hEvent): TRUE; FALSE for a handle SetEvent would refuse. */
export function ResetEvent(hEvent: EventHandle): boolean {
  const event = eventHandleOrFailure('ResetEvent', 'hEvent', hEvent);
  if (!(event instanceof EventHandle)) {
    recordHandleFailure(kernelOfHandle(hEvent), 'ResetEvent', event);
    return false;
  }
  event.waitable.signaled = false;
  return true;
}

export interface OverlappedResult {
  /** The BOOL GetOverlappedResult returns. */
  readonly result: boolean;
  readonly NumberOfBytesTransferred: number;
  /** What GetLastError reads when result is FALSE (0 otherwise). */
  readonly LastError: number;
}

/**
 * GetOverlappedResult(hFile, lpOverlapped, &NumberOfBytesTransferred, bWait): the outcome of an
 * overlapped FilterGetMessage; with bWait it waits on the OVERLAPPED's event.
 */
export function* GetOverlappedResult(hFile: FilterPortHandle, lpOverlapped: OVERLAPPED, bWait: boolean): Blocking<OverlappedResult> {
  void hFile;
  overlappedArgument('GetOverlappedResult', lpOverlapped);
  if (lpOverlapped.Internal === STATUS_PENDING) {
    if (!bWait || lpOverlapped.hEvent === null) return { result: false, NumberOfBytesTransferred: 0, LastError: bWait ? ERROR_INVALID_PARAMETER : ERROR_IO_INCOMPLETE };
    // It waits on hEvent: a closed or foreign handle fails the wait, as WaitForSingleObject does.
    const event = overlappedEventOrFailure('GetOverlappedResult', lpOverlapped);
    if (!(event instanceof EventHandle)) {
      if (event !== null) yield* kernelCall((kernel) => recordHandleFailure(kernel, 'GetOverlappedResult', event));
      return { result: false, NumberOfBytesTransferred: 0, LastError: ERROR_INVALID_HANDLE };
    }
    yield* waitForObjects([event.waitable], 'WaitAny', null, `GetOverlappedResult(${event.id})`);
  }
  const status = lpOverlapped.Internal;
  if (NT_SUCCESS(status)) return { result: true, NumberOfBytesTransferred: lpOverlapped.InternalHigh, LastError: 0 };
  return { result: false, NumberOfBytesTransferred: lpOverlapped.InternalHigh, LastError: win32ErrorFromNtStatus(status) ?? Number(hex32(status)) };
}
