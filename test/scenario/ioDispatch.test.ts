// §8 dispatch: the order of pre and post callbacks, and what each pre-op result does.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO,
  IRP_MJ_READ,
  IRP_PAGING_IO,
  STATUS_ACCESS_DENIED,
  STATUS_SUCCESS,
  VerifierError,
  type FLT_CALLBACK_DATA,
  type FLT_PREOP_CALLBACK_STATUS,
  type Simulation,
} from '../../src/index.js';
import { compactTrace, installFilter, operations } from '../../src/testing/index.js';

/** A stack of filters at the given altitudes, each doing `pre` on IRP_MJ_READ; C:\f.txt holds "0123456789". */
function readStack(pres: Record<string, (data: FLT_CALLBACK_DATA) => FLT_PREOP_CALLBACK_STATUS>, options: { flags?: number } = {}) {
  const sim = createSimulation();
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.txt', '0123456789');
  for (const [name, pre] of Object.entries(pres)) {
    const altitude = name.split('@')[1]!;
    installFilter(sim, {
      name: name.split('@')[0]!,
      altitude,
      registration: {
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: (data) => pre(data),
          PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
          ...(options.flags === undefined ? {} : { Flags: options.flags }),
        }),
      },
    });
  }
  sim.run();
  return sim;
}

function* openAndRead(sim: Simulation, irpFlags = 0) {
  const open = yield* sim.io.NtCreateFile('C:\\f.txt', {
    DesiredAccess: FILE_GENERIC_READ,
    ShareAccess: FILE_SHARE_READ,
    CreateDisposition: FILE_OPEN,
    CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT,
  });
  const read = yield* sim.io.NtReadFile(open.handle!, 4, 0, irpFlags);
  yield* sim.io.NtClose(open.handle!);
  return read;
}

/** The read's callbacks only, as `pre a`, `post a`, `FS`. */
function readCallbacks(sim: Simulation): string[] {
  const readOps = new Set(sim.log.filter((f) => f.type === 'IoStart' && f.major === IRP_MJ_READ).map((f) => f.object));
  const names = new Map(sim.log.filter((f) => f.type === 'InstanceSetup').map((f) => [f.object, (f as { altitude: string }).altitude]));
  const out: string[] = [];
  for (const f of sim.log) {
    if (!readOps.has(f.object)) continue;
    if (f.type === 'PreOperation') out.push(`pre ${names.get(f.instance)}`);
    else if (f.type === 'PostOperation') out.push(`post ${names.get(f.instance)}`);
    else if (f.type === 'FsDispatch') out.push('FS');
    else if (f.type === 'IoComplete') out.push(`complete ${f.status === 0 ? 'STATUS_SUCCESS' : f.status.toString(16)}`);
  }
  return out;
}

describe('pre- and post-operation order (§8, §14 invariant 2)', () => {
  it('three instances A>B>C, all SUCCESS_WITH_CALLBACK: pre A, pre B, pre C, FS, post C, post B, post A', () => {
    const withCallback = () => FLT_PREOP_SUCCESS_WITH_CALLBACK;
    const sim = readStack({ 'c@100000': withCallback, 'a@300000': withCallback, 'b@200000': withCallback });
    const t = sim.spawn('app', () => openAndRead(sim));
    sim.run();
    expect(t.result).toMatchObject({ status: STATUS_SUCCESS, information: 4 });
    expect(readCallbacks(sim)).toEqual(['pre 300000', 'pre 200000', 'pre 100000', 'FS', 'post 100000', 'post 200000', 'post 300000', 'complete STATUS_SUCCESS']);
  });

  it('SUCCESS_NO_CALLBACK skips that instance\'s post-op and nobody else\'s', () => {
    const sim = readStack({
      'a@300000': () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
      'b@200000': () => FLT_PREOP_SUCCESS_NO_CALLBACK,
      'c@100000': () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
    });
    sim.spawn('app', () => openAndRead(sim));
    sim.run();
    expect(readCallbacks(sim)).toEqual(['pre 300000', 'pre 200000', 'pre 100000', 'FS', 'post 100000', 'post 300000', 'complete STATUS_SUCCESS']);
  });

  it('COMPLETE at B: nothing below sees the read, B\'s own post is not called, A\'s post still runs (invariant 3)', () => {
    const sim = readStack({
      'a@300000': () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
      'b@200000': (data) => {
        data.IoStatus = { Status: STATUS_ACCESS_DENIED, Information: 0 };
        return FLT_PREOP_COMPLETE;
      },
      'c@100000': () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
    });
    const t = sim.spawn('app', () => openAndRead(sim));
    sim.run();
    expect(readCallbacks(sim)).toEqual(['pre 300000', 'pre 200000', 'post 300000', 'complete c0000022']);
    expect(t.result).toMatchObject({ status: STATUS_ACCESS_DENIED, information: 0 });
  });

  it('FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO: paging reads bypass both callbacks of that filter (§2)', () => {
    const sim = readStack({ 'a@300000': () => FLT_PREOP_SUCCESS_WITH_CALLBACK }, { flags: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO });
    sim.spawn('app', () => openAndRead(sim, IRP_PAGING_IO));
    sim.spawn('app2', () => openAndRead(sim));
    sim.run();
    expect(readCallbacks(sim)).toEqual(['FS', 'complete STATUS_SUCCESS', 'pre 300000', 'FS', 'post 300000', 'complete STATUS_SUCCESS']);
  });

  it('a pre-op returning something that is not an FLT_PREOP_CALLBACK_STATUS is a typed error naming the filter, the operation and the log position', () => {
    const sim = readStack({ 'broken@300000': () => 42 as FLT_PREOP_CALLBACK_STATUS });
    sim.spawn('app', () => openAndRead(sim));
    let error: unknown;
    try {
      sim.run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VerifierError);
    const v = error as VerifierError;
    expect(v.rule).toBe('CALLBACK_RETURN_INVALID');
    expect(v.message).toContain('PreOperation of broken (I1) for D2 IRP_MJ_READ returned 42');
    expect(sim.log[v.seq!]).toMatchObject({ type: 'VerifierViolation', object: 'I1' });
  });

  it('the trace of one read reads like the WDK sequence, with what each instance saw', () => {
    const sim = readStack({ 'av@328000': () => FLT_PREOP_SUCCESS_WITH_CALLBACK });
    sim.spawn('app', () => openAndRead(sim));
    sim.run();
    const read = compactTrace(sim.log).filter((l) => l.startsWith('D2('));
    expect(read).toEqual([
      'D2(READ \\f.txt) IoStart IRP_MJ_READ file=O1:\\f.txt flags=IRP_OPERATION UserMode {Offset: 0, Length: 4}',
      'D2(READ \\f.txt) PreOperation instance=I1:av@328000 on C: params=as-issued',
      'D2(READ \\f.txt) PreOperationReturned instance=I1:av@328000 on C: FLT_PREOP_SUCCESS_WITH_CALLBACK',
      'D2(READ \\f.txt) FsDispatch params=as-issued',
      'D2(READ \\f.txt) FsComplete status=STATUS_SUCCESS information=4',
      'D2(READ \\f.txt) PostOperation instance=I1:av@328000 on C: params=as-issued',
      'D2(READ \\f.txt) PostOperationReturned instance=I1:av@328000 on C: FLT_POSTOP_FINISHED_PROCESSING status=STATUS_SUCCESS',
      'D2(READ \\f.txt) IoComplete status=STATUS_SUCCESS information=4',
    ]);
  });
});
