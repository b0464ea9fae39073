// §11.6, §11.7, §11.15–11.22: the synchronous generated routines, each observed below its initiator.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  DACL_SECURITY_INFORMATION,
  FILE_ALL_ACCESS,
  FILE_INFORMATION_CLASS,
  FILE_OPEN,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FltClose,
  FltCreateFileEx,
  FltDeviceIoControlFile,
  FltFlushBuffers,
  FltFsControlFile,
  FltQueryInformationFile,
  FltQuerySecurityObject,
  FltQueryVolumeInformationFile,
  FltSetInformationFile,
  FltSetSecurityObject,
  FltTagFile,
  FltUntagFile,
  FS_INFORMATION_CLASS,
  IO_REPARSE_TAG_SYMLINK,
  IRP_MJ_CREATE,
  IRP_MJ_DEVICE_CONTROL,
  IRP_MJ_FILE_SYSTEM_CONTROL,
  IRP_MJ_FLUSH_BUFFERS,
  IRP_MJ_QUERY_INFORMATION,
  IRP_MJ_QUERY_SECURITY,
  IRP_MJ_QUERY_VOLUME_INFORMATION,
  IRP_MJ_SET_INFORMATION,
  IRP_MJ_SET_SECURITY,
  ObDereferenceObject,
  SL_OPEN_TARGET_DIRECTORY,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_INVALID_PARAMETER,
  STATUS_IO_REPARSE_TAG_MISMATCH,
  STATUS_NOT_A_REPARSE_POINT,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_RELATED_OBJECTS,
  type PFILE_OBJECT,
} from '../../src/index.js';
import { installFilter, operations } from '../../src/testing/index.js';

const MAJORS = [IRP_MJ_CREATE, IRP_MJ_QUERY_INFORMATION, IRP_MJ_SET_INFORMATION, IRP_MJ_QUERY_VOLUME_INFORMATION, IRP_MJ_QUERY_SECURITY, IRP_MJ_SET_SECURITY, IRP_MJ_FILE_SYSTEM_CONTROL, IRP_MJ_DEVICE_CONTROL, IRP_MJ_FLUSH_BUFFERS];
const HSM_TAG = 0x1234;
const HSM_GUID = '{00000000-0000-0000-0000-000000001234}';

function run<T>(fsType: 'NTFS' | 'FAT', body: (o: FLT_RELATED_OBJECTS, fo: PFILE_OBJECT) => Blocking<T>): { result: T; above: string[]; below: string[] } {
  const sim = createSimulation();
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:', fsType });
  sim.fileSystem('C:').mkdir('\\docs');
  sim.fileSystem('C:').writeFile('\\a.txt', 'hello');
  const above: string[] = [];
  const below: string[] = [];
  const watch = (log: string[]) =>
    operations(MAJORS, {
      PreOperation: (d) => (log.push(`${d.Iopb.MajorFunction}${d.Iopb.OperationFlags & SL_OPEN_TARGET_DIRECTORY ? ' target-dir' : ''}`), FLT_PREOP_SUCCESS_WITH_CALLBACK),
      PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
    });
  let objects: FLT_RELATED_OBJECTS | null = null;
  installFilter(sim, { name: 'above', altitude: '300000', registration: { OperationRegistration: watch(above) } });
  installFilter(sim, { name: 'caller', altitude: '200000', registration: { InstanceSetupCallback: (o) => ((objects = o), STATUS_SUCCESS) } });
  installFilter(sim, { name: 'below', altitude: '100000', registration: { OperationRegistration: watch(below) } });
  sim.run();
  const t = sim.spawn('caller thread', function* () {
    const open = yield* FltCreateFileEx(objects!.Filter, objects!.Instance, FILE_ALL_ACCESS, { ObjectName: 'C:\\a.txt' }, 0, 0, 0, FILE_OPEN);
    const result = yield* body(objects!, open.FileObject!);
    yield* FltClose(open.FileHandle!);
    yield* ObDereferenceObject(open.FileObject!);
    return result;
  }, { token: 'S-1-5-18' });
  expect(sim.run().reason).toBe('idle');
  if (t.error !== undefined) throw t.error;
  return { result: t.result as T, above, below };
}

describe('synchronous generated routines', () => {
  it('query and set information, below the caller only (§11.18, §11.19)', () => {
    const { result, above, below } = run('NTFS', function* (o, fo) {
      const std = yield* FltQueryInformationFile(o.Instance, fo, 24, FILE_INFORMATION_CLASS.FileStandardInformation);
      const set = yield* FltSetInformationFile(o.Instance, fo, { EndOfFile: 2 }, 8, FILE_INFORMATION_CLASS.FileEndOfFileInformation);
      const after = yield* FltQueryInformationFile(o.Instance, fo, 24, FILE_INFORMATION_CLASS.FileStandardInformation);
      return { before: std.output, set: set.status, after: after.output };
    });
    expect(result.set).toBe(STATUS_SUCCESS);
    expect(result.before).toMatchObject({ info: { EndOfFile: 5 } });
    expect(result.after).toMatchObject({ info: { EndOfFile: 2 } });
    expect(above).toEqual([]);
    expect(below).toEqual(['0', '5', '6', '5']);
  });

  it('a rename by FltSetInformationFile first opens the target directory with FltMgr\'s own create below the caller (§11.19)', () => {
    const { result, below } = run('NTFS', function* (o, fo) {
      return (yield* FltSetInformationFile(o.Instance, fo, { ReplaceIfExists: false, RootDirectory: null, FileName: '\\docs\\b.txt' }, 64, FILE_INFORMATION_CLASS.FileRenameInformation)).status;
    });
    expect(result).toBe(STATUS_SUCCESS);
    expect(below).toEqual(['0', '0 target-dir', '6']);
  });

  it('volume information, security, flush, FSCTL and IOCTL (§11.15–11.17, §11.20–11.22)', () => {
    const { result, below } = run('NTFS', function* (o, fo) {
      const attr = yield* FltQueryVolumeInformationFile(o.Instance, fo, 64, FS_INFORMATION_CLASS.FileFsAttributeInformation);
      const tooSmall = yield* FltQuerySecurityObject(o.Instance, fo, DACL_SECURITY_INFORMATION, 4);
      const sd = yield* FltQuerySecurityObject(o.Instance, fo, DACL_SECURITY_INFORMATION, tooSmall.information);
      const setSd = yield* FltSetSecurityObject(o.Instance, fo, DACL_SECURITY_INFORMATION, null);
      const flush = yield* FltFlushBuffers(o.Instance, fo);
      const fsctl = yield* FltFsControlFile(o.Instance, fo, 0x00099999, null, 0, 0);
      const ioctl = yield* FltDeviceIoControlFile(o.Instance, fo, 0x00222222, null, 0, 0);
      return {
        fsName: (attr.output as { info: { FileSystemName: string } }).info.FileSystemName,
        tooSmall: [tooSmall.status, tooSmall.information > 4],
        sd: sd.status,
        setSd: setSd.status,
        flush,
        fsctl: fsctl.status,
        ioctl: ioctl.status,
      };
    });
    expect(result).toEqual({
      fsName: 'NTFS',
      tooSmall: [STATUS_BUFFER_TOO_SMALL, true],
      sd: STATUS_SUCCESS,
      setSd: 0xc0000005, // STATUS_ACCESS_VIOLATION: a NULL descriptor (§11.22)
      flush: STATUS_SUCCESS,
      fsctl: STATUS_INVALID_DEVICE_REQUEST,
      ioctl: STATUS_INVALID_DEVICE_REQUEST,
    });
    expect(below.slice(1)).toEqual(['10', '20', '20', '21', '9', '13', '14']);
  });

  it('FltTagFile and FltUntagFile set and remove a reparse point; tag and GUID rules per §11.6, §11.7', () => {
    const { result } = run('NTFS', function* (o, fo) {
      const out: Record<string, number> = {};
      out.noGuid = yield* FltTagFile(o.Instance, fo, HSM_TAG, null, new Uint8Array([1]), 1);
      out.tag = yield* FltTagFile(o.Instance, fo, HSM_TAG, HSM_GUID, new Uint8Array([1, 2]), 2);
      out.otherTag = yield* FltTagFile(o.Instance, fo, HSM_TAG + 1, HSM_GUID, new Uint8Array([1]), 1);
      out.untagWrong = yield* FltUntagFile(o.Instance, fo, IO_REPARSE_TAG_SYMLINK, null);
      out.untag = yield* FltUntagFile(o.Instance, fo, HSM_TAG, HSM_GUID);
      out.untagAgain = yield* FltUntagFile(o.Instance, fo, HSM_TAG, HSM_GUID);
      return out;
    });
    expect(result).toEqual({
      noGuid: STATUS_INVALID_PARAMETER,
      tag: STATUS_SUCCESS,
      otherTag: STATUS_IO_REPARSE_TAG_MISMATCH,
      untagWrong: STATUS_IO_REPARSE_TAG_MISMATCH,
      untag: STATUS_SUCCESS,
      untagAgain: STATUS_NOT_A_REPARSE_POINT,
    });
  });

  it('FltTagFile on a file system without reparse points returns STATUS_INVALID_DEVICE_REQUEST', () => {
    const { result } = run('FAT', function* (o, fo) {
      return yield* FltTagFile(o.Instance, fo, HSM_TAG, HSM_GUID, new Uint8Array([1]), 1);
    });
    expect(result).toBe(STATUS_INVALID_DEVICE_REQUEST);
  });
});
