// IoReplaceFileObjectName and the I/O manager's IO_REPARSE (§11.1, §21.11): a pre-create that gives
// the file object a new name and completes with STATUS_REPARSE / Information IO_REPARSE makes the
// I/O manager send a new create for that name from the top of the stack; a filter that reparses
// every create onto itself stops after 63 reparses; the routine refuses a volume open and a file
// object the file system has opened.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_POSTOP_FINISHED_PROCESSING,
  foldLog,
  IO_REPARSE,
  IoReplaceFileObjectName,
  IRP_MJ_CREATE,
  ntStatusName,
  STATUS_REPARSE,
  UsageError,
  type FLT_CALLBACK_DATA,
  type FLT_PREOP_CALLBACK_STATUS,
  type Simulation,
} from '../../src/index.js';
import { installFilter, operations } from '../../src/testing/index.js';

/** C: with \old.txt and \new.txt, a redirecting filter at 300000 and a watcher below it at 100000. */
function world(redirect: (data: FLT_CALLBACK_DATA) => FLT_PREOP_CALLBACK_STATUS): { sim: Simulation; below: string[]; refused: string[] } {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\old.txt', 'old');
  sim.fileSystem('C:').writeFile('\\new.txt', 'new');
  const below: string[] = [];
  const refused: string[] = [];
  installFilter(sim, { name: 'redirector', altitude: '300000', registration: { OperationRegistration: operations([IRP_MJ_CREATE], { PreOperation: (data) => redirect(data) }) } });
  installFilter(sim, {
    name: 'watcher',
    altitude: '100000',
    registration: {
      OperationRegistration: operations([IRP_MJ_CREATE], {
        PreOperation: (data) => (below.push(data.Iopb.TargetFileObject!.FileName), FLT_PREOP_SUCCESS_WITH_CALLBACK),
        PostOperation: (data) => {
          // Once the file system has opened it, the name is the file system's: the routine refuses.
          if (data.IoStatus.Status === 0) refused.push(ntStatusName(IoReplaceFileObjectName(data.Iopb.TargetFileObject!, '\\Device\\HarddiskVolume1\\x', 48)));
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      }),
    },
  });
  return { sim, below, refused };
}

function open(sim: Simulation, path: string): { status: string; data: string } {
  const app = sim.spawn('app', function* () {
    const r = yield* sim.io.NtCreateFile(path, { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN });
    if (r.handle === null) return { status: ntStatusName(r.status), data: '' };
    const read = yield* sim.io.NtReadFile(r.handle, 8, 0);
    yield* sim.io.NtClose(r.handle);
    return { status: ntStatusName(r.status), data: new TextDecoder().decode(read.output!) };
  });
  expect(sim.run().reason).toBe('idle');
  return app.result as { status: string; data: string };
}

describe('IoReplaceFileObjectName and IO_REPARSE (§11.1)', () => {
  it('a pre-create reparse to \\new.txt: only the new name goes below the filter and to the file system, the application reads \\new.txt', () => {
    const { sim, below, refused } = world((data) => {
      if (data.Iopb.TargetFileObject!.FileName !== '\\old.txt') return FLT_PREOP_SUCCESS_NO_CALLBACK;
      const name = '\\Device\\HarddiskVolume1\\new.txt';
      expect(IoReplaceFileObjectName(data.Iopb.TargetFileObject!, name, name.length * 2)).toBe(0);
      data.IoStatus.Status = STATUS_REPARSE;
      data.IoStatus.Information = IO_REPARSE;
      return FLT_PREOP_COMPLETE;
    });
    expect(open(sim, 'C:\\old.txt')).toEqual({ status: 'STATUS_SUCCESS', data: 'new' });
    expect(below).toEqual(['\\new.txt']);
    expect(refused).toEqual(['STATUS_INVALID_PARAMETER']);
    expect(sim.state().violations).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('a filter that reparses every create onto the same name: the I/O manager gives up after 63 reparses with STATUS_REPARSE_POINT_NOT_RESOLVED', () => {
    let creates = 0;
    const { sim, below } = world((data) => {
      creates++;
      const name = '\\Device\\HarddiskVolume1\\old.txt';
      IoReplaceFileObjectName(data.Iopb.TargetFileObject!, name, name.length * 2);
      data.IoStatus.Status = STATUS_REPARSE;
      data.IoStatus.Information = IO_REPARSE;
      return FLT_PREOP_COMPLETE;
    });
    expect(open(sim, 'C:\\old.txt').status).toBe('STATUS_REPARSE_POINT_NOT_RESOLVED');
    expect([creates, below.length]).toEqual([64, 0]);
  });

  it('a name that no volume has fails the open with STATUS_OBJECT_PATH_NOT_FOUND; bad arguments are UsageErrors', () => {
    const { sim } = world((data) => {
      expect(() => IoReplaceFileObjectName(data.Iopb.TargetFileObject!, '\\x', 3)).toThrow(UsageError);
      expect(() => IoReplaceFileObjectName(data.Iopb.TargetFileObject!, '\\x', 8)).toThrow(UsageError);
      IoReplaceFileObjectName(data.Iopb.TargetFileObject!, '\\Device\\Nowhere\\f', 34);
      data.IoStatus.Status = STATUS_REPARSE;
      data.IoStatus.Information = IO_REPARSE;
      return FLT_PREOP_COMPLETE;
    });
    expect(open(sim, 'C:\\old.txt').status).toBe('STATUS_OBJECT_PATH_NOT_FOUND');
  });
});
