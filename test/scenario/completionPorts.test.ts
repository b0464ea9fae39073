// I/O completion ports around overlapped FilterGetMessage (§17.4), as scanUser.c uses them: the
// completions of gets on an associated handle queue in FIFO order and any thread dequeues any of
// them; aborted gets queue their failure; a wait times out or ends when the port closes; and
// FILE_OBJECT.WriteAccess, which scanner reads in post-create, is what the create was granted.
import { describe, expect, it } from 'vitest';
import {
  ADMINISTRATORS_SID,
  CloseHandle,
  createSimulation,
  CreateIoCompletionPort,
  ERROR_ABANDONED_WAIT_0,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_IO_PENDING,
  ERROR_OPERATION_ABORTED,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_OPEN,
  FILE_READ_ATTRIBUTES,
  FILE_SHARE_READ,
  FilterGetMessage,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FltRegisterFilter,
  FltStartFiltering,
  IRP_MJ_CREATE,
  FilterReplyMessage,
  FltSendMessage,
  GetQueuedCompletionStatus,
  HRESULT_FROM_WIN32,
  INFINITE,
  S_OK,
  sleep,
  STATUS_SUCCESS,
  UsageError,
  WAIT_TIMEOUT,
  type Blocking,
  type OVERLAPPED,
  type Simulation,
} from '../../src/index.js';
import { installPortFilter } from '../../src/testing/index.js';

function system() {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  const scanner = installPortFilter(sim);
  expect(sim.run().reason).toBe('idle');
  return { sim, scanner };
}

const ovl = (): OVERLAPPED => ({ hEvent: null, Internal: 0, InternalHigh: 0 });

function admin(sim: Simulation, name: string, body: () => Blocking<unknown>) {
  return sim.spawn(name, body, { token: ADMINISTRATORS_SID });
}

describe('I/O completion ports for overlapped gets (§17.4)', () => {
  it('two gets on one associated handle: each send completes one, dequeued by whichever worker waits, with the key and the OVERLAPPED', () => {
    const { sim, scanner } = system();
    const seen: string[] = [];
    const gets = [ovl(), ovl()];
    const buffers = [new Uint8Array(64), new Uint8Array(64)];
    admin(sim, 'scanUser', function* () {
      const c = yield* sim.FilterConnectCommunicationPort('\\ScannerPort', 0, null, 0);
      const port = CreateIoCompletionPort(c.hPort!, null, 7, 2);
      expect(port.LastError).toBe(0);
      // A handle is associated once.
      expect(CreateIoCompletionPort(c.hPort!, port.handle, 8, 2)).toEqual({ handle: null, LastError: ERROR_INVALID_PARAMETER });
      for (let i = 0; i < 2; i++) {
        expect(yield* FilterGetMessage(c.hPort!, buffers[i]!, 64, gets[i]!)).toBe(HRESULT_FROM_WIN32(ERROR_IO_PENDING));
        const worker = i + 1;
        admin(sim, `worker ${worker}`, function* () {
          const r = yield* GetQueuedCompletionStatus(port.handle!, INFINITE);
          const which = gets.indexOf(r.Overlapped!);
          seen.push(`worker ${worker}: get ${which} key ${r.CompletionKey} ${r.result} ${r.NumberOfBytesTransferred}`);
          const reply = new Uint8Array(17);
          new DataView(reply.buffer).setBigUint64(8, new DataView(buffers[which]!.buffer).getBigUint64(8, true), true);
          return yield* FilterReplyMessage(c.hPort!, reply, 17);
        });
      }
      // Nothing queued now: a zero wait times out.
      expect(yield* GetQueuedCompletionStatus(port.handle!, 0)).toEqual({ result: false, NumberOfBytesTransferred: 0, CompletionKey: 0, Overlapped: null, LastError: WAIT_TIMEOUT });
    });
    sim.spawn('sender', function* () {
      yield* sleep(1);
      for (let i = 0; i < 2; i++) {
        const length = { value: 1 };
        seen.push(`send ${i}: ${(yield* FltSendMessage(scanner.filter(), scanner.clientPort, new Uint8Array(8), 8, new Uint8Array(1), length, null)) === STATUS_SUCCESS}`);
      }
    }, { token: 'S-1-5-18' });
    expect(sim.run().reason).toBe('idle');
    // FIFO: the first send fills the first get; the first worker to wait takes the first packet.
    expect(seen).toEqual(['worker 1: get 0 key 7 true 24', 'send 0: true', 'worker 2: get 1 key 7 true 24', 'send 1: true']);
    expect(sim.state().violations).toEqual([]);
  });

  it('closing the connection aborts its gets: each queues a failed packet (ERROR_OPERATION_ABORTED) even though the handle is gone', () => {
    const { sim } = system();
    const results: unknown[] = [];
    admin(sim, 'scanUser', function* () {
      const c = yield* sim.FilterConnectCommunicationPort('\\ScannerPort', 0, null, 0);
      const port = CreateIoCompletionPort(c.hPort!, null, 1, 1).handle!;
      const get = ovl();
      yield* FilterGetMessage(c.hPort!, new Uint8Array(64), 64, get);
      yield* CloseHandle(c.hPort!);
      const r = yield* GetQueuedCompletionStatus(port, INFINITE);
      results.push(r.result, r.Overlapped === get, r.LastError);
      // The handle is closed: it cannot be associated again.
      results.push(CreateIoCompletionPort(c.hPort!, null, 1, 1).LastError);
    });
    expect(sim.run().reason).toBe('idle');
    expect(results).toEqual([false, true, ERROR_OPERATION_ABORTED, ERROR_INVALID_HANDLE]);
  });

  it('a wait ends when the completion port is closed (ERROR_ABANDONED_WAIT_0); a finite wait times out on the virtual clock', () => {
    const { sim } = system();
    const results: unknown[] = [];
    admin(sim, 'scanUser', function* () {
      const c = yield* sim.FilterConnectCommunicationPort('\\ScannerPort', 0, null, 0);
      const port = CreateIoCompletionPort(c.hPort!, null, 1, 1).handle!;
      const started = sim.now;
      results.push((yield* GetQueuedCompletionStatus(port, 5)).LastError, sim.now - started);
      const waiter = admin(sim, 'waiter', function* () {
        return (yield* GetQueuedCompletionStatus(port, INFINITE)).LastError;
      });
      yield* sleep(1);
      results.push(yield* CloseHandle(port), yield* CloseHandle(port));
      yield* sim.join(waiter);
      results.push(waiter.result, (yield* GetQueuedCompletionStatus(port, 0)).LastError);
      return yield* CloseHandle(c.hPort!);
    });
    expect(sim.run().reason).toBe('idle');
    expect(results).toEqual([WAIT_TIMEOUT, 5, true, false, ERROR_ABANDONED_WAIT_0, ERROR_INVALID_HANDLE]);
  });

  it('bad arguments are UsageErrors naming the routine', () => {
    const { sim } = system();
    admin(sim, 'scanUser', function* () {
      const c = yield* sim.FilterConnectCommunicationPort('\\ScannerPort', 0, null, 0);
      expect(() => CreateIoCompletionPort({} as never, null, 0, 1)).toThrow(UsageError);
      expect(() => CreateIoCompletionPort(c.hPort!, null, -1, 1)).toThrow(/CompletionKey/);
      expect(() => GetQueuedCompletionStatus(null as never, 0).next()).toThrow(/GetQueuedCompletionStatus/);
      return S_OK;
    });
    expect(sim.run().reason).toBe('idle');
  });
});

describe('FILE_OBJECT access fields (IoSetShareAccess at the create)', () => {
  it('WriteAccess and ReadAccess follow the granted access: read/write, read, attributes only', () => {
    const sim = createSimulation({ onViolation: 'record' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\a.doc', 'x');
    const seen: string[] = [];
    sim.loadDriver({ name: 'watch', instances: { DefaultInstance: 'w', Instances: { w: { Altitude: '300000' } } } }, function* (driver) {
      const { filter } = FltRegisterFilter(driver, {
        OperationRegistration: [
          {
            MajorFunction: IRP_MJ_CREATE,
            PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
            PostOperation: (_Data, FltObjects) => {
              const fo = FltObjects.FileObject!;
              seen.push(`read=${fo.ReadAccess} write=${fo.WriteAccess} delete=${fo.DeleteAccess} shared=${fo.SharedRead}/${fo.SharedWrite}/${fo.SharedDelete}`);
              return FLT_POSTOP_FINISHED_PROCESSING;
            },
          },
        ],
      });
      return yield* FltStartFiltering(filter!);
    });
    sim.whenSettled(() => {
      sim.spawn('app', function* () {
        for (const DesiredAccess of [FILE_GENERIC_READ | FILE_GENERIC_WRITE, FILE_GENERIC_READ, FILE_READ_ATTRIBUTES]) {
          const r = yield* sim.io.NtCreateFile('C:\\a.doc', { DesiredAccess, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
          yield* sim.io.NtClose(r.handle!);
        }
      });
    });
    expect(sim.run().reason).toBe('idle');
    expect(seen).toEqual([
      'read=true write=true delete=false shared=true/false/false',
      'read=true write=false delete=false shared=true/false/false',
      'read=false write=false delete=false shared=true/false/false',
    ]);
  });
});
