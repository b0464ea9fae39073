// I/O from above the stack (issue 3 item 3): what an application gets back, and what filters see.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_CREATE,
  FILE_CREATED,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_INFORMATION_CLASS,
  FILE_OPEN,
  FILE_OPEN_REPARSE_POINT,
  FILE_OPENED,
  FILE_SHARE_READ,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  IRP_MJ_CREATE,
  IRP_MJ_SET_INFORMATION,
  SL_OPEN_TARGET_DIRECTORY,
  STATUS_ACCESS_DENIED,
  STATUS_INFO_LENGTH_MISMATCH,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_INFO_CLASS,
  STATUS_INVALID_PARAMETER,
  STATUS_IO_REPARSE_TAG_NOT_HANDLED,
  STATUS_OBJECT_NAME_COLLISION,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_OBJECT_PATH_NOT_FOUND,
  STATUS_REPARSE,
  STATUS_SHARING_VIOLATION,
  STATUS_SUCCESS,
  type FsTagData,
} from '../../src/index.js';
import { compactTrace, installFilter, operations } from '../../src/testing/index.js';

const HSM_TAG = 0x0000_1234; // a non-Microsoft tag, as an HSM filter would own
const HSM_GUID = '{5e1b8f52-6d1c-4c5a-9a7e-000000001234}';

function volume() {
  const sim = createSimulation();
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  return sim;
}

describe('application I/O', () => {
  it('writes land in the file system and read back; CurrentByteOffset advances on a synchronous file object', () => {
    const sim = volume();
    const app = sim.spawn('app', function* () {
      const c = yield* sim.io.NtCreateFile('C:\\notes.txt', {
        DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE,
        CreateDisposition: FILE_CREATE,
        CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT,
      });
      expect([c.status, c.information]).toEqual([STATUS_SUCCESS, FILE_CREATED]);
      yield* sim.io.NtWriteFile(c.handle!, 'hello ');
      yield* sim.io.NtWriteFile(c.handle!, 'world');
      const position = yield* sim.io.NtQueryInformationFile(c.handle!, FILE_INFORMATION_CLASS.FilePositionInformation, 8);
      const again = yield* sim.io.NtReadFile(c.handle!, 5, 6);
      yield* sim.io.NtClose(c.handle!);
      return { position: position.output, again: new TextDecoder().decode(again.output!) };
    });
    expect(sim.run().reason).toBe('idle');
    expect(new TextDecoder().decode(sim.fileSystem('C:').readFile('\\notes.txt')!)).toBe('hello world');
    expect(app.result).toEqual({ position: { kind: 'fileInformation', FileInformationClass: 14, info: { CurrentByteOffset: 11 } }, again: 'world' });
    expect(sim.state().fileObjects).toEqual({});
  });

  it('two threads opening one file: the second, asking to write without FILE_SHARE_WRITE granted, gets STATUS_SHARING_VIOLATION', () => {
    const sim = volume();
    sim.fileSystem('C:').writeFile('\\shared.txt', 'x');
    const results: number[] = [];
    for (const name of ['reader', 'writer']) {
      sim.spawn(name, function* () {
        const c = yield* sim.io.NtCreateFile('C:\\shared.txt', {
          DesiredAccess: name === 'reader' ? FILE_GENERIC_READ : FILE_GENERIC_WRITE,
          ShareAccess: FILE_SHARE_READ,
          CreateDisposition: FILE_OPEN,
        });
        results.push(c.status);
        return c.status;
      });
    }
    sim.run();
    expect(results).toEqual([STATUS_SUCCESS, STATUS_SHARING_VIOLATION]);
  });

  it('reparse on open: filters see STATUS_REPARSE and the tag data in post-create; the application gets STATUS_IO_REPARSE_TAG_NOT_HANDLED; FILE_OPEN_REPARSE_POINT opens the point itself', () => {
    const sim = volume();
    sim.fileSystem('C:').writeFile('\\stub.dat', '');
    sim.fileSystem('C:').setReparsePoint('\\stub.dat', HSM_TAG, HSM_GUID, new Uint8Array([1, 2, 3]));
    const posts: { status: number; tag: FsTagData | null }[] = [];
    installFilter(sim, {
      name: 'watcher',
      altitude: '370000',
      registration: {
        OperationRegistration: operations([IRP_MJ_CREATE], {
          PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
          PostOperation: (data) => (posts.push({ status: data.IoStatus.Status, tag: data.TagData }), FLT_POSTOP_FINISHED_PROCESSING),
        }),
      },
    });
    sim.run();
    const app = sim.spawn('app', function* () {
      const plain = yield* sim.io.NtCreateFile('C:\\stub.dat', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN });
      const point = yield* sim.io.NtCreateFile('C:\\stub.dat', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN, CreateOptions: FILE_OPEN_REPARSE_POINT });
      return [plain.status, point.status, point.information];
    });
    sim.run();
    expect(app.result).toEqual([STATUS_IO_REPARSE_TAG_NOT_HANDLED, STATUS_SUCCESS, FILE_OPENED]);
    expect(posts[0]).toMatchObject({ status: STATUS_REPARSE, tag: { ReparseTag: HSM_TAG, ReparseGuid: HSM_GUID } });
    expect(posts[1]).toMatchObject({ status: STATUS_SUCCESS, tag: null });
  });

  it('a rename first opens the target directory (SL_OPEN_TARGET_DIRECTORY), which filters below the top see as its own create', () => {
    const sim = volume();
    sim.fileSystem('C:').mkdir('\\docs');
    sim.fileSystem('C:').writeFile('\\a.txt', 'A');
    const seen: string[] = [];
    installFilter(sim, {
      name: 'mon',
      altitude: '385100',
      registration: {
        OperationRegistration: operations([IRP_MJ_CREATE, IRP_MJ_SET_INFORMATION], {
          PreOperation: (d) => {
            seen.push(d.Iopb.MajorFunction === IRP_MJ_CREATE ? `create ${d.Iopb.TargetFileObject!.FileName}${d.Iopb.OperationFlags & SL_OPEN_TARGET_DIRECTORY ? ' (target directory)' : ''}` : 'set information');
            return FLT_PREOP_SUCCESS_WITH_CALLBACK;
          },
          PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
        }),
      },
    });
    sim.run();
    const app = sim.spawn('app', function* () {
      const c = yield* sim.io.NtCreateFile('C:\\a.txt', { DesiredAccess: FILE_GENERIC_READ | 0x00010000, CreateDisposition: FILE_OPEN });
      const r = yield* sim.io.NtSetInformationFile(c.handle!, FILE_INFORMATION_CLASS.FileRenameInformation, { ReplaceIfExists: false, RootDirectory: null, FileName: '\\docs\\b.txt' });
      yield* sim.io.NtClose(c.handle!);
      return r.status;
    });
    sim.run();
    expect(app.result).toBe(STATUS_SUCCESS);
    expect(seen).toEqual(['create \\a.txt', 'create \\docs\\b.txt (target directory)', 'set information']);
    expect(sim.fileSystem('C:').list('\\docs')).toEqual(['b.txt']);
  });

  it('bad input is an NTSTATUS, never an exception: bad path, wrong disposition, unknown class, buffer too small, closed handle', () => {
    const sim = volume();
    sim.fileSystem('C:').writeFile('\\f.txt', 'data');
    const app = sim.spawn('app', function* () {
      const out: Record<string, number> = {};
      out.noVolume = (yield* sim.io.NtCreateFile('Q:\\f.txt', { DesiredAccess: FILE_GENERIC_READ })).status;
      out.noParent = (yield* sim.io.NtCreateFile('C:\\missing\\f.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN })).status;
      out.noFile = (yield* sim.io.NtCreateFile('C:\\nope.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN })).status;
      out.exists = (yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_CREATE })).status;
      out.badDisposition = (yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: 9 })).status;
      const c = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN });
      out.unknownClass = (yield* sim.io.NtQueryInformationFile(c.handle!, 200, 64)).status;
      out.tooSmall = (yield* sim.io.NtQueryInformationFile(c.handle!, FILE_INFORMATION_CLASS.FileBasicInformation, 8)).status;
      out.noWriteAccess = (yield* sim.io.NtWriteFile(c.handle!, 'x', 0)).status;
      out.asyncNoOffset = (yield* sim.io.NtReadFile(c.handle!, 4)).status;
      yield* sim.io.NtClose(c.handle!);
      out.closed = (yield* sim.io.NtReadFile(c.handle!, 4, 0)).status;
      return out;
    });
    expect(sim.run().reason).toBe('idle');
    expect(app.result).toEqual({
      noVolume: STATUS_OBJECT_PATH_NOT_FOUND,
      noParent: STATUS_OBJECT_PATH_NOT_FOUND,
      noFile: STATUS_OBJECT_NAME_NOT_FOUND,
      exists: STATUS_OBJECT_NAME_COLLISION,
      badDisposition: STATUS_INVALID_PARAMETER,
      unknownClass: STATUS_INVALID_INFO_CLASS,
      tooSmall: STATUS_INFO_LENGTH_MISMATCH,
      noWriteAccess: STATUS_ACCESS_DENIED,
      asyncNoOffset: STATUS_INVALID_PARAMETER,
      closed: STATUS_INVALID_HANDLE,
    });
  });

  it('a post-create that fails a create the file system opened, without FltCancelFileOpen, is a verifier error (the open would leak)', () => {
    const sim = createSimulation({ onViolation: 'record' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\f.txt', 'x');
    installFilter(sim, {
      name: 'denier',
      altitude: '328000',
      registration: {
        OperationRegistration: operations([IRP_MJ_CREATE], {
          PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
          PostOperation: (d) => ((d.IoStatus = { Status: STATUS_ACCESS_DENIED, Information: 0 }), FLT_POSTOP_FINISHED_PROCESSING),
        }),
      },
    });
    sim.run();
    sim.spawn('app', () => sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN }));
    sim.run();
    expect(sim.state().violations.map((v) => v.rule)).toEqual(['CREATE_FAILED_WITHOUT_CANCEL']);
    expect(compactTrace(sim.log, { types: ['IoComplete'] })).toEqual(['D1(CREATE \\f.txt) IoComplete status=STATUS_ACCESS_DENIED information=0']);
  });
});
