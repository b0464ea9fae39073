// §21.11 (symbolic links and mount points resolved by the I/O manager), §11.1 (FltCreateFile never
// returns STATUS_REPARSE), §11.19 (the target-directory open of a rename).
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_INFORMATION_CLASS,
  FILE_OPEN,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FltClose,
  FltCreateFileEx,
  IO_REPARSE_TAG_MOUNT_POINT,
  IO_REPARSE_TAG_SYMLINK,
  IO_STOP_ON_SYMLINK,
  IRP_MJ_CREATE,
  mountPointReparseData,
  ntStatusName,
  ObDereferenceObject,
  STATUS_SUCCESS,
  SYMLINK_FLAG_RELATIVE,
  symbolicLinkReparseData,
  type PFLT_INSTANCE,
  type Simulation,
} from '../../src/index.js';
import { compactTrace, installFilter, operations } from '../../src/testing/index.js';

/** C: and D:, a watcher filter on both that logs each create it sees, and the links under test. */
function twoVolumes(): { sim: Simulation; seen: string[]; instances: Map<string, PFLT_INSTANCE> } {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume2', dosName: 'D:' });
  const c = sim.fileSystem('C:');
  const d = sim.fileSystem('D:');
  d.mkdir('\\target');
  d.writeFile('\\target\\f.txt', 'on D');
  d.writeFile('\\f.txt', 'root of D');
  c.mkdir('\\real');
  c.writeFile('\\real\\f.txt', 'on C');
  c.mkdir('\\dir');
  // \toD is a directory symbolic link to D:\target; \dir\up is a relative one to ..\real; \mnt is a junction to D:\.
  c.mkdir('\\toD');
  c.setReparsePoint('\\toD', IO_REPARSE_TAG_SYMLINK, null, symbolicLinkReparseData('\\??\\D:\\target', 'D:\\target'));
  c.mkdir('\\dir\\up');
  c.setReparsePoint('\\dir\\up', IO_REPARSE_TAG_SYMLINK, null, symbolicLinkReparseData('..\\real', '..\\real', SYMLINK_FLAG_RELATIVE));
  c.mkdir('\\mnt');
  c.setReparsePoint('\\mnt', IO_REPARSE_TAG_MOUNT_POINT, null, mountPointReparseData('\\??\\D:\\', 'D:\\'));
  c.mkdir('\\toC');
  c.setReparsePoint('\\toC', IO_REPARSE_TAG_SYMLINK, null, symbolicLinkReparseData('\\??\\C:\\real', 'C:\\real'));
  c.writeFile('\\loop', '');
  c.setReparsePoint('\\loop', IO_REPARSE_TAG_SYMLINK, null, symbolicLinkReparseData('\\??\\C:\\loop', 'C:\\loop'));
  const seen: string[] = [];
  const instances = new Map<string, PFLT_INSTANCE>();
  installFilter(sim, {
    name: 'watcher',
    altitude: '300000',
    registration: {
      InstanceSetupCallback: (objects) => (instances.set(objects.Volume.dosName ?? '?', objects.Instance), STATUS_SUCCESS),
      OperationRegistration: operations([IRP_MJ_CREATE], {
        PreOperation: (data, objects) => (seen.push(`pre-create ${objects.Volume.dosName}${data.Iopb.TargetFileObject!.FileName}`), FLT_PREOP_SUCCESS_WITH_CALLBACK),
        PostOperation: (data, objects) => (seen.push(`post-create ${objects.Volume.dosName}${data.Iopb.TargetFileObject!.FileName} ${ntStatusName(data.IoStatus.Status)}`), FLT_POSTOP_FINISHED_PROCESSING),
      }),
    },
  });
  sim.run();
  return { sim, seen, instances };
}

function* readAll(sim: Simulation, path: string) {
  const r = yield* sim.io.NtCreateFile(path, { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN });
  if (r.handle === null) return ntStatusName(r.status);
  const data = yield* sim.io.NtReadFile(r.handle, 64, 0);
  yield* sim.io.NtClose(r.handle);
  return new TextDecoder().decode(data.output!);
}

describe('the I/O manager follows symbolic links and mount points (§21.11)', () => {
  it('a symbolic link to another volume: the file system says STATUS_REPARSE, the create is sent again from the top of D:', () => {
    const { sim, seen } = twoVolumes();
    const app = sim.spawn('app', () => readAll(sim, 'C:\\toD\\f.txt'));
    const from = sim.log.length;
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toBe('on D');
    expect(seen).toEqual(['pre-create C:\\toD\\f.txt', 'post-create C:\\toD\\f.txt STATUS_REPARSE', 'pre-create D:\\target\\f.txt', 'post-create D:\\target\\f.txt STATUS_SUCCESS']);
    expect(compactTrace(sim.log, { from, types: ['FileObjectCreate', 'FsComplete', 'FileObjectOpenFailed', 'FileObjectOpened', 'FileObjectHandleCreated'] }).slice(0, 6)).toMatchInlineSnapshot(`
      [
        "O1(\\toD\\f.txt) FileObjectCreate volume=V1:C: name=\\toD\\f.txt",
        "D1(CREATE \\toD\\f.txt) FsComplete status=STATUS_REPARSE information=2684354572",
        "O1(\\toD\\f.txt) FileObjectOpenFailed status=STATUS_REPARSE",
        "O2(\\target\\f.txt) FileObjectCreate volume=V2:D: name=\\target\\f.txt",
        "D2(CREATE \\target\\f.txt) FsComplete status=STATUS_SUCCESS information=FILE_OPENED",
        "O2(\\target\\f.txt) FileObjectOpened flags=0",
      ]
    `);
  });

  it('a relative symbolic link resolves against the link\'s directory; a junction (mount point) to a volume root', () => {
    const { sim } = twoVolumes();
    const relative = sim.spawn('app', () => readAll(sim, 'C:\\dir\\up\\f.txt'));
    const junction = sim.spawn('app', () => readAll(sim, 'C:\\mnt\\f.txt'));
    expect(sim.run().reason).toBe('idle');
    expect([relative.result, junction.result]).toEqual(['on C', 'root of D']);
  });

  it('a link that points at itself ends after 63 reparse points with STATUS_REPARSE_POINT_NOT_RESOLVED', () => {
    const { sim } = twoVolumes();
    const app = sim.spawn('app', () => readAll(sim, 'C:\\loop'));
    const from = sim.log.length;
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toBe('STATUS_REPARSE_POINT_NOT_RESOLVED');
    expect(sim.log.filter((f) => f.seq >= from && f.type === 'FileObjectCreate')).toHaveLength(64);
    expect(sim.state().violations).toEqual([]);
  });

  it('FltCreateFileEx: a targeted create cannot leave its instance\'s volume (STATUS_MOUNT_POINT_NOT_RESOLVED); on the same volume, or with Instance = NULL, it follows', () => {
    const { sim, seen, instances } = twoVolumes();
    const results: string[] = [];
    const filter = sim.filter('watcher')!;
    sim.spawn('worker', function* () {
      for (const [instance, path, flags] of [
        [instances.get('C:')!, 'C:\\toD\\f.txt', 0],
        [instances.get('C:')!, 'C:\\toC\\f.txt', 0],
        [null, 'C:\\toD\\f.txt', 0],
        [instances.get('C:')!, 'C:\\toC\\f.txt', IO_STOP_ON_SYMLINK],
      ] as const) {
        seen.length = 0;
        const r = yield* FltCreateFileEx(filter, instance, FILE_GENERIC_READ, { ObjectName: path }, 0, 0, 0, FILE_OPEN, 0, null, 0, flags);
        results.push(`${instance === null ? 'NULL' : 'I1'} ${path}${flags === 0 ? '' : ' STOP_ON_SYMLINK'}: ${ntStatusName(r.status)}${r.FileObject === null ? '' : ` ${r.FileObject.volume.dosName}${r.FileObject.FileName}`} seen by watcher: ${seen.length}`);
        if (r.FileHandle !== null) yield* FltClose(r.FileHandle);
        if (r.FileObject !== null) yield* ObDereferenceObject(r.FileObject);
      }
      return 0;
    });
    expect(sim.run().reason).toBe('idle');
    expect(results).toEqual([
      'I1 C:\\toD\\f.txt: STATUS_MOUNT_POINT_NOT_RESOLVED seen by watcher: 0',
      'I1 C:\\toC\\f.txt: STATUS_SUCCESS C:\\real\\f.txt seen by watcher: 0',
      'NULL C:\\toD\\f.txt: STATUS_SUCCESS D:\\target\\f.txt seen by watcher: 4',
      'I1 C:\\toC\\f.txt STOP_ON_SYMLINK: STATUS_STOPPED_ON_SYMLINK seen by watcher: 0',
    ]);
    expect(sim.state().violations).toEqual([]);
  });
});

describe('the target-directory open of a rename ends in STATUS_REPARSE (§11.19, §21.11)', () => {
  it.each([true, false])('through a link on the same volume the rename lands in the link target; to another volume it is STATUS_NOT_SAME_DEVICE (filter loaded: %s)', (withFilter) => {
    const sim = withFilter ? twoVolumes().sim : (() => {
      const s = createSimulation({ onViolation: 'record' });
      s.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
      s.mountVolume({ name: '\\Device\\HarddiskVolume2', dosName: 'D:' });
      s.fileSystem('D:').mkdir('\\target');
      s.fileSystem('C:').mkdir('\\real');
      s.fileSystem('C:').mkdir('\\toC');
      s.fileSystem('C:').setReparsePoint('\\toC', IO_REPARSE_TAG_SYMLINK, null, symbolicLinkReparseData('\\??\\C:\\real', 'C:\\real'));
      s.fileSystem('C:').mkdir('\\toD');
      s.fileSystem('C:').setReparsePoint('\\toD', IO_REPARSE_TAG_SYMLINK, null, symbolicLinkReparseData('\\??\\D:\\target', 'D:\\target'));
      return s;
    })();
    sim.fileSystem('C:').writeFile('\\a.txt', 'a');
    sim.fileSystem('C:').writeFile('\\b.txt', 'b');
    const rename = (from: string, to: string) =>
      sim.spawn(`rename ${from}`, function* () {
        const c = yield* sim.io.NtCreateFile(from, { DesiredAccess: FILE_GENERIC_READ | 0x10000 /* DELETE */, CreateDisposition: FILE_OPEN });
        const r = yield* sim.io.NtSetInformationFile(c.handle!, FILE_INFORMATION_CLASS.FileRenameInformation, { ReplaceIfExists: false, RootDirectory: null, FileName: to });
        yield* sim.io.NtClose(c.handle!);
        return ntStatusName(r.status);
      });
    const same = rename('C:\\a.txt', 'C:\\toC\\a2.txt');
    const other = rename('C:\\b.txt', 'C:\\toD\\b2.txt');
    expect(sim.run().reason).toBe('idle');
    expect([same.result, other.result]).toEqual(['STATUS_SUCCESS', 'STATUS_NOT_SAME_DEVICE']);
    expect(sim.fileSystem('C:').list('\\real')).toContain('a2.txt');
    expect(sim.fileSystem('C:').exists('\\b.txt')).toBe(true);
    expect(sim.state().violations).toEqual([]);
    // Every file object the renames opened is closed again.
    expect(Object.values(sim.state().fileObjects)).toEqual([]);
  });
});
