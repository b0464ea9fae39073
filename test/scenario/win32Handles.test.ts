// The application's Win32 calls with a handle that names no event (issue 14 item 3, §17.4): NULL, a
// closed event, a handle value that names nothing, another object's handle. Windows fails the call
// — WAIT_FAILED, FALSE, E_HANDLE, STATUS_INVALID_HANDLE / STATUS_OBJECT_TYPE_MISMATCH, all
// ERROR_INVALID_HANDLE to GetLastError — and nothing else happens; the model answers the same and
// records a RoutineFailed fact on `sim`. Only a value no C caller could pass is a UsageError.
import { describe, expect, it } from 'vitest';
import {
  ADMINISTRATORS_SID,
  CloseHandle,
  createSimulation,
  E_HANDLE,
  ERROR_INVALID_HANDLE,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_OPEN,
  FILE_SHARE_READ,
  FilterGetMessage,
  GetOverlappedResult,
  hresultName,
  INFINITE,
  ntStatusName,
  PAGE_READWRITE,
  ResetEvent,
  SetEvent,
  STATUS_PENDING,
  STATUS_SUCCESS,
  UsageError,
  WAIT_FAILED,
  WAIT_OBJECT_0,
  WAIT_TIMEOUT,
  WaitForSingleObject,
  type FilterPortHandle,
  type OVERLAPPED,
  type Simulation,
} from '../../src/index.js';
import { installPortFilter } from '../../src/testing/index.js';

const waitName = (r: number): string => (r === WAIT_FAILED ? 'WAIT_FAILED' : r === WAIT_OBJECT_0 ? 'WAIT_OBJECT_0' : r === WAIT_TIMEOUT ? 'WAIT_TIMEOUT' : String(r));

/** The RoutineFailed facts of a run, as a person reads them. */
function failures(sim: Simulation): string[] {
  return sim.log.flatMap((f) => (f.type === 'RoutineFailed' ? [`${f.object} ${f.routine} ${ntStatusName(f.status)}: ${f.detail}`] : []));
}

function withFile(): Simulation {
  const sim = createSimulation({ seed: 1 });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.txt', '0123456789');
  return sim;
}

describe('events: NULL, a closed handle, a handle value, another object’s handle (§17.4)', () => {
  it('NULL: WaitForSingleObject is WAIT_FAILED, SetEvent and ResetEvent FALSE; a closed event the same, and CloseHandle of it again FALSE', () => {
    const sim = createSimulation({ seed: 1 });
    const event = sim.CreateEventW(null, true, false, 'app event');
    const seen: string[] = [];
    sim.spawn('app', function* () {
      seen.push(`WaitForSingleObject(NULL, INFINITE) ${waitName(yield* WaitForSingleObject(null as never, INFINITE))}`);
      seen.push(`WaitForSingleObject(0x1234, 0) ${waitName(yield* WaitForSingleObject(0x1234 as never, 0))}`);
      seen.push(`SetEvent(NULL) ${SetEvent(null as never)}`);
      seen.push(`SetEvent(event) ${SetEvent(event)}`);
      seen.push(`WaitForSingleObject(event, 0) ${waitName(yield* WaitForSingleObject(event, 0))}`);
      seen.push(`CloseHandle(event) ${yield* CloseHandle(event)}`);
      seen.push(`WaitForSingleObject(event, INFINITE) ${waitName(yield* WaitForSingleObject(event, INFINITE))}`);
      seen.push(`SetEvent(event) ${SetEvent(event)}`);
      seen.push(`ResetEvent(event) ${ResetEvent(event)}`);
      seen.push(`CloseHandle(event) ${yield* CloseHandle(event)}`);
      seen.push(`CloseHandle(0x1234) ${yield* CloseHandle(0x1234)}`);
    });
    sim.run();
    expect(seen).toEqual([
      'WaitForSingleObject(NULL, INFINITE) WAIT_FAILED',
      'WaitForSingleObject(0x1234, 0) WAIT_FAILED',
      'SetEvent(NULL) false',
      'SetEvent(event) true',
      'WaitForSingleObject(event, 0) WAIT_OBJECT_0',
      'CloseHandle(event) true',
      'WaitForSingleObject(event, INFINITE) WAIT_FAILED',
      'SetEvent(event) false',
      'ResetEvent(event) false',
      'CloseHandle(event) false',
      'CloseHandle(0x1234) false',
    ]);
    // A bare NULL names no simulation, and SetEvent does not block to ask for one: no fact for SetEvent(NULL).
    expect(failures(sim)).toEqual([
      'sim WaitForSingleObject STATUS_INVALID_HANDLE: hHandle is NULL',
      'sim WaitForSingleObject STATUS_INVALID_HANDLE: hHandle number 4660 names no open event',
      `sim WaitForSingleObject STATUS_INVALID_HANDLE: hHandle ${event.id} is closed`,
      `sim SetEvent STATUS_INVALID_HANDLE: hEvent ${event.id} is closed`,
      `sim ResetEvent STATUS_INVALID_HANDLE: hEvent ${event.id} is closed`,
      `sim CloseHandle STATUS_INVALID_HANDLE: hObject ${event.id} is already closed`,
      'sim CloseHandle STATUS_INVALID_HANDLE: hObject number 4660 names no open handle',
    ]);
    expect(sim.now).toBe(0); // nothing waited
  });

  it('a section’s handle where an event belongs: WAIT_FAILED and FALSE with STATUS_OBJECT_TYPE_MISMATCH (ERROR_INVALID_HANDLE); the section is untouched', () => {
    const sim = withFile();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const open = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
      const section = (yield* sim.io.CreateFileMappingW(open.handle!, null, PAGE_READWRITE, 0, 0, null))!;
      seen.push(`WaitForSingleObject(section) ${waitName(yield* WaitForSingleObject(section as never, 0))}`);
      seen.push(`SetEvent(section) ${SetEvent(section as never)}`);
      seen.push(`CloseHandle(section) ${yield* CloseHandle(section)}`);
      yield* sim.io.NtClose(open.handle!);
    });
    sim.run();
    expect(seen).toEqual(['WaitForSingleObject(section) WAIT_FAILED', 'SetEvent(section) false', 'CloseHandle(section) true']);
    expect(failures(sim)).toEqual([
      'sim WaitForSingleObject STATUS_OBJECT_TYPE_MISMATCH: hHandle is the handle of section Z1, not an event',
      'sim SetEvent STATUS_OBJECT_TYPE_MISMATCH: hEvent is the handle of section Z1, not an event',
    ]);
    expect(sim.state().sections).toEqual({});
  });

  it('a value no C caller could pass is a UsageError naming the routine and the parameter; a wait on a port’s handle is not modelled', () => {
    const sim = createSimulation({ seed: 1 });
    const codes: string[] = [];
    sim.spawn('app', function* () {
      for (const call of [() => WaitForSingleObject('H3' as never, 0), () => WaitForSingleObject({} as never, 0)]) {
        try {
          yield* call();
        } catch (error) {
          codes.push(error instanceof UsageError ? error.message : `raw ${String(error)}`);
        }
      }
      try {
        SetEvent({ waitable: 1 } as never);
      } catch (error) {
        codes.push(error instanceof UsageError ? error.message : `raw ${String(error)}`);
      }
    });
    sim.run();
    expect(codes).toEqual([
      '[BAD_ARGUMENT] WaitForSingleObject: hHandle is string "H3", not an event handle from CreateEventW',
      '[BAD_ARGUMENT] WaitForSingleObject: hHandle is a plain object, not an event handle from CreateEventW',
      '[BAD_ARGUMENT] SetEvent: hEvent is a plain object, not an event handle from CreateEventW',
    ]);
  });
});

describe('an OVERLAPPED whose hEvent names no open event fails the call that references it', () => {
  it('sim.io ReadFile / WriteFile / LockFileEx: STATUS_INVALID_HANDLE for a closed event, STATUS_OBJECT_TYPE_MISMATCH for a section; no request is issued; with a good event the read completes and sets it', () => {
    const sim = withFile();
    const event = sim.CreateEventW(null, true, false, 'read done');
    const closed = sim.CreateEventW(null, true, false, 'closed');
    const seen: string[] = [];
    sim.spawn('app', function* () {
      yield* CloseHandle(closed);
      const open = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
      const h = open.handle!;
      const section = (yield* sim.io.CreateFileMappingW(h, null, PAGE_READWRITE, 0, 0, null))!;
      const ovl = (hEvent: unknown): OVERLAPPED => ({ hEvent: hEvent as never, Internal: 0, InternalHigh: 0, Offset: 0 });
      seen.push(`ReadFile(closed event) ${ntStatusName(yield* sim.io.ReadFile(h, 4, ovl(closed)))}`);
      seen.push(`WriteFile(section) ${ntStatusName(yield* sim.io.WriteFile(h, 'ab', ovl(section)))}`);
      seen.push(`LockFileEx(0x99) ${ntStatusName(yield* sim.io.LockFileEx(h, 0, 1, ovl(0x99)))}`);
      seen.push(`ReadFile(NULL handle, closed event) ${ntStatusName(yield* sim.io.ReadFile(null as never, 4, ovl(closed)))}`);
      seen.push(`CancelSynchronousIo(NULL) ${ntStatusName(yield* sim.io.CancelSynchronousIo(null as never))}`);
      const good = ovl(event);
      const status = yield* sim.io.ReadFile(h, 4, good);
      if (status === STATUS_PENDING) yield* WaitForSingleObject(event, INFINITE);
      seen.push(`ReadFile(event) ${ntStatusName(good.Internal)} ${good.InternalHigh} bytes, event ${waitName(yield* WaitForSingleObject(event, 0))}`);
      yield* CloseHandle(section);
      yield* sim.io.NtClose(h);
    });
    sim.run();
    expect(seen).toEqual([
      'ReadFile(closed event) STATUS_INVALID_HANDLE',
      'WriteFile(section) STATUS_OBJECT_TYPE_MISMATCH',
      'LockFileEx(0x99) STATUS_INVALID_HANDLE',
      'ReadFile(NULL handle, closed event) STATUS_INVALID_HANDLE',
      'CancelSynchronousIo(NULL) STATUS_INVALID_HANDLE',
      'ReadFile(event) STATUS_SUCCESS 4 bytes, event WAIT_OBJECT_0',
    ]);
    expect(failures(sim)).toEqual([
      `sim ReadFile STATUS_INVALID_HANDLE: lpOverlapped.hEvent ${closed.id} is closed`,
      'sim WriteFile STATUS_OBJECT_TYPE_MISMATCH: lpOverlapped.hEvent is the handle of section Z1, not an event',
      'sim LockFileEx STATUS_INVALID_HANDLE: lpOverlapped.hEvent number 153 names no open event',
      'sim CancelSynchronousIo STATUS_INVALID_HANDLE: hThread is NULL',
    ]);
    // Only the good read reached the stack.
    expect(sim.log.filter((f) => f.type === 'IoStart' && f.major === 3)).toHaveLength(1);
  });

  it('FilterGetMessage with such an OVERLAPPED is E_HANDLE and posts no get; GetOverlappedResult waiting on it is FALSE, ERROR_INVALID_HANDLE', () => {
    const sim = createSimulation({ seed: 1 });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    installPortFilter(sim, { messageNotify: (_c, _i, _il, _o, _ol, returned) => ((returned.value = 0), STATUS_SUCCESS) });
    sim.run();
    const closed = sim.CreateEventW(null, true, false, 'closed');
    const seen: string[] = [];
    sim.spawn(
      'scanUser',
      function* () {
        yield* CloseHandle(closed);
        const hPort: FilterPortHandle = (yield* sim.FilterConnectCommunicationPort('\\ScannerPort', 0, null, 0)).hPort!;
        const ovl: OVERLAPPED = { hEvent: closed, Internal: 0, InternalHigh: 0 };
        seen.push(`FilterGetMessage(closed event) ${hresultName(yield* FilterGetMessage(hPort, new Uint8Array(64), 64, ovl))}`);
        const pending: OVERLAPPED = { hEvent: closed, Internal: STATUS_PENDING, InternalHigh: 0 };
        const r = yield* GetOverlappedResult(hPort, pending, true);
        seen.push(`GetOverlappedResult(closed event, bWait) ${r.result} ${r.LastError === ERROR_INVALID_HANDLE ? 'ERROR_INVALID_HANDLE' : r.LastError}`);
        yield* CloseHandle(hPort);
      },
      { token: ADMINISTRATORS_SID },
    );
    sim.run();
    expect(seen).toEqual(['FilterGetMessage(closed event) E_HANDLE', 'GetOverlappedResult(closed event, bWait) false ERROR_INVALID_HANDLE']);
    expect(E_HANDLE).toBe(0x80070006);
    expect(failures(sim)).toEqual([
      `sim FilterGetMessage STATUS_INVALID_HANDLE: lpOverlapped.hEvent ${closed.id} is closed`,
      `sim GetOverlappedResult STATUS_INVALID_HANDLE: lpOverlapped.hEvent ${closed.id} is closed`,
    ]);
    expect(sim.log.some((f) => f.type === 'FilterGetMessage')).toBe(false);
  });
});
