/**
 * Issue 10's "everywhere" property, the system: random filters on a random stack that issue random
 * generated I/O from every callback where a real filter may block — every pre-operation, and the
 * synchronized post-operations (post-create, and any post-op whose pre-op returned SYNCHRONIZE:
 * post-read, post-query, post-cleanup) — on the operation's own file object (the scanner's read in
 * post-create, the delete sample's query in post-cleanup) and on files they open themselves; some
 * post-creates refuse the open with FltCancelFileOpen. Applications open, read, query and close
 * random files, and sometimes a filter unloads meanwhile. Everything the filters do is legal, so a
 * run must end idle with no finding at all.
 */
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_INFORMATION_CLASS,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET,
  FLTFL_IO_OPERATION_NON_CACHED,
  FLTFL_POST_OPERATION_DRAINING,
  FltCancelFileOpen,
  FltClose,
  FltCreateFileEx,
  FltQueryInformationFile,
  FltReadFile,
  IO_IGNORE_SHARE_ACCESS_CHECK,
  IRP_MJ_CLEANUP,
  IRP_MJ_CREATE,
  IRP_MJ_QUERY_INFORMATION,
  IRP_MJ_READ,
  NT_SUCCESS,
  ObDereferenceObject,
  Random,
  sleep,
  STATUS_ACCESS_DENIED,
  STATUS_REPARSE,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_RELATED_OBJECTS,
  type PFILE_OBJECT,
  type Simulation,
} from '../../src/index.js';
import { expect } from 'vitest';
import { foldLog } from '../../src/index.js';
import { invariantViolation, idleLivenessViolation } from '../../src/explore/check.js';
import { installFilter, operations } from '../../src/testing/index.js';

const FILES = ['\\a.txt', '\\b.txt', '\\dir\\c.txt', '\\missing.txt'];

/** Generated I/O from inside a callback: on the operation's own file object when it is open, or on a file of the filter's own. */
function* callbackIo(r: Random, o: FLT_RELATED_OBJECTS, own: PFILE_OBJECT | null): Blocking<void> {
  const what = r.nextInt(4);
  if (what === 0) return;
  if (own !== null && what === 1) {
    // scanner.c: read the first bytes of the file being opened, non-cached, without moving its position.
    yield* FltReadFile(o.Instance, own, 0, 16, new Uint8Array(16), FLTFL_IO_OPERATION_NON_CACHED | FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET);
    return;
  }
  if (own !== null && what === 2) {
    // delete.c: what is the file's state now?
    yield* FltQueryInformationFile(o.Instance, own, 24, FILE_INFORMATION_CLASS.FileStandardInformation);
    return;
  }
  const open = yield* FltCreateFileEx(o.Filter, o.Instance, FILE_GENERIC_READ, { ObjectName: `C:${FILES[r.nextInt(FILES.length)]!}` }, 0, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0, null, 0, IO_IGNORE_SHARE_ACCESS_CHECK);
  if (open.FileObject === null) return;
  yield* FltReadFile(o.Instance, open.FileObject, 0, 8, new Uint8Array(8));
  yield* FltClose(open.FileHandle!);
  yield* ObDereferenceObject(open.FileObject);
}

function randomFilter(sim: Simulation, r: Random, name: string, altitude: string): void {
  const pre = function* (data: FLT_CALLBACK_DATA, o: FLT_RELATED_OBJECTS): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    const major = data.Iopb.MajorFunction;
    // In a pre-create the file object is not open yet; in every other pre-op it is.
    yield* callbackIo(r, o, major === IRP_MJ_CREATE ? null : data.Iopb.TargetFileObject);
    if (major === IRP_MJ_CREATE) return r.nextInt(4) === 0 ? FLT_PREOP_SUCCESS_NO_CALLBACK : FLT_PREOP_SUCCESS_WITH_CALLBACK;
    // Only a synchronized post-op may block, so one that will issue I/O asks for SYNCHRONIZE.
    return r.nextInt(2) === 0 ? FLT_PREOP_SYNCHRONIZE : FLT_PREOP_SUCCESS_NO_CALLBACK;
  };
  const post = function* (data: FLT_CALLBACK_DATA, o: FLT_RELATED_OBJECTS, _context: unknown, flags: number): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
    // A draining post-op must not touch the operation: it is still below (§4, §14 inv. 20).
    if ((flags & FLTFL_POST_OPERATION_DRAINING) !== 0) return FLT_POSTOP_FINISHED_PROCESSING;
    const major = data.Iopb.MajorFunction;
    const opened = major !== IRP_MJ_CREATE || (NT_SUCCESS(data.IoStatus.Status) && data.IoStatus.Status !== STATUS_REPARSE);
    yield* callbackIo(r, o, opened ? data.Iopb.TargetFileObject : null);
    if (major === IRP_MJ_CREATE && opened && r.nextInt(5) === 0) {
      // scanner.c's verdict "infected": cancel the open, fail the create.
      yield* FltCancelFileOpen(o.Instance, data.Iopb.TargetFileObject!);
      data.IoStatus = { Status: STATUS_ACCESS_DENIED, Information: 0 };
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
  };
  installFilter(sim, {
    name,
    altitude,
    registration: { OperationRegistration: operations([IRP_MJ_CREATE, IRP_MJ_READ, IRP_MJ_QUERY_INFORMATION, IRP_MJ_CLEANUP], { PreOperation: pre, PostOperation: post }) },
  });
}

export function callbackIoSystem(seed: number): Simulation {
  const r = Random.fromSeed(seed).split('callback-io-property');
  const sim = createSimulation({
    seed,
    strategy: 'random',
    onViolation: 'record',
    fileSystemCompletion: r.nextInt(2) === 0 ? 'inline' : 'deferred',
    fileSystemLatency: 1 + r.nextInt(3),
  });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  const fs = sim.fileSystem('C:');
  fs.mkdir('\\dir');
  for (const f of FILES.slice(0, 3)) fs.writeFile(f, `contents of ${f}`);
  const names: string[] = [];
  for (let i = 0, n = 1 + r.nextInt(3); i < n; i++) {
    names.push(`f${i}`);
    randomFilter(sim, r.split(`filter ${i}`), `f${i}`, `${10000 + r.nextInt(300000)}.${i}`);
  }
  sim.run();
  for (let i = 0, n = 1 + r.nextInt(3); i < n; i++) {
    const app = r.split(`app ${i}`);
    sim.spawn(`app${i}`, function* () {
      for (let k = 0, m = 1 + app.nextInt(3); k < m; k++) {
        const open = yield* sim.io.NtCreateFile(`C:${FILES[app.nextInt(FILES.length)]!}`, { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE, CreateDisposition: FILE_OPEN });
        if (open.handle === null) continue;
        yield* sim.io.NtReadFile(open.handle, 8, 0);
        yield* sim.io.NtQueryInformationFile(open.handle, FILE_INFORMATION_CLASS.FileStandardInformation, 24);
        yield* sim.io.NtClose(open.handle);
      }
    });
  }
  if (r.nextInt(2) === 0) {
    const victim = names[r.nextInt(names.length)]!;
    const delay = r.nextInt(6);
    sim.spawn('fltmc unload', function* () {
      yield* sleep(delay);
      return yield* sim.FilterUnload(victim);
    });
  }
  return sim;
}

/** Per file object, how many IRP_MJ_CLEANUP and IRP_MJ_CLOSE the file system received. */
export function fsCleanupsAndCloses(sim: Simulation): Map<string, { cleanup: number; close: number }> {
  const target = new Map<string, { fo: string; major: number }>();
  const out = new Map<string, { cleanup: number; close: number }>();
  for (const f of sim.log) {
    if (f.type === 'IoStart' && f.fileObject !== null) target.set(f.object, { fo: f.fileObject, major: f.major });
    else if (f.type === 'FsDispatch') {
      const t = target.get(f.object);
      if (t === undefined || (t.major !== IRP_MJ_CLEANUP && t.major !== 2 /* IRP_MJ_CLOSE */)) continue;
      const counts = out.get(t.fo) ?? { cleanup: 0, close: 0 };
      if (t.major === IRP_MJ_CLEANUP) counts.cleanup++;
      else counts.close++;
      out.set(t.fo, counts);
    }
  }
  return out;
}

/** One run of the property: build, run to the end, check everything the property promises. */
export function checkCallbackIo(seed: number): void {
  const sim = callbackIoSystem(seed);
  const end = sim.run({ maxSteps: 200_000 });
  expect(sim.state().violations, `seed ${seed}`).toEqual([]);
  expect(end.reason, `seed ${seed}`).toBe('idle');
  for (const [fo, counts] of fsCleanupsAndCloses(sim)) {
    expect(counts.cleanup, `seed ${seed}: ${fo} CLEANUPs at the FS`).toBeLessThanOrEqual(1);
    expect(counts.close, `seed ${seed}: ${fo} CLOSEs at the FS`).toBeLessThanOrEqual(1);
  }
  expect(invariantViolation(sim.log), `seed ${seed}`).toBeNull();
  expect(idleLivenessViolation(sim.log), `seed ${seed}`).toBeNull();
  expect(JSON.parse(JSON.stringify(foldLog(sim.log))), `seed ${seed}`).toEqual(JSON.parse(JSON.stringify(sim.state())));
}

