// §7: who sees a parameter edit (§14 invariant 16), and legacy filters in the path (§6).
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FltSetCallbackDataDirty,
  IRP_MJ_CREATE,
  IRP_MJ_READ,
  STATUS_ACCESS_DENIED,
  type FLT_CALLBACK_DATA,
  type Simulation,
} from '../../src/index.js';
import { compactTrace, installFilter, operations } from '../../src/testing/index.js';

const lengthOf = (d: FLT_CALLBACK_DATA): number => (d.Iopb.Parameters as { Read: { Length: number } }).Read.Length;

function editingStack(dirty: boolean) {
  const sim = createSimulation();
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.txt', '0123456789');
  const seen: string[] = [];
  const watch = (name: string) =>
    operations([IRP_MJ_READ], {
      PreOperation: (d) => (seen.push(`pre ${name} Length=${lengthOf(d)}`), FLT_PREOP_SUCCESS_WITH_CALLBACK),
      PostOperation: (d) => (seen.push(`post ${name} Length=${lengthOf(d)}`), FLT_POSTOP_FINISHED_PROCESSING),
    });
  installFilter(sim, { name: 'above', altitude: '300000', registration: { OperationRegistration: watch('above') } });
  installFilter(sim, {
    name: 'editor',
    altitude: '200000',
    registration: {
      OperationRegistration: operations([IRP_MJ_READ], {
        PreOperation: (d) => {
          seen.push(`pre editor Length=${lengthOf(d)}`);
          d.Iopb.Parameters = { Read: { ...(d.Iopb.Parameters as { Read: { Length: number; Key: number; ByteOffset: number } }).Read, Length: 2 } };
          if (dirty) FltSetCallbackDataDirty(d);
          return FLT_PREOP_SUCCESS_WITH_CALLBACK;
        },
        PostOperation: (d) => (seen.push(`post editor Length=${lengthOf(d)}`), FLT_POSTOP_FINISHED_PROCESSING),
      }),
    },
  });
  installFilter(sim, { name: 'below', altitude: '100000', registration: { OperationRegistration: watch('below') } });
  sim.run();
  const app = sim.spawn('app', function* () {
    const open = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
    return yield* sim.io.NtReadFile(open.handle!, 8, 0);
  });
  sim.run();
  return { sim, seen, read: app.result as { information: number } };
}

describe('parameter edits (§7, invariant 16)', () => {
  it('with FltSetCallbackDataDirty the edit reaches lower instances and the file system; the editor\'s own post and higher ones see the original', () => {
    const { seen, read } = editingStack(true);
    expect(seen).toEqual([
      'pre above Length=8',
      'pre editor Length=8',
      'pre below Length=2',
      'post below Length=2',
      'post editor Length=8',
      'post above Length=8',
    ]);
    expect(read.information).toBe(2);
  });

  it('the text trace shows the edit decoded, and each level\'s view as issued or as edited by whom', () => {
    const { sim } = editingStack(true);
    const read = compactTrace(sim.log).filter((l) => l.startsWith('D2(')).map((l) => l.replace(/^D2\(READ \\f\.txt\) /, ''));
    expect(read).toEqual([
      'IoStart IRP_MJ_READ file=O1:\\f.txt flags=IRP_OPERATION UserMode {Offset: 0, Length: 8}',
      'PreOperation instance=I1:above@300000 on C: params=as-issued',
      'PreOperationReturned instance=I1:above@300000 on C: FLT_PREOP_SUCCESS_WITH_CALLBACK',
      'PreOperation instance=I2:editor@200000 on C: params=as-issued',
      'PreOperationReturned instance=I2:editor@200000 on C: FLT_PREOP_SUCCESS_WITH_CALLBACK dirty → file=O1:\\f.txt {Offset: 0, Length: 2}',
      'PreOperation instance=I3:below@100000 on C: params=as-edited-by-I2',
      'PreOperationReturned instance=I3:below@100000 on C: FLT_PREOP_SUCCESS_WITH_CALLBACK',
      'FsDispatch params=as-edited-by-I2',
      'FsComplete status=STATUS_SUCCESS information=2',
      'PostOperation instance=I3:below@100000 on C: params=as-edited-by-I2',
      'PostOperationReturned instance=I3:below@100000 on C: FLT_POSTOP_FINISHED_PROCESSING status=STATUS_SUCCESS',
      'PostOperation instance=I2:editor@200000 on C: params=as-issued',
      'PostOperationReturned instance=I2:editor@200000 on C: FLT_POSTOP_FINISHED_PROCESSING status=STATUS_SUCCESS',
      'PostOperation instance=I1:above@300000 on C: params=as-issued',
      'PostOperationReturned instance=I1:above@300000 on C: FLT_POSTOP_FINISHED_PROCESSING status=STATUS_SUCCESS',
      'IoComplete status=STATUS_SUCCESS information=2',
    ]);
  });

  it('without it the edit is ignored: nobody below sees it, the file system reads the original length', () => {
    const { seen, read } = editingStack(false);
    expect(seen).toEqual(['pre above Length=8', 'pre editor Length=8', 'pre below Length=8', 'post below Length=8', 'post editor Length=8', 'post above Length=8']);
    expect(read.information).toBe(8);
  });
});

describe('legacy filters in the I/O path (§6)', () => {
  function framed(onIrp?: () => 'pass' | { complete: number }) {
    const sim = createSimulation({ frameBoundaries: ['250000'] });
    sim.loadLegacyFilter({ name: 'between.sys', aboveFrame: 0, ...(onIrp === undefined ? {} : { onIrp }) });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\f.txt', '0123456789');
    const seen: string[] = [];
    for (const [name, altitude] of [['upper', '300000'], ['lower', '100000']] as const) {
      installFilter(sim, {
        name,
        altitude,
        registration: {
          OperationRegistration: operations([IRP_MJ_CREATE, IRP_MJ_READ], {
            PreOperation: () => (seen.push(`pre ${name}`), FLT_PREOP_SUCCESS_WITH_CALLBACK),
            PostOperation: () => (seen.push(`post ${name}`), FLT_POSTOP_FINISHED_PROCESSING),
          }),
        },
      });
    }
    sim.run();
    return { sim, seen };
  }

  function* read(sim: Simulation) {
    const open = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
    return yield* sim.io.NtReadFile(open.handle!, 4, 0);
  }

  function path(sim: Simulation, seen: string[]): string[] {
    const readOp = sim.log.find((f) => f.type === 'IoStart' && f.major === IRP_MJ_READ)!.object;
    const out: string[] = [];
    let i = 0;
    for (const f of sim.log) {
      if (f.object !== readOp) continue;
      if (f.type === 'PreOperation' || f.type === 'PostOperation') out.push(seen[i++]!);
      else if (f.type === 'LegacyFilterDispatch') out.push('legacy dispatch');
      else if (f.type === 'LegacyFilterCompletion') out.push('legacy completion');
      else if (f.type === 'FsDispatch') out.push('FS');
    }
    return out;
  }

  it('an IRP from above passes the upper frame, then the legacy filter, then the lower frame, and completes back up in reverse', () => {
    const { sim, seen } = framed();
    sim.spawn('app', () => read(sim));
    sim.run();
    const readSeen = seen.slice(seen.length - 4);
    expect(path(sim, readSeen)).toEqual(['pre upper', 'legacy dispatch', 'pre lower', 'FS', 'post lower', 'legacy completion', 'post upper']);
  });

  it('a legacy filter that completes the IRP itself hides it from everything below', () => {
    const { sim, seen } = framed(() => ({ complete: STATUS_ACCESS_DENIED }));
    const app = sim.spawn('app', function* () {
      const open = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN });
      return open.status;
    });
    sim.run();
    expect(app.result).toBe(STATUS_ACCESS_DENIED);
    expect(sim.log.some((f) => f.type === 'FsDispatch')).toBe(false);
    // The upper frame saw the create go down and come back failed; the lower frame never saw it.
    expect(seen).toEqual(['pre upper', 'post upper']);
  });
});
