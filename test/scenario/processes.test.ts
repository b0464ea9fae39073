// §23.1: simulated processes own application threads; the requestor of an operation is the process
// of the thread that issued it (FltGetRequestorProcess[Id], IoThreadToProcess), while
// PsGetCurrentProcessId reads whatever thread runs the callback — a worker's in a post-op.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FltGetRequestorProcess,
  FltGetRequestorProcessId,
  FltGetRequestorProcessIdEx,
  foldLog,
  IoThreadToProcess,
  IRP_MJ_CREATE,
  IRP_MJ_READ,
  PsGetProcessId,
  PsGetThreadId,
  SYSTEM_PID,
  UsageError,
  type PEPROCESS,
  type Simulation,
  type SimulationOptions,
} from '../../src/index.js';
import { compactTrace, installFilter, operations } from '../../src/testing/index.js';

function* readOnce(sim: Simulation) {
  const open = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
  yield* sim.io.NtReadFile(open.handle!, 4, 0);
  yield* sim.io.NtClose(open.handle!);
}

/** A filter that records, per read callback, the requestor and the current process. */
function system(options: SimulationOptions = {}) {
  const sim = createSimulation({ onViolation: 'record', ...options });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.txt', '0123456789');
  const log: string[] = [];
  installFilter(sim, {
    name: 'mon',
    altitude: '370000',
    registration: {
      OperationRegistration: operations([IRP_MJ_READ], {
        PreOperation: (Data) => {
          log.push(`pre: requestor ${FltGetRequestorProcessId(Data)} (${IoThreadToProcess(Data.Thread!).ImageFileName}), current ${sim.PsGetCurrentProcessId()}, tid ${sim.PsGetCurrentThreadId()}`);
          expect(PsGetThreadId(Data.Thread!)).toBe(sim.PsGetCurrentThreadId());
          return FLT_PREOP_SUCCESS_WITH_CALLBACK;
        },
        PostOperation: (Data) => {
          log.push(`post: requestor ${FltGetRequestorProcessIdEx(Data)}, current ${sim.PsGetCurrentProcessId()} (${sim.PsGetCurrentProcess().ImageFileName})`);
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      }),
    },
  });
  sim.run();
  return { sim, log };
}

describe('requestor process (§23.1)', () => {
  it('an application thread without a process of its own belongs to the default application process (PID 1000)', () => {
    const { sim, log } = system();
    const app = sim.spawn('app', () => readOnce(sim));
    expect(sim.run().reason).toBe('idle');
    const tid = 4 * Number(app.id.slice(1));
    expect(log).toEqual([`pre: requestor 1000 (application.exe), current 1000, tid ${tid}`, 'post: requestor 1000, current 1000 (application.exe)']);
    expect(sim.state().threads[app.id]!.process).toBe('P1');
    expect(sim.state().processes).toEqual({ P0: { name: 'System', pid: SYSTEM_PID, state: 'Running' }, P1: { name: 'application.exe', pid: 1000, state: 'Running' } });
    // Kernel threads (DriverEntry here) belong to System.
    expect(sim.state().threads['T1']).toMatchObject({ name: 'DriverEntry(mon)', process: 'P0' });
  });

  it('a post-op on an I/O completion thread sees the requestor’s PID from FltGetRequestorProcessId but System from PsGetCurrentProcessId', () => {
    const { sim, log } = system({ fileSystemCompletion: 'deferred' });
    const word = sim.createProcess('word.exe');
    sim.spawn('word', () => readOnce(sim), { process: word });
    expect(sim.run().reason).toBe('idle');
    expect(log[1]).toBe(`post: requestor ${PsGetProcessId(word)}, current ${SYSTEM_PID} (System)`);
  });

  it("scanner's test: its own user process's opens are let through unscanned (IoThreadToProcess(Data->Thread) == ScannerUserProcess)", () => {
    const sim = createSimulation({ onViolation: 'record' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\f.txt', 'x');
    let scannerUserProcess: PEPROCESS | null = null;
    const scanned: string[] = [];
    installFilter(sim, {
      name: 'scanner',
      altitude: '265000',
      registration: {
        OperationRegistration: [
          {
            MajorFunction: IRP_MJ_CREATE,
            PreOperation: (Data) => (IoThreadToProcess(Data.Thread!) === scannerUserProcess ? FLT_PREOP_SUCCESS_NO_CALLBACK : FLT_PREOP_SUCCESS_WITH_CALLBACK),
            PostOperation: (Data) => (scanned.push(FltGetRequestorProcess(Data)!.ImageFileName), FLT_POSTOP_FINISHED_PROCESSING),
          },
        ],
      },
    });
    sim.run();
    scannerUserProcess = sim.createProcess('scanuser.exe');
    sim.spawn('scanuser', () => readOnce(sim), { process: scannerUserProcess });
    sim.spawn('notepad', () => readOnce(sim));
    expect(sim.run().reason).toBe('idle');
    expect(scanned).toEqual(['application.exe']);
  });
});

describe('process lifecycle', () => {
  it('ProcessCreate, threads in it, ProcessExit when the last one exits; a new thread in an exited process is a usage error', () => {
    const sim = createSimulation();
    const p = sim.createProcess('tool.exe');
    const a = sim.spawn('a', function* () {
      return 0;
    }, { process: p });
    sim.spawn('b', function* () {
      yield* sim.join(a);
      return 0;
    }, { process: p });
    expect(sim.run().reason).toBe('idle');
    expect(compactTrace(sim.log, { types: ['ProcessCreate', 'ThreadCreate', 'ProcessExit'] })).toEqual([
      'P2(tool.exe) ProcessCreate name=tool.exe pid=1004 token=S-1-5-21-1000-1000-1000-1001',
      'T1(a) ThreadCreate name="a" process=P2:tool.exe',
      'T2(b) ThreadCreate name="b" process=P2:tool.exe',
      'P2(tool.exe) ProcessExit status=STATUS_SUCCESS',
    ]);
    expect(sim.state().processes['P2']).toEqual({ name: 'tool.exe', pid: 1004, state: 'Exited' });
    expect(foldLog(sim.log)).toEqual(sim.state());
    expect(() => sim.spawn('late', function* () {}, { process: p })).toThrow(UsageError);
    expect(() => sim.PsGetCurrentProcessId()).toThrow(UsageError);
  });
});
