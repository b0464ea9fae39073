// §19: who can cancel what, and exactly one completion per operation whatever wins the race.
// Each test drives one protocol and pins the facts a person checks against the WDK pages.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FltAllocateDeferredIoWorkItem,
  FltCancellableWaitForSingleObject,
  FltClearCancelCompletion,
  FltCompletePendedPreOperation,
  FltIsIoCanceled,
  FltCancelIo,
  FltAllocateCallbackData,
  FltPerformAsynchronousIo,
  FltFreeCallbackData,
  FltCreateFileEx,
  FltClose,
  ObDereferenceObject,
  ntStatusName,
  type FLT_RELATED_OBJECTS,
  FltQueueDeferredIoWorkItem,
  FltSetCancelCompletion,
  foldLog,
  IRP_MJ_READ,
  KeInitializeEvent,
  KEVENT,
  NotificationEvent,
  type OVERLAPPED,
  relativeTicks,
  sleep,
  STATUS_CANCELLED,
  STATUS_NOT_FOUND,
  STATUS_PENDING,
  STATUS_SUCCESS,
  STATUS_TIMEOUT,
  SynchronizationEvent,
  KeSetEvent,
  KeReleaseSpinLock,
  KeAcquireSpinLock,
  KeInitializeSpinLock,
  KSPIN_LOCK,
  KernelMode,
  Executive,
  KeWaitForSingleObject,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_REGISTRATION,
  type Simulation,
} from '../../src/index.js';
import { checkCancelInvariants, compactTrace, installFilter, operations } from '../../src/testing/index.js';

/** An OVERLAPPED for an asynchronous read at `Offset`, without an event. */
function newOverlapped(Offset: number): OVERLAPPED {
  return { hEvent: null, Internal: STATUS_PENDING, InternalHigh: 0, Offset };
}

function system(filters: Record<string, (sim: Simulation) => FLT_REGISTRATION> = {}): Simulation {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.txt', '0123456789');
  for (const [key, make] of Object.entries(filters)) {
    const [name, altitude] = key.split('@') as [string, string];
    installFilter(sim, { name, altitude, registration: make(sim) });
  }
  sim.run();
  return sim;
}

function* open(sim: Simulation, synchronous: boolean): Blocking<string> {
  const r = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: synchronous ? FILE_SYNCHRONOUS_IO_NONALERT : 0 });
  return r.handle!;
}

const cancelFacts = ['IoSetCancelRoutine', 'CancelRoutineCleared', 'IoCancelIrp', 'IoCompleteRequest', 'FltCompletePendedPreOperation', 'IoComplete'] as const;

/** A filter that posts every read to a deferred-I/O worker with a cancel routine, as §19.3 describes. */
function postingFilter(delay: number, completions: string[]) {
  return (sim: Simulation): FLT_REGISTRATION => ({
    OperationRegistration: operations([IRP_MJ_READ], {
      PreOperation: function* (data) {
        expect(FltSetCancelCompletion(data, function* (Data) {
          completions.push(`cancel routine on ${sim.currentThread()}`);
          Data.IoStatus = { Status: STATUS_CANCELLED, Information: 0 };
          yield* FltCompletePendedPreOperation(Data, FLT_PREOP_COMPLETE, null);
        })).toBe(STATUS_SUCCESS);
        FltQueueDeferredIoWorkItem(yield* FltAllocateDeferredIoWorkItem(), data, function* (_item, Data) {
          yield* sleep(delay);
          const owns = FltClearCancelCompletion(Data);
          completions.push(`worker: FltClearCancelCompletion ${owns === STATUS_SUCCESS ? 'SUCCESS' : 'CANCELLED'}`);
          if (owns === STATUS_SUCCESS) yield* FltCompletePendedPreOperation(Data, FLT_PREOP_SUCCESS_NO_CALLBACK, null);
        }, 'DelayedWorkQueue', null);
        return FLT_PREOP_PENDING;
      },
    }),
  });
}

describe('FltSetCancelCompletion and FltClearCancelCompletion (§19.3)', () => {
  it('CancelIoEx on a posted overlapped read: the cancel routine completes it, the worker\'s FltClearCancelCompletion says CANCELLED', () => {
    const completions: string[] = [];
    const sim = system({ 'poster@300000': postingFilter(10, completions) });
    const overlapped = newOverlapped(0);
    let issued = 0;
    const app = sim.spawn('app', function* () {
      const h = yield* open(sim, false);
      issued = yield* sim.io.ReadFile(h, 4, overlapped);
      expect(yield* sim.io.CancelIoEx(h, overlapped)).toBe(STATUS_SUCCESS);
      const r = yield* sim.io.GetOverlappedResult(h, overlapped, true);
      expect(yield* sim.io.CancelIoEx(h, overlapped)).toBe(STATUS_NOT_FOUND);
      yield* sim.io.NtClose(h);
      return r.status;
    });
    sim.run();
    expect(issued).toBe(STATUS_PENDING);
    expect(app.result).toBe(STATUS_CANCELLED);
    expect(completions).toEqual([`cancel routine on ${app.id}`, 'worker: FltClearCancelCompletion CANCELLED']);
    const read = sim.log.find((f) => f.type === 'IoStart' && f.major === IRP_MJ_READ)!.object;
    expect(compactTrace(sim.log, { types: [...cancelFacts] }).filter((l) => l.includes(read) || l.includes('J1'))).toEqual([
      'J1 IoSetCancelRoutine op=D2 routine=FltSetCancelCompletion instance=I1:poster@300000 on C:',
      `J1 IoCancelIrp op=D2 by=CancelIoEx thread=${app.id} routine called`,
      'D2(READ \\f.txt) FltCompletePendedPreOperation instance=I1:poster@300000 on C: FLT_PREOP_COMPLETE status=STATUS_CANCELLED',
      'D2(READ \\f.txt) IoComplete status=STATUS_CANCELLED information=0',
      'J1 IoCompleteRequest op=D2 status=STATUS_CANCELLED',
    ]);
    expect(checkCancelInvariants(sim.log)).toEqual([]);
    expect(sim.state().violations).toEqual([]);
  });

  it('the worker wins: FltClearCancelCompletion SUCCESS, the read completes normally and a late CancelIoEx finds nothing (§19.5 rule 6)', () => {
    const completions: string[] = [];
    const sim = system({ 'poster@300000': postingFilter(0, completions) });
    const app = sim.spawn('app', function* () {
      const h = yield* open(sim, true);
      const r = yield* sim.io.NtReadFile(h, 4, 0);
      const late = yield* sim.io.CancelIoEx(h);
      yield* sim.io.NtClose(h);
      return [r.status, late];
    });
    sim.run();
    expect(app.result).toEqual([STATUS_SUCCESS, STATUS_NOT_FOUND]);
    expect(completions).toEqual(['worker: FltClearCancelCompletion SUCCESS']);
    expect(compactTrace(sim.log, { types: ['IoSetCancelRoutine', 'CancelRoutineCleared', 'IoCompleteRequest'] })).toEqual([
      'J1 IoSetCancelRoutine op=D2 routine=FltSetCancelCompletion instance=I1:poster@300000 on C:',
      'J1 CancelRoutineCleared op=D2 routine=FltSetCancelCompletion by=FltClearCancelCompletion',
      'J1 IoCompleteRequest op=D2 status=STATUS_SUCCESS',
    ]);
  });

  it('CancelSynchronousIo ends a pended synchronous read only through its completion (§19.5 rule 7)', () => {
    const completions: string[] = [];
    const sim = system({ 'poster@300000': postingFilter(50, completions) });
    let reader = '';
    const app = sim.spawn('app', function* () {
      reader = sim.currentThread()!;
      const h = yield* open(sim, true);
      const r = yield* sim.io.NtReadFile(h, 4, 0);
      yield* sim.io.NtClose(h);
      return r.status;
    });
    const canceller = sim.spawn('canceller', function* () {
      yield* sleep(5);
      return yield* sim.io.CancelSynchronousIo(reader);
    });
    sim.run();
    expect([app.result, canceller.result]).toEqual([STATUS_CANCELLED, STATUS_SUCCESS]);
    expect(completions[0]).toBe(`cancel routine on ${canceller.id}`);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });
});

describe('the IRQL a cancel routine runs at (§18.1, §19.3)', () => {
  /**
   * A filter whose CanceledCallback waits (up to 5 ticks) before completing: legal at PASSIVE_LEVEL,
   * the verifier's finding at DISPATCH_LEVEL. `cancelUnderSpinLock` makes the filter cancel its own
   * posted read with FltCancelIo while it holds a spin lock.
   */
  function waitingCanceller(cancelUnderSpinLock: boolean) {
    return (): FLT_REGISTRATION => ({
      OperationRegistration: operations([IRP_MJ_READ], {
        PreOperation: function* (data) {
          const settle = new KEVENT();
          yield* KeInitializeEvent(settle, NotificationEvent, false);
          expect(FltSetCancelCompletion(data, function* (Data) {
            yield* KeWaitForSingleObject(settle, Executive, KernelMode, false, relativeTicks(5));
            Data.IoStatus = { Status: STATUS_CANCELLED, Information: 0 };
            yield* FltCompletePendedPreOperation(Data, FLT_PREOP_COMPLETE, null);
          })).toBe(STATUS_SUCCESS);
          if (cancelUnderSpinLock) {
            FltQueueDeferredIoWorkItem(yield* FltAllocateDeferredIoWorkItem(), data, function* (_item, Data) {
              const lock = new KSPIN_LOCK();
              yield* KeInitializeSpinLock(lock);
              const old = yield* KeAcquireSpinLock(lock);
              yield* FltCancelIo(Data);
              yield* KeReleaseSpinLock(lock, old);
            }, 'DelayedWorkQueue', null);
          }
          return FLT_PREOP_PENDING;
        },
      }),
    });
  }

  it('an application\'s cancel runs the filter\'s CanceledCallback at PASSIVE_LEVEL (FltMgr releases the cancel spin lock first): its wait is legal', () => {
    const sim = system({ 'poster@300000': waitingCanceller(false) });
    const overlapped = newOverlapped(0);
    const app = sim.spawn('app', function* () {
      const h = yield* open(sim, false);
      yield* sim.io.ReadFile(h, 4, overlapped);
      yield* sim.io.CancelIoEx(h, overlapped);
      const r = yield* sim.io.GetOverlappedResult(h, overlapped, true);
      yield* sim.io.NtClose(h);
      return r.status;
    });
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toBe(STATUS_CANCELLED);
    expect(sim.state().violations).toEqual([]);
    expect(checkCancelInvariants(sim.log)).toEqual([]);
  });

  it('FltCancelIo under a spin lock runs it at DISPATCH_LEVEL: the wait inside the CanceledCallback is the verifier\'s finding', () => {
    const sim = system({ 'poster@300000': waitingCanceller(true) });
    const overlapped = newOverlapped(0);
    sim.spawn('app', function* () {
      const h = yield* open(sim, false);
      yield* sim.io.ReadFile(h, 4, overlapped);
      return yield* sim.io.GetOverlappedResult(h, overlapped, true);
    });
    sim.run();
    expect(sim.state().violations.map((v) => v.rule)).toEqual(['WAIT_AT_DISPATCH']);
    expect(compactTrace(sim.log, { types: ['LockAcquire', 'IoCancelIrp', 'KeWait', 'VerifierViolation'] })).toEqual([
      'K1(K1 (KSPIN_LOCK)) LockAcquire KeAcquireSpinLock by=T3:DeferredIo(poster, D2, DelayedWorkQueue) Exclusive',
      'J1 IoCancelIrp op=D2 by=FltCancelIo thread=T3 routine called',
      'T3(DeferredIo(poster, D2, DelayedWorkQueue)) VerifierViolation rule=WAIT_AT_DISPATCH KeWaitForSingleObject by DeferredIo(poster, D2, DelayedWorkQueue) at DISPATCH_LEVEL holding K1: only a zero timeout is allowed there (§18.2)',
    ]);
  });
});

describe('the cancel reaching the file system (§19.2)', () => {
  it('a held read completes with STATUS_CANCELLED when the application cancels it; a released one normally', () => {
    const sim = system();
    const hold = sim.fileSystem('C:').hold({ path: '\\f.txt', MajorFunction: IRP_MJ_READ });
    const first = newOverlapped(0);
    const second = newOverlapped(4);
    const app = sim.spawn('app', function* () {
      const h = yield* open(sim, false);
      const issued = [yield* sim.io.ReadFile(h, 4, first), yield* sim.io.ReadFile(h, 4, second)];
      expect(hold.held.map((r) => r.operation)).toEqual(['D2', 'D3']);
      yield* sim.io.CancelIoEx(h, first);
      hold.release();
      const results = [(yield* sim.io.GetOverlappedResult(h, first, true)).status, (yield* sim.io.GetOverlappedResult(h, second, true))];
      yield* sim.io.NtClose(h);
      return { issued, results };
    });
    sim.run();
    const { issued, results } = app.result as { issued: number[]; results: [number, { status: number; output: Uint8Array }] };
    expect(issued).toEqual([STATUS_PENDING, STATUS_PENDING]);
    expect(results[0]).toBe(STATUS_CANCELLED);
    expect(results[1].status).toBe(STATUS_SUCCESS);
    expect(new TextDecoder().decode(results[1].output)).toBe('4567');
    expect(compactTrace(sim.log, { types: ['FsPending', 'IoSetCancelRoutine', 'IoCancelIrp', 'CancelRoutineCleared', 'FsComplete'] })).toEqual([
      'D1(CREATE \\f.txt) FsComplete status=STATUS_SUCCESS information=FILE_OPENED',
      'D2(READ \\f.txt) FsPending held',
      'J1 IoSetCancelRoutine op=D2 routine=FileSystem',
      'D3(READ \\f.txt) FsPending held',
      'J2 IoSetCancelRoutine op=D3 routine=FileSystem',
      `J1 IoCancelIrp op=D2 by=CancelIoEx thread=${app.id} routine called`,
      'J2 CancelRoutineCleared op=D3 routine=FileSystem by=FileSystem',
      'D2(READ \\f.txt) FsComplete status=STATUS_CANCELLED information=0',
      'D3(READ \\f.txt) FsComplete status=STATUS_SUCCESS information=4',
      'D4(CLEANUP \\f.txt) FsComplete status=STATUS_SUCCESS information=0',
      'D5(CLOSE \\f.txt) FsComplete status=STATUS_SUCCESS information=0',
    ]);
    expect(checkCancelInvariants(sim.log)).toEqual([]);
  });

  it('IRP_MJ_CLEANUP: the file system takes back the cancel routine of each request it holds for that file object and completes it with STATUS_CANCELLED; another file object\'s stays held (§19.2)', () => {
    const sim = system();
    const hold = sim.fileSystem('C:').hold({ path: '\\f.txt', MajorFunction: IRP_MJ_READ });
    const mine = newOverlapped(0);
    const other = newOverlapped(0);
    const app = sim.spawn('app', function* () {
      const h = yield* open(sim, false);
      const h2 = yield* open(sim, false);
      const issued = [yield* sim.io.ReadFile(h, 4, mine), yield* sim.io.ReadFile(h2, 4, other)];
      // The last handle of the first file object goes: IRP_MJ_CLEANUP, while its read is held.
      yield* sim.io.NtClose(h);
      const held = hold.held.map((r) => r.operation);
      hold.release();
      const second = (yield* sim.io.GetOverlappedResult(h2, other, true)).status;
      yield* sim.io.NtClose(h2);
      return { issued, held, second };
    });
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toEqual({ issued: [STATUS_PENDING, STATUS_PENDING], held: ['D4'], second: STATUS_SUCCESS });
    expect(mine.Internal).toBe(STATUS_CANCELLED);
    expect(compactTrace(sim.log, { types: ['IoStart', 'IoSetCancelRoutine', 'CancelRoutineCleared', 'FsComplete', 'IoComplete'] }).filter((l) => /D3|D5|J1/.test(l))).toEqual([
      expect.stringMatching(/^D3\(READ \\f\.txt\) IoStart IRP_MJ_READ file=O1/),
      'J1 IoSetCancelRoutine op=D3 routine=FileSystem',
      expect.stringMatching(/^D5\(CLEANUP \\f\.txt\) IoStart IRP_MJ_CLEANUP file=O1/),
      'J1 CancelRoutineCleared op=D3 routine=FileSystem by=IRP_MJ_CLEANUP',
      'D5(CLEANUP \\f.txt) FsComplete status=STATUS_SUCCESS information=0',
      'D5(CLEANUP \\f.txt) IoComplete status=STATUS_SUCCESS information=0',
      'D3(READ \\f.txt) FsComplete status=STATUS_CANCELLED information=0',
      'D3(READ \\f.txt) IoComplete status=STATUS_CANCELLED information=0',
    ]);
    expect(checkCancelInvariants(sim.log)).toEqual([]);
    expect(sim.state().violations).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('an application thread that exits with an overlapped read outstanding cancels it (IoCancelThreadIo) and ends only after its completion (§19.1)', () => {
    const sim = system();
    sim.fileSystem('C:').hold({ path: '\\f.txt', MajorFunction: IRP_MJ_READ });
    const overlapped = newOverlapped(0);
    let handle = '';
    const app = sim.spawn('app', function* () {
      handle = yield* open(sim, false);
      return yield* sim.io.ReadFile(handle, 4, overlapped);
    });
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toBe(STATUS_PENDING);
    expect(overlapped.Internal).toBe(STATUS_CANCELLED);
    expect(compactTrace(sim.log, { types: ['IoSetCancelRoutine', 'IoCancelIrp', 'FsComplete', 'IoComplete', 'ThreadExit'] }).filter((l) => /D2|J1|app/.test(l))).toEqual([
      'J1 IoSetCancelRoutine op=D2 routine=FileSystem',
      `J1 IoCancelIrp op=D2 by=ThreadExit thread=${app.id} routine called`,
      'D2(READ \\f.txt) FsComplete status=STATUS_CANCELLED information=0',
      'D2(READ \\f.txt) IoComplete status=STATUS_CANCELLED information=0',
      expect.stringMatching(/^T\d+\(IoCompletion\(D2\)\) ThreadExit/),
      `${app.id}(app) ThreadExit result=STATUS_PENDING`,
    ]);
    // The handle outlives the thread (it is the process's): closing it later sends cleanup and close as usual.
    sim.spawn('closer', () => sim.io.NtClose(handle));
    expect(sim.run().reason).toBe('idle');
    expect(checkCancelInvariants(sim.log)).toEqual([]);
    expect(sim.state().violations).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('a request nobody completes keeps the exiting thread five minutes, then the thread goes without it (§19.1)', () => {
    const sim = system({
      // Pends every read and never completes it, cancel routine or not: a filter bug, not the thread's.
      'sink@300000': () => ({ OperationRegistration: operations([IRP_MJ_READ], { PreOperation: () => FLT_PREOP_PENDING }) }),
    });
    const overlapped = newOverlapped(0);
    const app = sim.spawn('app', function* () {
      const h = yield* open(sim, false);
      return yield* sim.io.ReadFile(h, 4, overlapped);
    });
    const outcome = sim.run();
    expect(app.result).toBe(STATUS_PENDING);
    expect(overlapped.Internal).toBe(STATUS_PENDING);
    const exit = sim.log.find((f) => f.type === 'ThreadExit' && f.object === app.id)!;
    const cancel = sim.log.find((f) => f.type === 'IoCancelIrp')!;
    expect(cancel).toMatchObject({ operation: 'D2', by: 'ThreadExit', routineCalled: false });
    expect(exit.time - cancel.time).toBe(5 * 60 * 1000);
    expect(outcome.reason).toBe('idle');
    expect(checkCancelInvariants(sim.log)).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('a cancel before the request becomes cancellable leaves the bit set; the file system then completes it as cancelled at once (§19.1)', () => {
    const seen: boolean[] = [];
    const sim = system({
      'watcher@300000': (s) => ({
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: function* (data) {
            // The application cancels while this pre-op runs: only the bit is set (§19.2).
            yield* sleep(10);
            seen.push(FltIsIoCanceled(data));
            void s;
            return FLT_PREOP_SUCCESS_NO_CALLBACK;
          },
        }),
      }),
    });
    sim.fileSystem('C:').hold({ MajorFunction: IRP_MJ_READ });
    let reader = '';
    const app = sim.spawn('app', function* () {
      reader = sim.currentThread()!;
      const h = yield* open(sim, true);
      const r = yield* sim.io.NtReadFile(h, 4, 0);
      yield* sim.io.NtClose(h);
      return r.status;
    });
    const canceller = sim.spawn('canceller', function* () {
      yield* sleep(5);
      yield* sim.io.CancelSynchronousIo(reader);
    });
    sim.run();
    expect(seen).toEqual([true]);
    expect(app.result).toBe(STATUS_CANCELLED);
    expect(compactTrace(sim.log, { types: ['IoCancelIrp', 'IoSetCancelRoutine', 'FsComplete'] }).slice(1, 4)).toEqual([
      `J1 IoCancelIrp op=D2 by=CancelSynchronousIo thread=${canceller.id}`,
      'J1 IoSetCancelRoutine op=D2 routine=FileSystem',
      'D2(READ \\f.txt) FsComplete status=STATUS_CANCELLED information=0',
    ]);
  });
});

describe('FltCancellableWaitForSingleObject (§18.3)', () => {
  it('returns STATUS_CANCELLED when the operation it waits for is cancelled, STATUS_TIMEOUT without a cancel', () => {
    const statuses: number[] = [];
    const never = new KEVENT('never set');
    const sim = system({
      'scanner@300000': () => ({
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: function* (data: FLT_CALLBACK_DATA) {
            yield* KeInitializeEvent(never, NotificationEvent, false);
            statuses.push(yield* FltCancellableWaitForSingleObject(never, relativeTicks(100), data));
            return FLT_PREOP_SUCCESS_NO_CALLBACK;
          },
        }),
      }),
    });
    let reader = '';
    sim.spawn('app', function* () {
      reader = sim.currentThread()!;
      const h = yield* open(sim, true);
      yield* sim.io.NtReadFile(h, 4, 0);
      yield* sim.io.NtReadFile(h, 4, 0);
      yield* sim.io.NtClose(h);
    });
    sim.spawn('canceller', function* () {
      yield* sleep(5);
      yield* sim.io.CancelSynchronousIo(reader);
    });
    sim.run();
    expect(statuses).toEqual([STATUS_CANCELLED, STATUS_TIMEOUT]);
    expect(compactTrace(sim.log, { types: ['KeWaitReturned'] })).toEqual([
      'T2(app) KeWaitReturned FltCancellableWaitForSingleObject status=STATUS_CANCELLED',
      'T2(app) KeWaitReturned FltCancellableWaitForSingleObject status=STATUS_TIMEOUT',
    ]);
  });

  it('without CallbackData it is a plain wait: the event ends it', () => {
    const event = new KEVENT('work');
    const sim = createSimulation();
    const waiter = sim.spawn('waiter', function* () {
      yield* KeInitializeEvent(event, SynchronizationEvent, false);
      return yield* FltCancellableWaitForSingleObject(event, null, null);
    });
    sim.spawn('setter', function* () {
      yield* sleep(3);
      yield* KeSetEvent(event, 0, false);
    });
    sim.run();
    expect(waiter.result).toBe(STATUS_SUCCESS);
  });
});

describe('FltCancelIo on I/O the filter issued (§19.1)', () => {
  it('an asynchronous read the file system holds: FltCancelIo returns TRUE, the callback sees STATUS_CANCELLED once; a second FltCancelIo finds it completed', () => {
    let scanner: FLT_RELATED_OBJECTS | null = null;
    const sim = system();
    installFilter(sim, { name: 'scanner', altitude: '300000', registration: { InstanceSetupCallback: (o) => ((scanner = o), STATUS_SUCCESS) } });
    sim.run();
    sim.fileSystem('C:').hold({ path: '\\f.txt', MajorFunction: IRP_MJ_READ });
    const events: string[] = [];
    sim.spawn('scan', function* () {
      const o = scanner!;
      const r = yield* FltCreateFileEx(o.Filter, o.Instance, FILE_GENERIC_READ, { ObjectName: 'C:\\f.txt' }, 0, 0, FILE_SHARE_READ, FILE_OPEN);
      const { data } = FltAllocateCallbackData(o.Instance, r.FileObject!);
      data!.Iopb.MajorFunction = IRP_MJ_READ;
      data!.Iopb.Parameters = { Read: { Length: 4, Key: 0, ByteOffset: 0 } };
      const issued = yield* FltPerformAsynchronousIo(data!, (d) => void events.push(`callback ${ntStatusName(d.IoStatus.Status)}`), null);
      events.push(`issued ${ntStatusName(issued)}`);
      events.push(`FltCancelIo ${String(yield* FltCancelIo(data!))}`);
      while (!events.some((e) => e.startsWith('callback'))) yield* sleep(1);
      events.push(`again ${String(yield* FltCancelIo(data!))}`);
      FltFreeCallbackData(data!);
      yield* FltClose(r.FileHandle!);
      yield* ObDereferenceObject(r.FileObject!);
    });
    sim.run();
    expect(events).toEqual(['issued STATUS_PENDING', 'FltCancelIo true', 'callback STATUS_CANCELLED', 'again false']);
    expect(compactTrace(sim.log, { types: ['IoSetCancelRoutine', 'IoCancelIrp', 'IoCompleteRequest'] })).toEqual([
      'J1 IoSetCancelRoutine op=D2 routine=FileSystem',
      'J1 IoCancelIrp op=D2 by=FltCancelIo thread=T2 routine called',
      'J1 IoCompleteRequest op=D2 status=STATUS_CANCELLED',
    ]);
    expect(sim.state().violations).toEqual([]);
    expect(checkCancelInvariants(sim.log)).toEqual([]);
  });
});
