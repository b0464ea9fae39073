// §21.9: IRP_MN_NOTIFY_CHANGE_DIRECTORY parked in the file system until a matching change, the
// FILE_NOTIFY_INFORMATION chain in the caller's buffer, STATUS_NOTIFY_ENUM_DIR on overflow,
// STATUS_NOTIFY_CLEANUP at the handle's cleanup, STATUS_DELETE_PENDING when the watched directory is
// marked for deletion, STATUS_CANCELLED when cancelled. Applications use
// sim.io.ReadDirectoryChangesW / NtNotifyChangeDirectoryFile; each test pins the notify facts.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  decodeFileNotifyInformation,
  DELETE,
  FILE_ACTION_ADDED,
  FILE_ACTION_MODIFIED,
  FILE_ACTION_REMOVED,
  FILE_ACTION_RENAMED_NEW_NAME,
  FILE_ACTION_RENAMED_OLD_NAME,
  FILE_CREATE,
  FILE_DELETE_ON_CLOSE,
  FILE_DIRECTORY_FILE,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_INFORMATION_CLASS,
  FILE_LIST_DIRECTORY,
  FILE_NOTIFY_CHANGE_DIR_NAME,
  FILE_NOTIFY_CHANGE_FILE_NAME,
  FILE_NOTIFY_CHANGE_LAST_WRITE,
  FILE_OPEN,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  foldLog,
  IRP_MJ_DIRECTORY_CONTROL,
  ntStatusName,
  sleep,
  STATUS_PENDING,
  type Blocking,
  type FILE_NOTIFY_INFORMATION,
  type OVERLAPPED,
  type Simulation,
} from '../../../src/index.js';
import { compactTrace, installFilter, operations } from '../../../src/testing/index.js';

const NOTIFY_FACTS = ['FsRtlNotifyFullChangeDirectory', 'FsRtlNotifyFullReportChange', 'NotifyChangeCompleted', 'FsRtlNotifyCleanup'] as const;
const SHARE_ALL = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

function system(): Simulation {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').mkdir('\\dir');
  sim.fileSystem('C:').mkdir('\\dir\\sub');
  sim.fileSystem('C:').writeFile('\\dir\\old.txt', 'x');
  sim.run();
  return sim;
}

function* openDir(sim: Simulation, path = 'C:\\dir', synchronous = false): Blocking<string> {
  const r = yield* sim.io.NtCreateFile(path, { DesiredAccess: FILE_LIST_DIRECTORY, ShareAccess: SHARE_ALL, CreateDisposition: FILE_OPEN, CreateOptions: FILE_DIRECTORY_FILE | (synchronous ? FILE_SYNCHRONOUS_IO_NONALERT : 0) });
  return r.handle!;
}

function* createFile(sim: Simulation, path: string, options = 0): Blocking<string> {
  const r = yield* sim.io.NtCreateFile(path, { DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE | DELETE, ShareAccess: SHARE_ALL, CreateDisposition: FILE_CREATE, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT | options });
  return r.handle!;
}

function overlapped(): OVERLAPPED {
  return { hEvent: null, Internal: STATUS_PENDING, InternalHigh: 0 };
}

const entries = (buffer: Uint8Array, o: OVERLAPPED): string[] => decodeFileNotifyInformation(buffer, o.InternalHigh).map(show);
const ACTIONS: Record<number, string> = { [FILE_ACTION_ADDED]: 'ADDED', [FILE_ACTION_REMOVED]: 'REMOVED', [FILE_ACTION_MODIFIED]: 'MODIFIED', [FILE_ACTION_RENAMED_OLD_NAME]: 'OLD', [FILE_ACTION_RENAMED_NEW_NAME]: 'NEW' };
const show = (e: FILE_NOTIFY_INFORMATION): string => `${ACTIONS[e.Action]} ${e.FileName}`;

describe('a notify request parks until a matching change (§21.9)', () => {
  it('ReadDirectoryChangesW waits; a create in the directory completes it with FILE_ACTION_ADDED in the buffer; fold equals live while it waits', () => {
    const sim = system();
    const buffer = new Uint8Array(256);
    const o = overlapped();
    let issued = 0;
    let status = 0;
    sim.spawn('watcher', function* () {
      const d = yield* openDir(sim);
      issued = yield* sim.io.ReadDirectoryChangesW(d, buffer, false, FILE_NOTIFY_CHANGE_FILE_NAME, o);
      status = (yield* sim.io.GetOverlappedResult(d, o, true)).status;
      yield* sim.io.NtClose(d);
    });
    sim.spawn('creator', function* () {
      yield* sleep(5);
      yield* sim.io.NtClose(yield* createFile(sim, 'C:\\dir\\new.txt'));
    });
    sim.runUntil(3);
    const parked = sim.state();
    expect(Object.values(parked.directoryNotifications)).toEqual([
      { fileObject: 'O1', fileId: parked.directoryNotifications.w1!.fileId, completionFilter: FILE_NOTIFY_CHANGE_FILE_NAME, watchTree: false, bufferLength: 256, pending: ['D2'], queued: 0, state: 'Watching' },
    ]);
    expect(foldLog(sim.log)).toEqual(parked);
    sim.run();
    expect(ntStatusName(issued)).toBe('STATUS_PENDING');
    expect(ntStatusName(status)).toBe('STATUS_SUCCESS');
    expect(entries(buffer, o)).toEqual(['ADDED new.txt']);
    expect(o.InternalHigh).toBe(12 + 2 * 'new.txt'.length);
    expect(compactTrace(sim.log, { types: [...NOTIFY_FACTS] })).toEqual([
      'w1 FsRtlNotifyFullChangeDirectory op=D2 fo=O1 filter=0x1 buffer=256',
      'w1 FsRtlNotifyFullReportChange FILE_ACTION_ADDED new.txt',
      'w1 NotifyChangeCompleted op=D2 STATUS_SUCCESS changes=1',
      'w1 FsRtlNotifyCleanup',
    ]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('changes while no request waits are queued and returned by the next request; a rename is OLD then NEW; other changes do not match the filter', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const d = yield* openDir(sim);
      const buffer = new Uint8Array(256);
      const o = overlapped();
      seen.push(ntStatusName(yield* sim.io.ReadDirectoryChangesW(d, buffer, false, FILE_NOTIFY_CHANGE_FILE_NAME, o)));
      const f = yield* sim.io.NtCreateFile('C:\\dir\\old.txt', { DesiredAccess: DELETE | FILE_GENERIC_WRITE, ShareAccess: SHARE_ALL, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
      yield* sim.io.NtWriteFile(f.handle!, 'more', 1);
      yield* sim.io.NtSetInformationFile(f.handle!, FILE_INFORMATION_CLASS.FileRenameInformation, { ReplaceIfExists: false, RootDirectory: null, FileName: 'C:\\dir\\renamed.txt' });
      yield* sim.io.NtClose(f.handle!);
      yield* sim.io.GetOverlappedResult(d, o, true);
      seen.push(...entries(buffer, o));
      const again = overlapped();
      seen.push(ntStatusName(yield* sim.io.ReadDirectoryChangesW(d, buffer, false, FILE_NOTIFY_CHANGE_FILE_NAME, again)));
      seen.push(...entries(buffer, again));
      yield* sim.io.NtClose(d);
    });
    sim.run();
    expect(seen).toEqual(['STATUS_PENDING', 'OLD old.txt', 'STATUS_SUCCESS', 'NEW renamed.txt']);
    expect(compactTrace(sim.log, { types: [...NOTIFY_FACTS] })).toEqual([
      'w1 FsRtlNotifyFullChangeDirectory op=D2 fo=O1 filter=0x1 buffer=256',
      'w1 FsRtlNotifyFullReportChange FILE_ACTION_RENAMED_OLD_NAME old.txt',
      'w1 NotifyChangeCompleted op=D2 STATUS_SUCCESS changes=1',
      'w1 FsRtlNotifyFullReportChange FILE_ACTION_RENAMED_NEW_NAME renamed.txt',
      'w1 FsRtlNotifyFullChangeDirectory op=D11 fo=O1 filter=0x1 buffer=256',
      'w1 NotifyChangeCompleted op=D11 STATUS_SUCCESS changes=1',
      'w1 FsRtlNotifyCleanup',
    ]);
  });

  it('SL_WATCH_TREE reports a change below with its relative name; without it the subdirectory is not watched', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const tree = yield* openDir(sim);
      const flat = yield* openDir(sim);
      const bt = new Uint8Array(128);
      const bf = new Uint8Array(128);
      const ot = overlapped();
      const of = overlapped();
      yield* sim.io.ReadDirectoryChangesW(tree, bt, true, FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_LAST_WRITE, ot);
      yield* sim.io.ReadDirectoryChangesW(flat, bf, false, FILE_NOTIFY_CHANGE_FILE_NAME, of);
      const h = yield* createFile(sim, 'C:\\dir\\sub\\deep.txt', FILE_DELETE_ON_CLOSE);
      seen.push(`tree: ${ntStatusName((yield* sim.io.GetOverlappedResult(tree, ot, true)).status)} ${entries(bt, ot).join(', ')}`);
      seen.push(`flat: ${ntStatusName((yield* sim.io.GetOverlappedResult(flat, of, false)).status)}`);
      yield* sim.io.NtClose(h);
      yield* sim.io.NtClose(flat);
      seen.push(`flat after close: ${ntStatusName((yield* sim.io.GetOverlappedResult(flat, of, true)).status)}`);
      yield* sim.io.NtClose(tree);
    });
    sim.run();
    expect(seen).toEqual(['tree: STATUS_SUCCESS ADDED sub\\deep.txt', 'flat: STATUS_PENDING', 'flat after close: STATUS_NOTIFY_CLEANUP']);
  });
});

describe('overflow, cleanup, cancel (§21.9)', () => {
  it('changes that do not fit the buffer: STATUS_NOTIFY_ENUM_DIR with Information 0, the changes discarded', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const d = yield* openDir(sim, 'C:\\dir', true);
      const small = new Uint8Array(32);
      // The first request sets the structure's buffer (32 bytes) and waits.
      const o = overlapped();
      const watcher = sim.spawn('watcher', function* () {
        yield* sim.io.ReadDirectoryChangesW(d, small, false, FILE_NOTIFY_CHANGE_FILE_NAME, o);
      });
      yield* sleep(1);
      yield* sim.io.NtClose(yield* createFile(sim, 'C:\\dir\\a.txt'));
      yield* sim.join(watcher);
      seen.push(`first: ${ntStatusName(o.Internal)} ${entries(small, o).join(', ')}`);
      // Three more names queue up: 3 × (12 + 2 × 5) bytes do not fit 32.
      for (const n of ['b', 'c', 'd']) yield* sim.io.NtClose(yield* createFile(sim, `C:\\dir\\${n}.txt`));
      const r = yield* sim.io.NtNotifyChangeDirectoryFile(d, small, FILE_NOTIFY_CHANGE_FILE_NAME);
      seen.push(`second: ${ntStatusName(r.status)} information=${r.information}`);
      yield* sim.io.NtClose(d);
    });
    sim.run();
    expect(seen).toEqual(['first: STATUS_SUCCESS ADDED a.txt', 'second: STATUS_NOTIFY_ENUM_DIR information=0']);
    expect(compactTrace(sim.log, { types: [...NOTIFY_FACTS] }).slice(3)).toEqual([
      'w1 FsRtlNotifyFullReportChange FILE_ACTION_ADDED b.txt',
      'w1 FsRtlNotifyFullReportChange FILE_ACTION_ADDED c.txt overflow',
      'w1 FsRtlNotifyFullReportChange FILE_ACTION_ADDED d.txt overflow',
      expect.stringMatching(/^w1 FsRtlNotifyFullChangeDirectory op=D\d+ fo=O1 filter=0x1 buffer=32$/),
      expect.stringMatching(/^w1 NotifyChangeCompleted op=D\d+ STATUS_NOTIFY_ENUM_DIR changes=0$/),
      'w1 FsRtlNotifyCleanup',
    ]);
  });

  it('CancelIoEx on a parked request: STATUS_CANCELLED; the structure stays for the next request', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const d = yield* openDir(sim);
      const buffer = new Uint8Array(64);
      const o = overlapped();
      yield* sim.io.ReadDirectoryChangesW(d, buffer, false, FILE_NOTIFY_CHANGE_FILE_NAME, o);
      yield* sim.io.CancelIoEx(d, o);
      seen.push(ntStatusName((yield* sim.io.GetOverlappedResult(d, o, true)).status));
      seen.push(`${Object.values(sim.state().directoryNotifications).map((n) => `${n.state} pending=${n.pending.length}`).join()}`);
      yield* sim.io.NtClose(d);
    });
    sim.run();
    expect(seen).toEqual(['STATUS_CANCELLED', 'Watching pending=0']);
    expect(compactTrace(sim.log, { types: [...NOTIFY_FACTS, 'IoCancelIrp'] })).toEqual([
      'w1 FsRtlNotifyFullChangeDirectory op=D2 fo=O1 filter=0x1 buffer=64',
      'J1 IoCancelIrp op=D2 by=CancelIoEx thread=T1 routine called',
      'w1 NotifyChangeCompleted op=D2 STATUS_CANCELLED changes=0',
      'w1 FsRtlNotifyCleanup',
    ]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('the watched directory marked for deletion by another handle: the parked request ends with STATUS_DELETE_PENDING, a new one at once; a tree watch above only hears the name go', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const watched = yield* openDir(sim, 'C:\\dir\\sub');
      const above = yield* openDir(sim, 'C:\\dir');
      const o = overlapped();
      const t = overlapped();
      yield* sim.io.ReadDirectoryChangesW(watched, new Uint8Array(64), false, FILE_NOTIFY_CHANGE_FILE_NAME, o);
      const treeBuffer = new Uint8Array(64);
      yield* sim.io.ReadDirectoryChangesW(above, treeBuffer, true, FILE_NOTIFY_CHANGE_DIR_NAME, t);
      const deleter = yield* sim.io.NtCreateFile('C:\\dir\\sub', { DesiredAccess: DELETE, ShareAccess: SHARE_ALL, CreateDisposition: FILE_OPEN, CreateOptions: FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT });
      yield* sim.io.NtSetInformationFile(deleter.handle!, FILE_INFORMATION_CLASS.FileDispositionInformation, { DeleteFile: true });
      seen.push(`parked: ${ntStatusName((yield* sim.io.GetOverlappedResult(watched, o, true)).status)}`);
      seen.push(`new request: ${ntStatusName((yield* sim.io.NtNotifyChangeDirectoryFile(watched, new Uint8Array(64), FILE_NOTIFY_CHANGE_FILE_NAME)).status)}`);
      seen.push(`tree watch before the last cleanup: ${ntStatusName(t.Internal)}`);
      yield* sim.io.NtClose(deleter.handle!);
      yield* sim.io.NtClose(watched);
      seen.push(`tree watch: ${ntStatusName((yield* sim.io.GetOverlappedResult(above, t, true)).status)} ${entries(treeBuffer, t).join(', ')}`);
      yield* sim.io.NtClose(above);
    });
    sim.run();
    expect(seen).toEqual([
      'parked: STATUS_DELETE_PENDING',
      'new request: STATUS_DELETE_PENDING',
      'tree watch before the last cleanup: STATUS_PENDING',
      'tree watch: STATUS_SUCCESS REMOVED sub',
    ]);
    expect(compactTrace(sim.log, { types: [...NOTIFY_FACTS] })).toEqual([
      'w1 FsRtlNotifyFullChangeDirectory op=D3 fo=O1 filter=0x1 buffer=64',
      'w2 FsRtlNotifyFullChangeDirectory op=D4 fo=O2 filter=0x2 tree buffer=64',
      'w1 NotifyChangeCompleted op=D3 STATUS_DELETE_PENDING changes=0',
      'w1 FsRtlNotifyCleanup',
      'w2 FsRtlNotifyFullReportChange FILE_ACTION_REMOVED sub',
      'w2 NotifyChangeCompleted op=D4 STATUS_SUCCESS changes=1',
      'w2 FsRtlNotifyCleanup',
    ]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('a delete-on-close handle to the watched directory cleaned up while another handle still watches: STATUS_DELETE_PENDING', () => {
    const sim = system();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const watched = yield* openDir(sim, 'C:\\dir\\sub');
      const o = overlapped();
      yield* sim.io.ReadDirectoryChangesW(watched, new Uint8Array(64), false, FILE_NOTIFY_CHANGE_FILE_NAME, o);
      const doomed = yield* sim.io.NtCreateFile('C:\\dir\\sub', { DesiredAccess: DELETE, ShareAccess: SHARE_ALL, CreateDisposition: FILE_OPEN, CreateOptions: FILE_DIRECTORY_FILE | FILE_DELETE_ON_CLOSE | FILE_SYNCHRONOUS_IO_NONALERT });
      seen.push(`before: ${ntStatusName(o.Internal)}`);
      yield* sim.io.NtClose(doomed.handle!);
      seen.push(`after the delete-on-close cleanup: ${ntStatusName((yield* sim.io.GetOverlappedResult(watched, o, true)).status)}`);
      yield* sim.io.NtClose(watched);
      seen.push(`gone: ${sim.fileSystem('C:').exists('\\dir\\sub') ? 'no' : 'yes'}`);
    });
    sim.run();
    expect(seen).toEqual(['before: STATUS_PENDING', 'after the delete-on-close cleanup: STATUS_DELETE_PENDING', 'gone: yes']);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('a file that is not a directory: STATUS_INVALID_PARAMETER; a filter above sees the entries in DirectoryBuffer in its post-operation', () => {
    const sim = system();
    const posts: string[] = [];
    installFilter(sim, {
      name: 'watcher',
      altitude: '370000',
      registration: {
        OperationRegistration: operations([IRP_MJ_DIRECTORY_CONTROL], {
          PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
          PostOperation: (data) => {
            const n = data.Iopb.Parameters as { DirectoryControl?: { NotifyDirectory?: { DirectoryBuffer?: Uint8Array | null } } };
            const buffer = n.DirectoryControl?.NotifyDirectory?.DirectoryBuffer;
            if (buffer !== undefined && buffer !== null) posts.push(`${ntStatusName(data.IoStatus.Status)} ${decodeFileNotifyInformation(buffer, data.IoStatus.Information).map(show).join()}`);
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        }),
      },
    });
    sim.run();
    let notADirectory = 0;
    sim.spawn('app', function* () {
      const f = yield* sim.io.NtCreateFile('C:\\dir\\old.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: SHARE_ALL, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
      notADirectory = (yield* sim.io.NtNotifyChangeDirectoryFile(f.handle!, new Uint8Array(64), FILE_NOTIFY_CHANGE_FILE_NAME)).status;
      yield* sim.io.NtClose(f.handle!);
      const d = yield* openDir(sim);
      const buffer = new Uint8Array(64);
      const o = overlapped();
      yield* sim.io.ReadDirectoryChangesW(d, buffer, false, FILE_NOTIFY_CHANGE_FILE_NAME, o);
      yield* sim.io.NtClose(yield* createFile(sim, 'C:\\dir\\seen.txt'));
      yield* sim.io.GetOverlappedResult(d, o, true);
      yield* sim.io.NtClose(d);
    });
    sim.run();
    expect(ntStatusName(notADirectory)).toBe('STATUS_INVALID_PARAMETER');
    expect(posts).toEqual(['STATUS_INVALID_PARAMETER ', 'STATUS_SUCCESS ADDED seen.txt']);
  });
});
