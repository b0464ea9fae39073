// Volume removal and system shutdown as the filters and the file system see them (§5, §21.7):
// IRP_MJ_PNP (query-remove, remove, cancel-remove, surprise removal) and IRP_MJ_SHUTDOWN go down
// the volume's stack with no file object; the file system refuses a query-remove while files are
// open on the volume, locks the volume when it grants one, and dismounts at the remove.
import { describe, expect, it } from 'vitest';
import {
  createScenarioSimulation,
  createSimulation,
  builtInScenarios,
  foldLog,
  restoreSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN_IF,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  IRP_MJ_PNP,
  IRP_MJ_SHUTDOWN,
  IRP_MN_QUERY_REMOVE_DEVICE,
  STATUS_ACCESS_DENIED,
  STATUS_UNSUCCESSFUL,
  STATUS_SUCCESS,
  STATUS_VOLUME_DISMOUNTED,
  type FLT_CALLBACK_DATA,
  type Simulation,
} from '../../src/index.js';
import type { Fact } from '../../src/index.js';

type FactType = Fact['type'];
import { compactTrace, installFilter, operations } from '../../src/testing/index.js';

const TYPES: FactType[] = ['IoStart', 'PreOperation', 'PreOperationReturned', 'FsComplete', 'PostOperation', 'IoComplete', 'InstanceTeardownStart', 'VolumeDismounted'];

/** A filter that records what each PnP / shutdown callback saw: minor code and whether a file object came with it. */
function watcher(sim: Simulation, seen: string[], veto = false): void {
  const describe = (when: string, d: FLT_CALLBACK_DATA): string => `${when} mj=0x${d.Iopb.MajorFunction.toString(16)} mn=0x${d.Iopb.MinorFunction.toString(16)} fo=${d.Iopb.TargetFileObject === null ? 'NULL' : d.Iopb.TargetFileObject.id}`;
  installFilter(sim, {
    name: 'watch',
    altitude: '370000',
    registration: {
      OperationRegistration: operations([IRP_MJ_PNP, IRP_MJ_SHUTDOWN], {
        PreOperation: (Data) => {
          seen.push(describe('pre', Data));
          if (veto && Data.Iopb.MinorFunction === IRP_MN_QUERY_REMOVE_DEVICE) {
            Data.IoStatus.Status = STATUS_UNSUCCESSFUL;
            return FLT_PREOP_COMPLETE;
          }
          return FLT_PREOP_SUCCESS_WITH_CALLBACK;
        },
        PostOperation: (Data) => {
          seen.push(`${describe('post', Data)} status=0x${(Data.IoStatus.Status >>> 0).toString(16)}`);
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      }),
    },
  });
}

function system(fsType: 'NTFS' | 'FAT' = 'NTFS') {
  const sim = createSimulation({ instanceSetupOnMount: 'mount' });
  const volume = sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:', fsType });
  return { sim, volume };
}

describe('PnP removal of a volume (IRP_MJ_PNP, §5)', () => {
  it('an eject with nothing open: query-remove and remove go through the stack with no file object, then the instance is torn down with the volume', () => {
    const { sim, volume } = system();
    const seen: string[] = [];
    watcher(sim, seen);
    sim.run();
    const eject = sim.ejectVolume(volume);
    sim.run();
    expect(eject.result).toBe(STATUS_SUCCESS);
    expect(seen).toEqual(['pre mj=0x1b mn=0x1 fo=NULL', 'post mj=0x1b mn=0x1 fo=NULL status=0x0', 'pre mj=0x1b mn=0x2 fo=NULL', 'post mj=0x1b mn=0x2 fo=NULL status=0x0']);
    expect(compactTrace(sim.log, { types: TYPES })).toEqual([
      'D1(PNP C:) IoStart IRP_MJ_PNP volume=V1:C: flags=IRP_OPERATION KernelMode {}',
      'D1(PNP C:) PreOperation instance=I1:watch@370000 on C: params=as-issued',
      'D1(PNP C:) PreOperationReturned instance=I1:watch@370000 on C: FLT_PREOP_SUCCESS_WITH_CALLBACK',
      'D1(PNP C:) FsComplete status=STATUS_SUCCESS information=0',
      'D1(PNP C:) PostOperation instance=I1:watch@370000 on C: params=as-issued',
      'D1(PNP C:) IoComplete status=STATUS_SUCCESS information=0',
      'D2(PNP C:) IoStart IRP_MJ_PNP volume=V1:C: flags=IRP_OPERATION KernelMode {}',
      'D2(PNP C:) PreOperation instance=I1:watch@370000 on C: params=as-issued',
      'D2(PNP C:) PreOperationReturned instance=I1:watch@370000 on C: FLT_PREOP_SUCCESS_WITH_CALLBACK',
      'D2(PNP C:) FsComplete status=STATUS_SUCCESS information=0',
      'D2(PNP C:) PostOperation instance=I1:watch@370000 on C: params=as-issued',
      'D2(PNP C:) IoComplete status=STATUS_SUCCESS information=0',
      'I1(watch@370000 on C:) InstanceTeardownStart reason=VOLUME_DISMOUNT',
      'V1(C:) VolumeDismounted',
    ]);
    expect(sim.state().volumes.V1!.state).toBe('Dismounted');
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('a file open on the volume: the file system refuses the query (STATUS_ACCESS_DENIED) and the PnP manager cancels; the volume stays and takes new opens', () => {
    const { sim, volume } = system();
    const seen: string[] = [];
    watcher(sim, seen);
    const statuses: number[] = [];
    sim.spawn('app', function* () {
      const open = yield* sim.io.NtCreateFile('C:\\keep.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN_IF, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
      statuses.push((yield* sim.join(sim.ejectVolume(volume))) as number);
      yield* sim.io.NtClose(open.handle!);
      const again = yield* sim.io.NtCreateFile('C:\\after.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN_IF, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
      statuses.push(again.status);
      return 0;
    });
    sim.run();
    expect(statuses).toEqual([STATUS_ACCESS_DENIED, STATUS_SUCCESS]);
    expect(seen).toEqual(['pre mj=0x1b mn=0x1 fo=NULL', 'post mj=0x1b mn=0x1 fo=NULL status=0xc0000022', 'pre mj=0x1b mn=0x3 fo=NULL', 'post mj=0x1b mn=0x3 fo=NULL status=0x0']);
    expect(sim.state().volumes.V1!.state).toBe('Mounted');
  });

  it('a filter may fail the query in its pre-op: the file system never sees it, and the cancel still goes to everyone', () => {
    const { sim, volume } = system();
    const seen: string[] = [];
    watcher(sim, seen, true);
    sim.run();
    const eject = sim.ejectVolume(volume);
    sim.run();
    expect(eject.result).toBe(STATUS_UNSUCCESSFUL);
    expect(seen).toEqual(['pre mj=0x1b mn=0x1 fo=NULL', 'pre mj=0x1b mn=0x3 fo=NULL', 'post mj=0x1b mn=0x3 fo=NULL status=0x0']);
    expect(compactTrace(sim.log, { types: ['FsComplete'] })).toEqual(['D2(PNP C:) FsComplete status=STATUS_SUCCESS information=0']);
  });

  it('between a granted query and its remove the volume is locked: a create is STATUS_ACCESS_DENIED (NTFS); FAT dismounts at the query already', () => {
    for (const [fsType, status] of [['NTFS', STATUS_ACCESS_DENIED], ['FAT', STATUS_VOLUME_DISMOUNTED]] as const) {
      const { sim, volume } = system(fsType);
      const opened: number[] = [];
      installFilter(sim, {
        name: 'probe',
        altitude: '370000',
        registration: {
          OperationRegistration: operations([IRP_MJ_PNP], {
            PostOperation: function* (Data) {
              // In the query's post-op, the answer is known below and the remove has not come yet.
              if (Data.Iopb.MinorFunction === IRP_MN_QUERY_REMOVE_DEVICE) {
                const r = yield* sim.io.NtCreateFile('C:\\late.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN_IF, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
                opened.push(r.status);
              }
              return FLT_POSTOP_FINISHED_PROCESSING;
            },
            PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
          }),
        },
      });
      sim.run();
      sim.ejectVolume(volume);
      sim.run();
      expect([fsType, opened]).toEqual([fsType, [status]]);
    }
  });

  it('a surprise removal does not ask: the filter sees SURPRISE_REMOVAL, the instance goes, and the remove reaches the file system alone', () => {
    const { sim, volume } = system();
    const seen: string[] = [];
    watcher(sim, seen);
    sim.run();
    sim.surpriseRemoveVolume(volume);
    sim.run();
    expect(seen).toEqual(['pre mj=0x1b mn=0x17 fo=NULL', 'post mj=0x1b mn=0x17 fo=NULL status=0x0']);
    expect(compactTrace(sim.log, { types: ['IoStart', 'InstanceTeardownStart', 'VolumeDismounted', 'FsComplete'] }).slice(-5)).toEqual([
      'D1(PNP C:) FsComplete status=STATUS_SUCCESS information=0',
      'I1(watch@370000 on C:) InstanceTeardownStart reason=VOLUME_DISMOUNT',
      'V1(C:) VolumeDismounted',
      'D2(PNP C:) IoStart IRP_MJ_PNP volume=V1:C: flags=IRP_OPERATION KernelMode {}',
      'D2(PNP C:) FsComplete status=STATUS_SUCCESS information=0',
    ]);
  });

  it('an eject of a volume already gone is STATUS_NO_SUCH_DEVICE, and nothing is sent', () => {
    const { sim, volume } = system();
    sim.run();
    sim.ejectVolume(volume);
    sim.run();
    const again = sim.ejectVolume(volume);
    sim.run();
    expect(again.result).toBe(0xc000000e);
    expect(sim.log.filter((f) => f.type === 'IoStart')).toHaveLength(2);
  });
});

describe('system shutdown (IRP_MJ_SHUTDOWN, §2)', () => {
  it('each mounted volume gets one, with no file object; FltMgr calls no post-operation for it and no unload callback runs', () => {
    const { sim } = system();
    sim.mountVolume({ name: '\\Device\\HarddiskVolume2', dosName: 'D:' });
    const seen: string[] = [];
    watcher(sim, seen);
    sim.run();
    sim.shutdownSystem();
    sim.run();
    expect(seen).toEqual(['pre mj=0x10 mn=0x0 fo=NULL', 'pre mj=0x10 mn=0x0 fo=NULL']);
    expect(compactTrace(sim.log, { types: ['IoStart', 'IoComplete', 'FilterUnloadCallback'] })).toEqual([
      'D1(SHUTDOWN C:) IoStart IRP_MJ_SHUTDOWN volume=V1:C: flags=IRP_OPERATION KernelMode {}',
      'D1(SHUTDOWN C:) IoComplete status=STATUS_SUCCESS information=0',
      'D2(SHUTDOWN D:) IoStart IRP_MJ_SHUTDOWN volume=V2:D: flags=IRP_OPERATION KernelMode {}',
      'D2(SHUTDOWN D:) IoComplete status=STATUS_SUCCESS information=0',
    ]);
  });

  it('are host inputs: act() records them, and a restored run repeats them byte for byte', () => {
    const sim = createScenarioSimulation('demo', { seed: 3 }, { scenarios: builtInScenarios });
    sim.run();
    sim.act('fltsim.shutdownSystem', null);
    sim.act('fltsim.ejectVolume', { volume: 'C:' });
    sim.run();
    expect(sim.log.filter((f) => f.type === 'IoStart' && (f.major === IRP_MJ_SHUTDOWN || f.major === IRP_MJ_PNP)).length).toBeGreaterThanOrEqual(2);
    const saved = JSON.parse(JSON.stringify(sim.save()));
    expect(saved.drive).toEqual(expect.arrayContaining([{ act: 'fltsim.shutdownSystem', args: null }, { act: 'fltsim.ejectVolume', args: { volume: 'C:' } }]));
    const restored = restoreSimulation(saved, { scenarios: builtInScenarios });
    expect(JSON.stringify(restored.log)).toBe(JSON.stringify(sim.log));
  });
});
