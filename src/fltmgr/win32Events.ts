/**
 * The few Win32 calls an application thread needs around overlapped FilterGetMessage (§17.4):
 * an event (CreateEventW is a Simulation method), WaitForSingleObject on it, SetEvent/ResetEvent,
 * and GetOverlappedResult. Milliseconds are virtual ticks one to one (src/kernel/time.ts).
 */
import { waitForObjects, type Blocking } from '../kernel/effects.js';
import type { Kernel } from '../kernel/kernel.js';
import { ERROR_IO_INCOMPLETE, ERROR_INVALID_PARAMETER, win32ErrorFromNtStatus } from '../wdk/hresult.js';
import { NT_SUCCESS, STATUS_PENDING, hex32 } from '../wdk/ntstatus.js';
import { INFINITE, WAIT_OBJECT_0, WAIT_TIMEOUT } from '../wdk/portConstants.js';
import { UsageError } from '../kernel/errors.js';
import { eventHandleArgument, overlappedArgument } from './portArguments.js';
import { EventHandle, type FilterPortHandle, type OVERLAPPED } from './portObjects.js';

/** CreateEventW(NULL, bManualReset, bInitialState, lpName): a manual-reset (notification) or auto-reset (synchronization) event. */
export function createEvent(kernel: Kernel, bManualReset: boolean, bInitialState: boolean, lpName: string | null): EventHandle {
  const waitable = kernel.createWaitable(lpName ?? 'event', bManualReset ? 'notification' : 'synchronization');
  waitable.signaled = bInitialState;
  return new EventHandle(kernel, kernel.nextId('H'), waitable, bManualReset);
}

/** WaitForSingleObject(hHandle, dwMilliseconds): WAIT_OBJECT_0 or WAIT_TIMEOUT; a scheduling point when it waits. */
export function* WaitForSingleObject(hHandle: EventHandle, dwMilliseconds: number): Blocking<number> {
  eventHandleArgument('WaitForSingleObject', hHandle);
  if (dwMilliseconds !== INFINITE && (!Number.isInteger(dwMilliseconds) || dwMilliseconds < 0)) {
    throw new UsageError('BAD_ARGUMENT', `WaitForSingleObject: dwMilliseconds ${dwMilliseconds} is not a DWORD`);
  }
  const ticks = dwMilliseconds === INFINITE ? null : dwMilliseconds;
  const outcome = yield* waitForObjects([hHandle.waitable], 'WaitAny', ticks, `WaitForSingleObject(${hHandle.id})`);
  return outcome.kind === 'signaled' ? WAIT_OBJECT_0 : WAIT_TIMEOUT;
}

export function SetEvent(hEvent: EventHandle): boolean {
  eventHandleArgument('SetEvent', hEvent).kernel.signal(hEvent.waitable);
  return true;
}

export function ResetEvent(hEvent: EventHandle): boolean {
  eventHandleArgument('ResetEvent', hEvent).waitable.signaled = false;
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
    yield* waitForObjects([lpOverlapped.hEvent.waitable], 'WaitAny', null, `GetOverlappedResult(${lpOverlapped.hEvent.id})`);
  }
  const status = lpOverlapped.Internal;
  if (NT_SUCCESS(status)) return { result: true, NumberOfBytesTransferred: lpOverlapped.InternalHigh, LastError: 0 };
  return { result: false, NumberOfBytesTransferred: lpOverlapped.InternalHigh, LastError: win32ErrorFromNtStatus(status) ?? Number(hex32(status)) };
}
