// §11.13 FltCancelFileOpen and §11.14 FltReissueSynchronousIo; §14 invariants 14 and 15.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_OPEN_REPARSE_POINT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLTFL_CALLBACK_DATA_REISSUED_IO,
  FLTFL_CALLBACK_DATA_IRP_OPERATION,
  FltCancelFileOpen,
  FltReissueSynchronousIo,
  FltSetCallbackDataDirty,
  IRP_MJ_CLEANUP,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_READ,
  NT_SUCCESS,
  packCreateOptions,
  STATUS_ACCESS_DENIED,
  STATUS_CANCELLED,
  STATUS_REPARSE,
  STATUS_SUCCESS,
  unpackCreateOptions,
  type FLT_CALLBACK_DATA,
  type SimulationOptions,
  FLTFL_CALLBACK_DATA_GENERATED_IO,
} from '../../src/index.js';
import { installFilter, operations } from '../../src/testing/index.js';
import { reissueOnlySynchronized } from '../../src/checkers/generatedInvariants.js';

const NAMES: Record<number, string> = { 0: 'create', 3: 'read', 0x12: 'cleanup', 2: 'close' };
const HSM_TAG = 0x1234;
const HSM_GUID = '{00000000-0000-0000-0000-000000001234}';

function system(upper: Parameters<typeof installFilter>[1]['registration'], options: SimulationOptions = {}) {
  const sim = createSimulation({ onViolation: 'record', ...options });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\secret.txt', 'x');
  const above: string[] = [];
  const below: string[] = [];
  const reissuedFlags: number[] = [];
  const watcher = (log: string[]) =>
    operations([IRP_MJ_CREATE, IRP_MJ_READ, IRP_MJ_CLEANUP, IRP_MJ_CLOSE], {
      PreOperation: (d) => {
        if (d.Flags & FLTFL_CALLBACK_DATA_REISSUED_IO && log === below) reissuedFlags.push(d.Flags);
        log.push(`pre ${NAMES[d.Iopb.MajorFunction]}${d.Flags & FLTFL_CALLBACK_DATA_REISSUED_IO ? ' (reissued)' : ''}`);
        return FLT_PREOP_SUCCESS_WITH_CALLBACK;
      },
      PostOperation: (d) => (log.push(`post ${NAMES[d.Iopb.MajorFunction]} ${d.IoStatus.Status === 0 ? 'ok' : d.IoStatus.Status.toString(16)}`), FLT_POSTOP_FINISHED_PROCESSING),
    });
  installFilter(sim, { name: 'above', altitude: '300000', registration: { OperationRegistration: watcher(above) } });
  installFilter(sim, { name: 'gate', altitude: '200000', registration: upper ?? {} });
  installFilter(sim, { name: 'below', altitude: '100000', registration: { OperationRegistration: watcher(below) } });
  sim.run();
  return { sim, above, below, reissuedFlags };
}

describe('FltCancelFileOpen (§11.13, invariant 15)', () => {
  it('a post-create that refuses the open: below it exactly one cleanup then one close; above it the create fails with Information 0', () => {
    const { sim, above, below } = system({
      OperationRegistration: operations([IRP_MJ_CREATE], {
        PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
        PostOperation: function* (data, objects) {
          if (!NT_SUCCESS(data.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING;
          yield* FltCancelFileOpen(objects.Instance, data.Iopb.TargetFileObject!);
          data.IoStatus = { Status: STATUS_ACCESS_DENIED, Information: 0 };
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      }),
    });
    const app = sim.spawn('app', () => sim.io.NtCreateFile('C:\\secret.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN }));
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toMatchObject({ status: STATUS_ACCESS_DENIED, handle: null });
    expect(below).toEqual(['pre create', 'post create ok', 'pre cleanup', 'post cleanup ok', 'pre close', 'post close ok']);
    expect(above).toEqual(['pre create', 'post create c0000022']);
    expect(sim.state().violations).toEqual([]);
    expect(sim.state().fileObjects).toEqual({});
  });

  it('outside a post-create, or leaving the create successful afterwards, is a verifier error', () => {
    const outside = system({
      OperationRegistration: operations([IRP_MJ_CREATE], {
        PreOperation: function* (data, objects) {
          yield* FltCancelFileOpen(objects.Instance, data.Iopb.TargetFileObject!);
          return FLT_PREOP_SUCCESS_WITH_CALLBACK;
        },
        PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
      }),
    });
    outside.sim.spawn('app', () => outside.sim.io.NtCreateFile('C:\\secret.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN }));
    outside.sim.run();
    expect(outside.sim.state().violations.map((v) => v.rule)).toEqual(['CANCEL_OPEN_OUTSIDE_POST_CREATE']);

    const forgetful = system({
      OperationRegistration: operations([IRP_MJ_CREATE], {
        PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
        PostOperation: function* (data, objects) {
          yield* FltCancelFileOpen(objects.Instance, data.Iopb.TargetFileObject!);
          return FLT_POSTOP_FINISHED_PROCESSING; // forgot to fail the create
        },
      }),
    });
    forgetful.sim.spawn('app', () => forgetful.sim.io.NtCreateFile('C:\\secret.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN }));
    forgetful.sim.run();
    expect(forgetful.sim.state().violations.map((v) => v.rule)).toEqual(['CANCELLED_OPEN_NOT_FAILED']);
  });
});

describe('FltReissueSynchronousIo (§11.14, invariant 14)', () => {
  it('an HSM filter takes over its own reparse point: post-create sees STATUS_REPARSE, reissues with FILE_OPEN_REPARSE_POINT; only instances below see the second create', () => {
    const { sim, above, below, reissuedFlags } = system({
      OperationRegistration: operations([IRP_MJ_CREATE], {
        PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
        PostOperation: function* (data, objects) {
          if (data.IoStatus.Status !== STATUS_REPARSE || data.TagData?.ReparseTag !== HSM_TAG) return FLT_POSTOP_FINISHED_PROCESSING;
          const create = (data.Iopb.Parameters as { Create: { Options: number } }).Create;
          const { CreateDisposition, CreateOptions } = unpackCreateOptions(create.Options);
          data.Iopb.Parameters = { Create: { ...(data.Iopb.Parameters as { Create: object }).Create, Options: packCreateOptions(CreateDisposition, CreateOptions | FILE_OPEN_REPARSE_POINT) } } as FLT_CALLBACK_DATA['Iopb']['Parameters'];
          FltSetCallbackDataDirty(data);
          yield* FltReissueSynchronousIo(objects.Instance, data);
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      }),
    });
    sim.fileSystem('C:').writeFile('\\stub.dat', '');
    sim.fileSystem('C:').setReparsePoint('\\stub.dat', HSM_TAG, HSM_GUID, new Uint8Array([9]));
    const app = sim.spawn('app', function* () {
      const r = yield* sim.io.NtCreateFile('C:\\stub.dat', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN });
      if (r.handle !== null) yield* sim.io.NtClose(r.handle);
      return r.status;
    });
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toBe(STATUS_SUCCESS);
    expect(below.slice(0, 4)).toEqual(['pre create', 'post create 104', 'pre create (reissued)', 'post create ok']);
    // The reissued user create carries REISSUED_IO and the original's flags, not GENERATED_IO (issue 10 item 7).
    const reissue = sim.log.find((f) => f.type === 'FltReissueSynchronousIo')!;
    const start = sim.log.find((f) => f.type === 'IoStart' && f.object === (reissue as { reissue: string }).reissue)!;
    expect((start as { flags: number }).flags).toBe(FLTFL_CALLBACK_DATA_IRP_OPERATION | FLTFL_CALLBACK_DATA_REISSUED_IO);
    expect(reissuedFlags).toEqual([FLTFL_CALLBACK_DATA_IRP_OPERATION | FLTFL_CALLBACK_DATA_REISSUED_IO]);
    expect(above.slice(0, 2)).toEqual(['pre create', 'post create ok']);
    expect(sim.state().violations).toEqual([]);
    // Invariant 14 holds over the log, and the checker would catch a reissue of a non-create.
    expect(reissueOnlySynchronized(sim.log)).toEqual([]);
    const edited = sim.log.map((f) => (f.type === 'IoStart' && f.major === IRP_MJ_CREATE ? { ...f, major: IRP_MJ_READ } : f));
    expect(reissueOnlySynchronized(edited).map((v) => v.invariant)).toContain('14');
  });

  it("semantics.reissuedIoFlags = 'addGenerated' (fltKernel.h's comment): the reissued create also carries GENERATED_IO", () => {
    const hsm = {
      OperationRegistration: operations([IRP_MJ_CREATE], {
        PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
        PostOperation: function* (data: FLT_CALLBACK_DATA, objects: { Instance: Parameters<typeof FltReissueSynchronousIo>[0] }) {
          if (data.IoStatus.Status !== STATUS_REPARSE) return FLT_POSTOP_FINISHED_PROCESSING;
          const create = (data.Iopb.Parameters as { Create: { Options: number } }).Create;
          const { CreateDisposition, CreateOptions } = unpackCreateOptions(create.Options);
          data.Iopb.Parameters = { Create: { ...(data.Iopb.Parameters as { Create: object }).Create, Options: packCreateOptions(CreateDisposition, CreateOptions | FILE_OPEN_REPARSE_POINT) } } as FLT_CALLBACK_DATA['Iopb']['Parameters'];
          FltSetCallbackDataDirty(data);
          yield* FltReissueSynchronousIo(objects.Instance, data);
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      }),
    };
    const { sim, reissuedFlags } = system(hsm, { semantics: { reissuedIoFlags: 'addGenerated' } });
    sim.fileSystem('C:').writeFile('\\stub.dat', '');
    sim.fileSystem('C:').setReparsePoint('\\stub.dat', HSM_TAG, HSM_GUID, new Uint8Array([9]));
    sim.spawn('app', () => sim.io.NtCreateFile('C:\\stub.dat', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN }));
    sim.run();
    expect(reissuedFlags).toEqual([FLTFL_CALLBACK_DATA_IRP_OPERATION | FLTFL_CALLBACK_DATA_GENERATED_IO | FLTFL_CALLBACK_DATA_REISSUED_IO]);
  });

  it('from the post-op of an operation that is not synchronized it is a verifier error', () => {
    const { sim } = system({
      OperationRegistration: operations([IRP_MJ_READ], {
        PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
        PostOperation: function* (data, objects) {
          yield* FltReissueSynchronousIo(objects.Instance, data);
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      }),
    });
    sim.spawn('app', function* () {
      const r = yield* sim.io.NtCreateFile('C:\\secret.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN });
      return yield* sim.io.NtReadFile(r.handle!, 1, 0);
    });
    sim.run();
    expect(sim.state().violations.map((v) => v.rule)).toEqual(['REISSUE_NOT_SYNCHRONIZED']);
  });

  it('on a create cancelled with FltCancelFileOpen it completes with STATUS_CANCELLED and records REISSUE_CANCELLED_OPEN (§11.13, §11.14)', () => {
    const reissued: string[] = [];
    const { sim, above, below } = system({
      OperationRegistration: operations([IRP_MJ_CREATE], {
        PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
        PostOperation: function* (data, objects) {
          if (!NT_SUCCESS(data.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING;
          yield* FltCancelFileOpen(objects.Instance, data.Iopb.TargetFileObject!);
          yield* FltReissueSynchronousIo(objects.Instance, data); // the filter's logic error
          reissued.push(`${data.IoStatus.Status === STATUS_CANCELLED ? 'STATUS_CANCELLED' : data.IoStatus.Status}/${data.IoStatus.Information}`);
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      }),
    });
    const app = sim.spawn('app', () => sim.io.NtCreateFile('C:\\secret.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN }));
    expect(sim.run().reason).toBe('idle');
    expect(reissued).toEqual(['STATUS_CANCELLED/0']);
    expect(app.result).toMatchObject({ status: STATUS_CANCELLED, handle: null });
    // Nothing was sent again: below, the one create, then the cancel's cleanup and close.
    expect(below).toEqual(['pre create', 'post create ok', 'pre cleanup', 'post cleanup ok', 'pre close', 'post close ok']);
    expect(above).toEqual(['pre create', 'post create c0000120']); // STATUS_CANCELLED
    expect(sim.state().violations.map((v) => [v.object, v.rule])).toEqual([['I2', 'REISSUE_CANCELLED_OPEN']]);
    expect(sim.log.filter((f) => f.type === 'FltReissueSynchronousIo')).toEqual([]);
  });
});
