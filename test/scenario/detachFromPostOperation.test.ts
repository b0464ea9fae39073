// Issue 10 item 4: FltDetachVolume from the instance's own post-operation — MetadataManager's
// FmmPostFSControl after a successful FSCTL_DISMOUNT_VOLUME (§3, §4, §21.7). The calling post-op
// holds the instance's rundown protection, so the teardown cannot wait for it inline: TeardownStart
// runs inside the call, TeardownComplete once that post-op has returned.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_READ_DATA,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_WRITE_DATA,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FltDetachVolume,
  FSCTL_DISMOUNT_VOLUME,
  FSCTL_LOCK_VOLUME,
  FSCTL_UNLOCK_VOLUME,
  IRP_MJ_FILE_SYSTEM_CONTROL,
  ntStatusName,
  STATUS_ACCESS_DENIED,
  STATUS_SUCCESS,
  explore,
  type Blocking,
  type Explorable,
  type FLT_CALLBACK_DATA,
  type Simulation,
} from '../../src/index.js';
import { compactTrace, installFilter, operations } from '../../src/testing/index.js';

const VOLUME_OPEN = { DesiredAccess: FILE_READ_DATA | FILE_WRITE_DATA, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE };
const codeOf = (data: FLT_CALLBACK_DATA) => (data.Iopb.Parameters as { FileSystemControl: { FsControlCode: number } }).FileSystemControl.FsControlCode;

/** MetadataManager's FSCTL handling, shortened: returns the statuses its FltDetachVolume calls got. */
function installMetadataManager(sim: Simulation): string[] {
  const detach: string[] = [];
  const fmm = installFilter(sim, {
    name: 'fmm',
    altitude: '370030',
    registration: {
      InstanceQueryTeardownCallback: () => STATUS_SUCCESS,
      OperationRegistration: operations([IRP_MJ_FILE_SYSTEM_CONTROL], {
        // FmmPreFSControl: lock and dismount of a volume open, and unlock, are synchronized.
        PreOperation: (data) => {
          const code = codeOf(data);
          const volumeOpen = data.Iopb.TargetFileObject!.FileName === '';
          return (volumeOpen && (code === FSCTL_DISMOUNT_VOLUME || code === FSCTL_LOCK_VOLUME)) || code === FSCTL_UNLOCK_VOLUME ? FLT_PREOP_SYNCHRONIZE : FLT_PREOP_SUCCESS_NO_CALLBACK;
        },
        // FmmPostFSControl: after a successful dismount the instance is no longer valid; detach it.
        PostOperation: function* (data, objects) {
          if (codeOf(data) === FSCTL_DISMOUNT_VOLUME && data.IoStatus.Status === STATUS_SUCCESS) {
            detach.push(ntStatusName(yield* FltDetachVolume(fmm.filter(), objects.Volume, null)));
          }
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      }),
    },
  });
  return detach;
}

function metadataManagerSystem() {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\data.txt', 'x');
  const detach = installMetadataManager(sim);
  sim.run();
  return { sim, detach };
}

function* lockAndDismount(sim: Simulation): Blocking<void> {
  const volume = yield* sim.io.NtCreateFile('C:', VOLUME_OPEN);
  yield* sim.io.NtFsControlFile(volume.handle!, FSCTL_LOCK_VOLUME, null, 0, 0);
  yield* sim.io.NtFsControlFile(volume.handle!, FSCTL_DISMOUNT_VOLUME, null, 0, 0);
  yield* sim.io.NtClose(volume.handle!);
}

/** chkdsk dismounts while an application reads a file and the filter is being unloaded. */
const dismountRace: Explorable = {
  id: 'fmm-dismount-detach',
  options: { onViolation: 'record' },
  windows: [
    {
      // The detach from inside the post-FSCTL: its teardown is handed to a Teardown(I…) thread.
      name: 'FltDetachVolume from the instance\'s own post-op',
      opensAt: (f) => f.type === 'PostOperation',
      closesAt: (f) => f.type === 'PostOperationReturned',
      hitBy: (f) => f.type === 'ThreadCreate' && f.name.startsWith('Teardown('),
    },
    {
      name: 'the unload reaches the instance first: the detach finds it tearing down',
      opensAt: (f) => f.type === 'FilterUnloadCallback',
      closesAt: () => false,
      hitBy: (f) => f.type === 'RoutineFailed' && f.routine === 'FltDetachVolume',
    },
  ],
  build(sim) {
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\data.txt', 'x');
    installMetadataManager(sim);
    sim.spawn('chkdsk', () => lockAndDismount(sim));
    sim.spawn('app', function* () {
      const file = yield* sim.io.NtCreateFile('C:\\data.txt', { DesiredAccess: FILE_READ_DATA, ShareAccess: FILE_SHARE_READ });
      if (file.handle !== null) yield* sim.io.NtClose(file.handle);
    });
    sim.spawn('fltmc unload fmm', () => sim.FilterUnload('fmm'));
  },
};

describe('FltDetachVolume from the instance\'s own post-FSCTL (MetadataManager, §4)', () => {
  it('lock, dismount, detach: TeardownStart inside the post-op, TeardownComplete after it returned, no deadlock', () => {
    const { sim, detach } = metadataManagerSystem();
    const from = sim.log.length;
    const app = sim.spawn('chkdsk', function* () {
      const volume = yield* sim.io.NtCreateFile('C:', VOLUME_OPEN);
      const lock = yield* sim.io.NtFsControlFile(volume.handle!, FSCTL_LOCK_VOLUME, null, 0, 0);
      const dismount = yield* sim.io.NtFsControlFile(volume.handle!, FSCTL_DISMOUNT_VOLUME, null, 0, 0);
      const after = yield* sim.io.NtFsControlFile(volume.handle!, FSCTL_UNLOCK_VOLUME, null, 0, 0);
      yield* sim.io.NtClose(volume.handle!);
      return [lock.status, dismount.status, after.status].map(ntStatusName);
    });
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toEqual(['STATUS_SUCCESS', 'STATUS_SUCCESS', 'STATUS_VOLUME_DISMOUNTED']);
    expect(detach).toEqual(['STATUS_SUCCESS']);
    expect(
      compactTrace(sim.log, {
        from,
        types: ['PostOperation', 'PostOperationReturned', 'InstanceQueryTeardown', 'InstanceTeardownStart', 'InstanceTeardownStartReturned', 'InstanceTeardownComplete', 'InstanceTeardownCompleteReturned', 'InstanceFreed'],
      }),
    ).toEqual([
      'D2(FILE_SYSTEM_CONTROL C:<volume>) PostOperation instance=I1:fmm@370030 on C: params=as-issued',
      'D2(FILE_SYSTEM_CONTROL C:<volume>) PostOperationReturned instance=I1:fmm@370030 on C: FLT_POSTOP_FINISHED_PROCESSING status=STATUS_SUCCESS',
      'D3(FILE_SYSTEM_CONTROL C:<volume>) PostOperation instance=I1:fmm@370030 on C: params=as-issued',
      'I1(fmm@370030 on C:) InstanceQueryTeardown flags=0',
      'I1(fmm@370030 on C:) InstanceTeardownStart reason=MANUAL',
      'I1(fmm@370030 on C:) InstanceTeardownStartReturned',
      'D3(FILE_SYSTEM_CONTROL C:<volume>) PostOperationReturned instance=I1:fmm@370030 on C: FLT_POSTOP_FINISHED_PROCESSING status=STATUS_SUCCESS',
      'I1(fmm@370030 on C:) InstanceTeardownComplete reason=MANUAL',
      'I1(fmm@370030 on C:) InstanceTeardownCompleteReturned',
      'I1(fmm@370030 on C:) InstanceFreed',
    ]);
    expect(sim.state().violations).toEqual([]);
  });

  it('the lock fails with STATUS_ACCESS_DENIED while another file object is open on the volume (§21.7)', () => {
    const { sim } = metadataManagerSystem();
    const app = sim.spawn('app', function* () {
      const file = yield* sim.io.NtCreateFile('C:\\data.txt', { DesiredAccess: FILE_READ_DATA, ShareAccess: FILE_SHARE_READ });
      const volume = yield* sim.io.NtCreateFile('C:', VOLUME_OPEN);
      const whileOpen = (yield* sim.io.NtFsControlFile(volume.handle!, FSCTL_LOCK_VOLUME, null, 0, 0)).status;
      yield* sim.io.NtClose(file.handle!);
      const alone = (yield* sim.io.NtFsControlFile(volume.handle!, FSCTL_LOCK_VOLUME, null, 0, 0)).status;
      const unlock = (yield* sim.io.NtFsControlFile(volume.handle!, FSCTL_UNLOCK_VOLUME, null, 0, 0)).status;
      yield* sim.io.NtClose(volume.handle!);
      return [whileOpen, alone, unlock];
    });
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toEqual([STATUS_ACCESS_DENIED, STATUS_SUCCESS, STATUS_SUCCESS]);
    expect(sim.state().violations).toEqual([]);
  });

  for (const strategy of ['random', 'pct'] as const) {
    it(`${strategy}: racing an application and an unload, no schedule deadlocks or breaks a §14 invariant`, () => {
      // PCT's seed 2: since the old mount's last close tears the volume down on a thread of its own
      // (§21.7), seed 1's 40 schedules no longer let the unload overtake the detach.
      const r = explore(dismountRace, { strategy, seed: strategy === 'pct' ? 2 : 1, schedules: 40, shrink: false });
      expect(r.violation).toBeNull();
      expect(r.windowsNeverHit).toEqual([]);
    });
  }
});
