// Issue 10 item 1: I/O on the create's own file object from post-create — the scanner sample's core
// (§11.4, §11.13, §11.18, §14 invariant 15). The I/O manager holds a reference on the file object for
// the whole create, so the file system sees exactly one CLEANUP and one CLOSE per file object: the
// cancel's (below the canceller) or the application's after its handle closes.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  explore,
  FILE_GENERIC_READ,
  FILE_INFORMATION_CLASS,
  FILE_OPEN,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET,
  FLTFL_IO_OPERATION_NON_CACHED,
  FltCancelFileOpen,
  FltQueryInformationFile,
  FltReadFile,
  IRP_MJ_CLEANUP,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_QUERY_INFORMATION,
  IRP_MJ_READ,
  NT_SUCCESS,
  STATUS_ACCESS_DENIED,
  STATUS_SUCCESS,
  type Blocking,
  type Explorable,
  type Fact,
  type FLT_CALLBACK_DATA,
  type FLT_RELATED_OBJECTS,
  type FLT_POSTOP_CALLBACK_STATUS,
  type Monitor,
  type PFILE_OBJECT,
  type PFLT_INSTANCE,
  type Simulation,
  type SimulationOptions,
} from '../../src/index.js';
import { installFilter, operations } from '../../src/testing/index.js';

const NAMES: Record<number, string> = { [IRP_MJ_CREATE]: 'create', [IRP_MJ_READ]: 'read', [IRP_MJ_QUERY_INFORMATION]: 'query', [IRP_MJ_CLEANUP]: 'cleanup', [IRP_MJ_CLOSE]: 'close' };
const WATCHED = [IRP_MJ_CREATE, IRP_MJ_READ, IRP_MJ_QUERY_INFORMATION, IRP_MJ_CLEANUP, IRP_MJ_CLOSE];

/** What the file system was asked, per file object, in order: the spy at the bottom of the stack. */
function fileSystemRequests(log: readonly Fact[]): string[] {
  const start = new Map<string, { major: number; fileObject: string }>();
  const out: string[] = [];
  for (const f of log) {
    if (f.type === 'IoStart' && f.fileObject !== null) start.set(f.object, { major: f.major, fileObject: f.fileObject });
    if (f.type === 'FsDispatch') {
      const op = start.get(f.object)!;
      out.push(`${NAMES[op.major] ?? op.major} ${op.fileObject}`);
    }
  }
  return out;
}

/** §14 invariant 15 and issue 10: at most one CLEANUP and one CLOSE per file object at the file system. */
const oneCleanupOneClosePerFileObject: Monitor = (facts) => {
  const seen = new Map<string, number>();
  const found = [];
  for (const line of fileSystemRequests(facts)) {
    if (!line.startsWith('cleanup') && !line.startsWith('close')) continue;
    const n = (seen.get(line) ?? 0) + 1;
    seen.set(line, n);
    if (n > 1) found.push({ name: 'ONE_CLEANUP_ONE_CLOSE', seq: facts.length - 1, message: `the file system saw "${line}" ${n} times` });
  }
  return found;
};

type Scan = (instance: PFLT_INSTANCE, fo: PFILE_OBJECT) => Blocking<boolean>;

/** scanner.c's ScannerpScanFileInUserMode, shortened: read the first 1024 bytes non-cached, without moving the file pointer. */
const readAndScan: Scan = function* (instance, fo) {
  const buffer = new Uint8Array(1024);
  const r = yield* FltReadFile(instance, fo, 0, 1024, buffer, FLTFL_IO_OPERATION_NON_CACHED | FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET);
  return NT_SUCCESS(r.status) && new TextDecoder().decode(buffer.subarray(0, r.BytesRead)).includes('EICAR');
};

/** A filter that decides from metadata: FltQueryInformationFile(FileStandardInformation) on the file object. */
const queryAndScan: Scan = function* (instance, fo) {
  const r = yield* FltQueryInformationFile(instance, fo, 24, FILE_INFORMATION_CLASS.FileStandardInformation);
  const info = r.output?.kind === 'fileInformation' ? (r.output.info as { EndOfFile: number }) : null;
  return NT_SUCCESS(r.status) && (info?.EndOfFile ?? 0) > 20;
};

/** ScannerPostCreate: scan in post-create; an infected file gets FltCancelFileOpen and STATUS_ACCESS_DENIED. */
function scannerPostCreate(scan: Scan) {
  return function* (data: FLT_CALLBACK_DATA, objects: FLT_RELATED_OBJECTS): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    if (!NT_SUCCESS(data.IoStatus.Status) || data.IoStatus.Status !== STATUS_SUCCESS) return FLT_POSTOP_FINISHED_PROCESSING;
    if (!(yield* scan(objects.Instance, objects.FileObject!))) return FLT_POSTOP_FINISHED_PROCESSING;
    yield* FltCancelFileOpen(objects.Instance, objects.FileObject!);
    data.IoStatus = { Status: STATUS_ACCESS_DENIED, Information: 0 };
    return FLT_POSTOP_FINISHED_PROCESSING;
  };
}

function watcher(log: string[]) {
  return operations(WATCHED, {
    PreOperation: (d) => (log.push(`pre ${NAMES[d.Iopb.MajorFunction]} ${d.Iopb.TargetFileObject!.id}`), FLT_PREOP_SUCCESS_WITH_CALLBACK),
    PostOperation: (d) => (log.push(`post ${NAMES[d.Iopb.MajorFunction]} ${d.Iopb.TargetFileObject!.id} ${d.IoStatus.Status === 0 ? 'ok' : d.IoStatus.Status.toString(16)}`), FLT_POSTOP_FINISHED_PROCESSING),
  });
}

function scannerSystem(scan: Scan, options: SimulationOptions = {}) {
  const sim = createSimulation({ onViolation: 'record', ...options });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\clean.txt', 'hello');
  sim.fileSystem('C:').writeFile('\\eicar.com', 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!');
  const above: string[] = [];
  const below: string[] = [];
  installFilter(sim, { name: 'activity', altitude: '385000', registration: { OperationRegistration: watcher(above) } });
  installFilter(sim, { name: 'scanner', altitude: '265000', registration: { OperationRegistration: operations([IRP_MJ_CREATE], { PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK, PostOperation: scannerPostCreate(scan) }) } });
  installFilter(sim, { name: 'encryption', altitude: '145000', registration: { OperationRegistration: watcher(below) } });
  sim.run();
  return { sim, above, below };
}

function* openReadClose(sim: Simulation, path: string): Blocking<number> {
  const open = yield* sim.io.NtCreateFile(path, { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN });
  if (open.handle === null) return open.status;
  yield* sim.io.NtReadFile(open.handle, 5, 0);
  yield* sim.io.NtClose(open.handle);
  return open.status;
}

describe('the scanner pattern: FltReadFile on FltObjects->FileObject in post-create (§11.4, §11.13)', () => {
  it('allowed: the application gets its handle; the file system sees create, the scan, the application read, one cleanup and one close', () => {
    const { sim, above, below } = scannerSystem(readAndScan);
    const app = sim.spawn('app', () => openReadClose(sim, 'C:\\clean.txt'));
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toBe(STATUS_SUCCESS);
    expect(fileSystemRequests(sim.log)).toEqual(['create O1', 'read O1', 'read O1', 'cleanup O1', 'close O1']);
    // The scan is generated by the scanner: the filter above never sees it, the one below does.
    expect(above).toEqual(['pre create O1', 'post create O1 ok', 'pre read O1', 'post read O1 ok', 'pre cleanup O1', 'post cleanup O1 ok', 'pre close O1', 'post close O1 ok']);
    expect(below).toEqual(['pre create O1', 'post create O1 ok', 'pre read O1', 'post read O1 ok', 'pre read O1', 'post read O1 ok', 'pre cleanup O1', 'post cleanup O1 ok', 'pre close O1', 'post close O1 ok']);
    expect(sim.state().violations).toEqual([]);
    expect(sim.state().fileObjects).toEqual({});
  });

  it('denied: the create fails with ACCESS_DENIED above; below the scanner the read, then exactly one cleanup and one close, after the create completed', () => {
    const { sim, above, below } = scannerSystem(readAndScan);
    const app = sim.spawn('app', () => openReadClose(sim, 'C:\\eicar.com'));
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toBe(STATUS_ACCESS_DENIED);
    expect(fileSystemRequests(sim.log)).toEqual(['create O1', 'read O1', 'cleanup O1', 'close O1']);
    expect(above).toEqual(['pre create O1', 'post create O1 c0000022']);
    expect(below).toEqual(['pre create O1', 'post create O1 ok', 'pre read O1', 'post read O1 ok', 'pre cleanup O1', 'post cleanup O1 ok', 'pre close O1', 'post close O1 ok']);
    const order = sim.log.filter((f) => f.type === 'IoComplete' || f.type === 'FileObjectClose').map((f) => `${f.type} ${f.object}`);
    expect(order).toEqual(['IoComplete D2', 'IoComplete D3', 'IoComplete D1', 'IoComplete D4', 'FileObjectClose O1']);
    expect(sim.state().violations).toEqual([]);
    expect(sim.state().fileObjects).toEqual({});
  });

  it('FltQueryInformationFile on the file object in post-create, allowed and denied alike: one cleanup and one close (§11.18)', () => {
    const { sim } = scannerSystem(queryAndScan);
    const clean = sim.spawn('app 1', () => openReadClose(sim, 'C:\\clean.txt'));
    expect(sim.run().reason).toBe('idle');
    const infected = sim.spawn('app 2', () => openReadClose(sim, 'C:\\eicar.com'));
    expect(sim.run().reason).toBe('idle');
    expect([clean.result, infected.result]).toEqual([STATUS_SUCCESS, STATUS_ACCESS_DENIED]);
    expect(fileSystemRequests(sim.log)).toEqual(['create O1', 'query O1', 'read O1', 'cleanup O1', 'close O1', 'create O2', 'query O2', 'cleanup O2', 'close O2']);
    expect(sim.state().violations).toEqual([]);
  });

  it('an asynchronous scan still in flight when the create fails holds the file object: the close follows the read, once', () => {
    const sim = createSimulation({ onViolation: 'record', fileSystemCompletion: 'deferred' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\eicar.com', 'EICAR');
    installFilter(sim, {
      name: 'scanner',
      altitude: '265000',
      registration: {
        OperationRegistration: operations([IRP_MJ_CREATE], {
          PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
          PostOperation: function* (data, objects) {
            if (!NT_SUCCESS(data.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING;
            // Read-ahead for a later scan: asynchronous, and the create is refused before it completes.
            yield* FltReadFile(objects.Instance, objects.FileObject!, 0, 512, new Uint8Array(512), FLTFL_IO_OPERATION_NON_CACHED, () => undefined, null);
            yield* FltCancelFileOpen(objects.Instance, objects.FileObject!);
            data.IoStatus = { Status: STATUS_ACCESS_DENIED, Information: 0 };
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        }),
      },
    });
    sim.run();
    const app = sim.spawn('app', () => openReadClose(sim, 'C:\\eicar.com'));
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toBe(STATUS_ACCESS_DENIED);
    expect(fileSystemRequests(sim.log)).toEqual(['create O1', 'read O1', 'cleanup O1', 'close O1']);
    // D1 the create, D2 the read, D3 the cancel's cleanup, D4 the close: sent only once the read let go.
    const ends = sim.log.filter((f) => (f.type === 'IoComplete' && f.object !== 'D4') || (f.type === 'IoStart' && f.major === IRP_MJ_CLOSE));
    expect(ends.map((f) => `${f.type} ${f.object}`)).toEqual(['IoComplete D3', 'IoComplete D1', 'IoComplete D2', 'IoStart D4']);
    expect(sim.state().violations).toEqual([]);
    expect(sim.state().fileObjects).toEqual({});
  });
});

/** Two applications open a clean and an infected file while the scanner reads each in post-create. */
const scannerRace: Explorable = {
  id: 'scanner-post-create',
  options: { onViolation: 'record' },
  build(sim) {
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\clean.txt', 'hello');
    sim.fileSystem('C:').writeFile('\\eicar.com', 'EICAR test file');
    installFilter(sim, { name: 'activity', altitude: '385000', registration: { OperationRegistration: watcher([]) } });
    installFilter(sim, { name: 'scanner', altitude: '265000', registration: { OperationRegistration: operations([IRP_MJ_CREATE], { PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK, PostOperation: scannerPostCreate(readAndScan) }) } });
    installFilter(sim, { name: 'encryption', altitude: '145000', registration: { OperationRegistration: watcher([]) } });
    sim.spawn('app 1', () => openReadClose(sim, 'C:\\clean.txt'));
    sim.spawn('app 2', () => openReadClose(sim, 'C:\\eicar.com'));
    sim.spawn('app 3', () => openReadClose(sim, 'C:\\eicar.com'));
  },
};

describe('the scanner pattern under exploration (§14)', () => {
  for (const strategy of ['random', 'pct'] as const) {
    it(`${strategy}: every schedule keeps the §14 invariants, no verifier finding, one cleanup and one close per file object`, () => {
      const r = explore(scannerRace, { strategy, seed: 1, schedules: 40, monitors: [oneCleanupOneClosePerFileObject], shrink: false });
      expect(r.violation).toBeNull();
      expect(r.schedules).toBe(40);
    });
  }
});
