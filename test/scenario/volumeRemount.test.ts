// Volume locks and what a dismount leaves behind (§21.7). A volume open that shares neither write
// nor delete is an implicit lock (FastFat's FatOpenVolume: autochk's way); FSCTL_DISMOUNT_VOLUME
// leaves the FLT_VOLUME and its instances standing until the last file object of the old mount is
// closed, and the next open by name mounts the volume again: a new FLT_VOLUME over the same disk,
// with new instances from the filters' InstanceSetup (FLTFL_INSTANCE_SETUP_NEWLY_MOUNTED_VOLUME).
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  foldLog,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_OPEN,
  FILE_OPEN_IF,
  FILE_READ_DATA,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FILE_WRITE_DATA,
  FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT,
  FLTFL_INSTANCE_SETUP_NEWLY_MOUNTED_VOLUME,
  FSCTL_DISMOUNT_VOLUME,
  FSCTL_UNLOCK_VOLUME,
  ntStatusName,
  STATUS_SUCCESS,
  type Blocking,
  type Simulation,
} from '../../src/index.js';
import { compactTrace, installFilter } from '../../src/testing/index.js';

const SYNC = { CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT };
const READ = { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE, CreateDisposition: FILE_OPEN, ...SYNC };
const WRITE = { DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE, CreateDisposition: FILE_OPEN_IF, ...SYNC };
/** A volume open as chkdsk makes one for FSCTLs: sharing read and write, so no implicit lock. */
const VOLUME_OPEN = { DesiredAccess: FILE_READ_DATA | FILE_WRITE_DATA, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE };
/** autochk's implicit lock: a volume open sharing only read. */
const IMPLICIT_LOCK = { DesiredAccess: FILE_READ_DATA, ShareAccess: FILE_SHARE_READ };

function system(): Simulation {
  const sim = createSimulation({ instanceSetupOnMount: 'mount' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\keep.txt', 'kept');
  return sim;
}

/** Runs `body` on one application thread and returns what it returned, names for statuses. */
function app<T>(sim: Simulation, body: () => Blocking<T>): T {
  let out: T | undefined;
  sim.spawn('app', function* () {
    out = yield* body();
    return 0;
  });
  sim.run();
  return out!;
}

describe('the implicit volume lock: a volume open that shares neither write nor delete (§21.7)', () => {
  it('is refused while a file is open for write, locks the volume once it opens (creates are STATUS_ACCESS_DENIED) and ends at its cleanup', () => {
    const sim = system();
    const statuses = app(sim, function* () {
      const s: string[] = [];
      const writer = yield* sim.io.NtCreateFile('C:\\keep.txt', WRITE);
      s.push(`with a writer: ${ntStatusName((yield* sim.io.NtCreateFile('C:', IMPLICIT_LOCK)).status)}`);
      yield* sim.io.NtClose(writer.handle!);
      const lock = yield* sim.io.NtCreateFile('C:', IMPLICIT_LOCK);
      s.push(`alone: ${ntStatusName(lock.status)}`);
      s.push(`open while locked: ${ntStatusName((yield* sim.io.NtCreateFile('C:\\keep.txt', READ)).status)}`);
      yield* sim.io.NtClose(lock.handle!);
      const after = yield* sim.io.NtCreateFile('C:\\keep.txt', READ);
      s.push(`after its close: ${ntStatusName(after.status)}`);
      yield* sim.io.NtClose(after.handle!);
      return s;
    });
    expect(statuses).toEqual([
      'with a writer: STATUS_SHARING_VIOLATION',
      'alone: STATUS_SUCCESS',
      'open while locked: STATUS_ACCESS_DENIED',
      'after its close: STATUS_SUCCESS',
    ]);
  });

  it('sharing read, it lets read-only opens stay; asking for write takes its FILE_SHARE_READ away, so then no open may stay; FSCTL_UNLOCK_VOLUME on it unlocks', () => {
    const sim = system();
    const statuses = app(sim, function* () {
      const s: string[] = [];
      const reader = yield* sim.io.NtCreateFile('C:\\keep.txt', READ);
      const writingLock = yield* sim.io.NtCreateFile('C:', { DesiredAccess: FILE_READ_DATA | FILE_WRITE_DATA, ShareAccess: FILE_SHARE_READ });
      s.push(`write access beside a reader: ${ntStatusName(writingLock.status)}`);
      const lock = yield* sim.io.NtCreateFile('C:', IMPLICIT_LOCK);
      s.push(`read access beside a reader: ${ntStatusName(lock.status)}`);
      const read = yield* sim.io.NtReadFile(reader.handle!, 4, 0);
      s.push(`the reader reads: ${ntStatusName(read.status)}`);
      s.push(`a new open: ${ntStatusName((yield* sim.io.NtCreateFile('C:\\keep.txt', READ)).status)}`);
      s.push(`unlock: ${ntStatusName((yield* sim.io.NtFsControlFile(lock.handle!, FSCTL_UNLOCK_VOLUME, null, 0, 0)).status)}`);
      const again = yield* sim.io.NtCreateFile('C:\\keep.txt', READ);
      s.push(`a new open after the unlock: ${ntStatusName(again.status)}`);
      for (const h of [reader.handle!, lock.handle!, again.handle!]) yield* sim.io.NtClose(h);
      return s;
    });
    expect(statuses).toEqual([
      'write access beside a reader: STATUS_SHARING_VIOLATION',
      'read access beside a reader: STATUS_SUCCESS',
      'the reader reads: STATUS_SUCCESS',
      'a new open: STATUS_ACCESS_DENIED',
      'unlock: STATUS_SUCCESS',
      'a new open after the unlock: STATUS_SUCCESS',
    ]);
  });
});

describe('a dismount, the old mount\'s last close and the remount (§21.7)', () => {
  /** A filter that attaches everywhere and records its InstanceSetup flags. */
  function watch(sim: Simulation): number[] {
    const setupFlags: number[] = [];
    installFilter(sim, { name: 'watch', altitude: '370000', registration: { InstanceSetupCallback: (_objects, Flags) => (setupFlags.push(Flags), STATUS_SUCCESS) } });
    return setupFlags;
  }
  const TYPES = ['VolumeMount', 'VolumeMounted', 'InstanceSetupReturned', 'InstanceTeardownStart', 'VolumeDismount', 'VolumeDismounted'] as const;

  it('with a file still open on the old mount: it gets STATUS_VOLUME_DISMOUNTED, the next open mounts V2 with a new instance, and the old instance goes at that file\'s close', () => {
    const sim = system();
    const setupFlags = watch(sim);
    sim.run();
    const from = compactTrace(sim.log, { types: [...TYPES] }).length;
    const seen = app(sim, function* () {
      const s: string[] = [];
      const old = yield* sim.io.NtCreateFile('C:\\keep.txt', READ);
      const volume = yield* sim.io.NtCreateFile('C:', VOLUME_OPEN);
      s.push(`dismount: ${ntStatusName((yield* sim.io.NtFsControlFile(volume.handle!, FSCTL_DISMOUNT_VOLUME, null, 0, 0)).status)}`);
      s.push(`old handle reads: ${ntStatusName((yield* sim.io.NtReadFile(old.handle!, 4, 0)).status)}`);
      yield* sim.io.NtClose(volume.handle!);
      const fresh = yield* sim.io.NtCreateFile('C:\\keep.txt', READ);
      const data = yield* sim.io.NtReadFile(fresh.handle!, 4, 0);
      s.push(`new open: ${ntStatusName(fresh.status)} on ${sim.io.fileObject(fresh.handle!)!.volume.id}, reads '${new TextDecoder().decode(data.output as Uint8Array)}'`);
      yield* sim.io.NtClose(old.handle!);
      yield* sim.io.NtClose(fresh.handle!);
      return s;
    });
    expect(seen).toEqual(['dismount: STATUS_SUCCESS', 'old handle reads: STATUS_VOLUME_DISMOUNTED', "new open: STATUS_SUCCESS on V2, reads 'kept'"]);
    expect(compactTrace(sim.log, { types: [...TYPES] }).slice(from)).toEqual([
      'V2(C:) VolumeMount name=\\Device\\HarddiskVolume1 dos=C: fs=NTFS sector=512 remountOf=V1',
      'V2(C:) VolumeMounted',
      'I2(watch@370000 on C:) InstanceSetupReturned status=STATUS_SUCCESS',
      'V1(C:) VolumeDismount',
      'I1(watch@370000 on C:) InstanceTeardownStart reason=VOLUME_DISMOUNT',
      'V1(C:) VolumeDismounted',
    ]);
    // The filter's load found V1 mounted; V2 is a newly mounted volume.
    expect(setupFlags).toEqual([FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT, FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT | FLTFL_INSTANCE_SETUP_NEWLY_MOUNTED_VOLUME]);
    expect(Object.fromEntries(Object.entries(sim.state().volumes).map(([id, v]) => [id, v.state]))).toEqual({ V1: 'Dismounted', V2: 'Mounted' });
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('with nothing else open: the dismounting handle\'s close tears the instance down; what was written before the dismount is on the new mount', () => {
    const sim = system();
    watch(sim);
    sim.run();
    const from = compactTrace(sim.log, { types: [...TYPES] }).length;
    const seen = app(sim, function* () {
      const writer = yield* sim.io.NtCreateFile('C:\\new.txt', WRITE);
      yield* sim.io.NtWriteFile(writer.handle!, 'written', 0);
      yield* sim.io.NtClose(writer.handle!);
      const volume = yield* sim.io.NtCreateFile('C:', VOLUME_OPEN);
      yield* sim.io.NtFsControlFile(volume.handle!, FSCTL_DISMOUNT_VOLUME, null, 0, 0);
      yield* sim.io.NtClose(volume.handle!);
      const reader = yield* sim.io.NtCreateFile('C:\\new.txt', READ);
      const data = yield* sim.io.NtReadFile(reader.handle!, 16, 0);
      yield* sim.io.NtClose(reader.handle!);
      return new TextDecoder().decode(data.output as Uint8Array);
    });
    expect(seen).toBe('written');
    // The teardown runs on FltMgr's thread, so the application's next open may come first.
    expect(compactTrace(sim.log, { types: [...TYPES] }).slice(from)).toEqual([
      'V1(C:) VolumeDismount',
      'V2(C:) VolumeMount name=\\Device\\HarddiskVolume1 dos=C: fs=NTFS sector=512 remountOf=V1',
      'V2(C:) VolumeMounted',
      'I2(watch@370000 on C:) InstanceSetupReturned status=STATUS_SUCCESS',
      'I1(watch@370000 on C:) InstanceTeardownStart reason=VOLUME_DISMOUNT',
      'V1(C:) VolumeDismounted',
    ]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('a PnP removal is no dismount to come back from: after an eject an open by name finds no volume', () => {
    const sim = system();
    sim.run();
    sim.ejectVolume(sim.volume('C:')!);
    sim.run();
    const status = app(sim, function* () {
      return ntStatusName((yield* sim.io.NtCreateFile('C:\\keep.txt', READ)).status);
    });
    expect(status).toBe('STATUS_OBJECT_PATH_NOT_FOUND');
    expect(sim.log.filter((f) => f.type === 'VolumeMount')).toHaveLength(1);
  });
});
