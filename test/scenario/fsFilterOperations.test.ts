/**
 * The FsFilter callback operations (§24.1, §24.9 invariant 16) as minifilters see them: the memory
 * manager's IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION / IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION
 * around every section creation, the modified page writer's IRP_MJ_ACQUIRE_FOR_MOD_WRITE /
 * IRP_MJ_RELEASE_FOR_MOD_WRITE around each paging write, and a view flush's IRP_MJ_ACQUIRE_FOR_CC_FLUSH /
 * IRP_MJ_RELEASE_FOR_CC_FLUSH; the one failure a filter may give (STATUS_INSUFFICIENT_RESOURCES on a
 * create-section acquire) and the misuses the verifier names.
 */
import { describe, expect, it } from 'vitest';
import {
  CloseHandle,
  createSimulation,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_MAP_READ,
  FILE_MAP_WRITE,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_DISALLOW_FASTIO,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_SECTION_CONTEXT,
  FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION,
  FltAllocateContext,
  FltCloseSectionForDataScan,
  FltCreateSectionForDataScan,
  FltRegisterForDataScan,
  FltReleaseContext,
  FlushViewOfFile,
  foldLog,
  FSCTL_REQUEST_OPLOCK_LEVEL_2,
  IRP_MJ_ACQUIRE_FOR_CC_FLUSH,
  IRP_MJ_ACQUIRE_FOR_MOD_WRITE,
  IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION,
  IRP_MJ_CREATE,
  IRP_MJ_RELEASE_FOR_CC_FLUSH,
  IRP_MJ_RELEASE_FOR_MOD_WRITE,
  IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION,
  IRP_MJ_WRITE,
  irpMajorName,
  MapViewOfFile,
  ntStatusName,
  OBJ_KERNEL_HANDLE,
  ObDereferenceObject,
  PAGE_READONLY,
  PAGE_READWRITE,
  PagedPool,
  SEC_COMMIT,
  SECTION_MAP_READ,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_PENDING,
  STATUS_SUCCESS,
  UnmapViewOfFile,
  writeMappedView,
  ZwClose,
  type FLT_CALLBACK_DATA,
  type FLT_PREOP_CALLBACK_STATUS,
  type Simulation,
} from '../../src/index.js';
import { compactTrace, fsFilterAcquiresReleased, fsFilterOperations, installFilter, operations } from '../../src/testing/index.js';
import { fsFilterTriggers, mapThrough } from '../verifier/fsFilterTriggers.js';

const FS_FILTER = [
  IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION,
  IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION,
  IRP_MJ_ACQUIRE_FOR_MOD_WRITE,
  IRP_MJ_RELEASE_FOR_MOD_WRITE,
  IRP_MJ_ACQUIRE_FOR_CC_FLUSH,
  IRP_MJ_RELEASE_FOR_CC_FLUSH,
];

const short = (major: number): string => irpMajorName(major).replace('IRP_MJ_', '');

/** What a callback saw: who, pre or post, the major, FS_FILTER or not, the parameters, the thread's process. */
function describeCall(sim: Simulation, who: string, when: 'pre' | 'post', Data: FLT_CALLBACK_DATA): string {
  const kind = (Data.Flags & FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION) !== 0 ? 'FS_FILTER' : 'IRP';
  const params = JSON.stringify(Data.Iopb.Parameters, (k, v: unknown) => (v instanceof Uint8Array || k === 'MdlAddress' ? undefined : v));
  const status = when === 'post' ? ` ${ntStatusName(Data.IoStatus.Status)}` : '';
  return `${who} ${when} ${short(Data.Iopb.MajorFunction)} ${kind} ${params} ${sim.PsGetCurrentThread().process.ImageFileName}${status}`;
}

/** C: with \m.txt and two filters, `upper` (380000) above `lower` (320000), each with pre and post for the FsFilter majors and IRP_MJ_WRITE. */
function system(seen: string[], lowerPre?: (Data: FLT_CALLBACK_DATA) => FLT_PREOP_CALLBACK_STATUS): Simulation {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\m.txt', 'aaaaaaaaaa');
  for (const [who, altitude] of [['upper', '380000'], ['lower', '320000']] as const) {
    installFilter(sim, {
      name: who,
      altitude,
      registration: {
        OperationRegistration: operations([...FS_FILTER, IRP_MJ_WRITE], {
          PreOperation: (Data) => {
            seen.push(describeCall(sim, who, 'pre', Data));
            return who === 'lower' && lowerPre !== undefined ? lowerPre(Data) : FLT_PREOP_SUCCESS_WITH_CALLBACK;
          },
          PostOperation: (Data) => {
            seen.push(describeCall(sim, who, 'post', Data));
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        }),
      },
    });
  }
  sim.run();
  return sim;
}

const OPEN = { DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT } as const;

/** The §24.1 workload: open, map read/write, map a view, close the handle, write through the view, unmap, close the mapping. */
function mapWriteCloseUnmap(seen: string[]): Simulation {
  const sim = system(seen);
  sim.spawn('app', function* () {
    const f = yield* sim.io.NtCreateFile('C:\\m.txt', OPEN);
    const mapping = yield* sim.io.CreateFileMappingW(f.handle!, null, PAGE_READWRITE, 0, 0, null);
    const view = yield* MapViewOfFile(mapping!, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
    yield* sim.io.NtClose(f.handle!);
    yield* writeMappedView(view!, 2, 'ZZ');
    yield* UnmapViewOfFile(view!);
    yield* CloseHandle(mapping!);
  });
  sim.run();
  return sim;
}

const majors = (sim: Simulation): string[] => compactTrace(sim.log, { types: ['IoStart'] }).map((l) => /IRP_MJ_(\w+)/.exec(l)![1]!);

describe('section synchronization and the modified page writer (§24.1)', () => {
  it('app maps a file, writes through the view, closes the handle, unmaps: CREATE, ACQUIRE_FOR_SECTION_SYNC, RELEASE_FOR_SECTION_SYNC, CLEANUP, ACQUIRE_FOR_MOD_WRITE, WRITE(PAGING|NOCACHE), RELEASE_FOR_MOD_WRITE, CLOSE', () => {
    const seen: string[] = [];
    const sim = mapWriteCloseUnmap(seen);
    expect(majors(sim)).toEqual(['CREATE', 'ACQUIRE_FOR_SECTION_SYNCHRONIZATION', 'RELEASE_FOR_SECTION_SYNCHRONIZATION', 'CLEANUP', 'ACQUIRE_FOR_MOD_WRITE', 'WRITE', 'RELEASE_FOR_MOD_WRITE', 'CLOSE']);
    // Pre-ops from the highest altitude down, post-ops back up; the section's acquire on the
    // application's thread, the modified page writer's on the System process's.
    expect(seen).toEqual([
      'upper pre ACQUIRE_FOR_SECTION_SYNCHRONIZATION FS_FILTER {"AcquireForSectionSynchronization":{"SyncType":1,"PageProtection":4}} application.exe',
      'lower pre ACQUIRE_FOR_SECTION_SYNCHRONIZATION FS_FILTER {"AcquireForSectionSynchronization":{"SyncType":1,"PageProtection":4}} application.exe',
      'lower post ACQUIRE_FOR_SECTION_SYNCHRONIZATION FS_FILTER {"AcquireForSectionSynchronization":{"SyncType":1,"PageProtection":4}} application.exe STATUS_SUCCESS',
      'upper post ACQUIRE_FOR_SECTION_SYNCHRONIZATION FS_FILTER {"AcquireForSectionSynchronization":{"SyncType":1,"PageProtection":4}} application.exe STATUS_SUCCESS',
      'upper pre RELEASE_FOR_SECTION_SYNCHRONIZATION FS_FILTER {"Others":{}} application.exe',
      'lower pre RELEASE_FOR_SECTION_SYNCHRONIZATION FS_FILTER {"Others":{}} application.exe',
      'lower post RELEASE_FOR_SECTION_SYNCHRONIZATION FS_FILTER {"Others":{}} application.exe STATUS_SUCCESS',
      'upper post RELEASE_FOR_SECTION_SYNCHRONIZATION FS_FILTER {"Others":{}} application.exe STATUS_SUCCESS',
      'upper pre ACQUIRE_FOR_MOD_WRITE FS_FILTER {"AcquireForModifiedPageWriter":{"EndingOffset":4096}} System',
      'lower pre ACQUIRE_FOR_MOD_WRITE FS_FILTER {"AcquireForModifiedPageWriter":{"EndingOffset":4096}} System',
      'lower post ACQUIRE_FOR_MOD_WRITE FS_FILTER {"AcquireForModifiedPageWriter":{"EndingOffset":4096}} System STATUS_SUCCESS',
      'upper post ACQUIRE_FOR_MOD_WRITE FS_FILTER {"AcquireForModifiedPageWriter":{"EndingOffset":4096}} System STATUS_SUCCESS',
      'upper pre WRITE IRP {"Write":{"Length":4096,"Key":0,"ByteOffset":0}} System',
      'lower pre WRITE IRP {"Write":{"Length":4096,"Key":0,"ByteOffset":0}} System',
      'lower post WRITE IRP {"Write":{"Length":4096,"Key":0,"ByteOffset":0}} System STATUS_SUCCESS',
      'upper post WRITE IRP {"Write":{"Length":4096,"Key":0,"ByteOffset":0}} System STATUS_SUCCESS',
      'upper pre RELEASE_FOR_MOD_WRITE FS_FILTER {"ReleaseForModifiedPageWriter":{}} System',
      'lower pre RELEASE_FOR_MOD_WRITE FS_FILTER {"ReleaseForModifiedPageWriter":{}} System',
      'lower post RELEASE_FOR_MOD_WRITE FS_FILTER {"ReleaseForModifiedPageWriter":{}} System STATUS_SUCCESS',
      'upper post RELEASE_FOR_MOD_WRITE FS_FILTER {"ReleaseForModifiedPageWriter":{}} System STATUS_SUCCESS',
    ]);
    // In the log: FS_FILTER_OPERATION, kernel mode, no initiator (never generated).
    expect(compactTrace(sim.log, { types: ['IoStart'] }).filter((l) => l.includes('FOR_'))).toEqual([
      'D2(ACQUIRE_FOR_SECTION_SYNCHRONIZATION \\m.txt) IoStart IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION file=O1:\\m.txt flags=FS_FILTER_OPERATION KernelMode {SyncType: SyncTypeCreateSection, PageProtection: PAGE_READWRITE}',
      'D3(RELEASE_FOR_SECTION_SYNCHRONIZATION \\m.txt) IoStart IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION file=O1:\\m.txt flags=FS_FILTER_OPERATION KernelMode {}',
      'D5(ACQUIRE_FOR_MOD_WRITE \\m.txt) IoStart IRP_MJ_ACQUIRE_FOR_MOD_WRITE file=O1:\\m.txt flags=FS_FILTER_OPERATION KernelMode {EndingOffset: 4096}',
      'D7(RELEASE_FOR_MOD_WRITE \\m.txt) IoStart IRP_MJ_RELEASE_FOR_MOD_WRITE file=O1:\\m.txt flags=FS_FILTER_OPERATION KernelMode {}',
    ]);
    expect(new TextDecoder().decode(sim.fileSystem('C:').readFile('\\m.txt')!)).toBe('aaZZaaaaaa');
    expect(sim.state().violations).toEqual([]);
    expect([...fsFilterOperations(sim.log), ...fsFilterAcquiresReleased(sim.log)]).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('a filter fails the create-section acquire with STATUS_INSUFFICIENT_RESOURCES: CreateFileMappingW fails with it, no section, no release; the filter above sees the failure in its post-op', () => {
    const seen: string[] = [];
    const sim = system(seen, (Data) => {
      if (Data.Iopb.MajorFunction !== IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION) return FLT_PREOP_SUCCESS_WITH_CALLBACK;
      Data.IoStatus = { Status: STATUS_INSUFFICIENT_RESOURCES, Information: 0 };
      return FLT_PREOP_COMPLETE;
    });
    let mapping: unknown = 'not called';
    sim.spawn('app', function* () {
      const f = yield* sim.io.NtCreateFile('C:\\m.txt', OPEN);
      mapping = yield* sim.io.CreateFileMappingW(f.handle!, null, PAGE_READWRITE, 0, 0, null);
      yield* sim.io.NtClose(f.handle!);
    });
    sim.run();
    expect(mapping).toBeNull();
    expect(seen).toEqual([
      'upper pre ACQUIRE_FOR_SECTION_SYNCHRONIZATION FS_FILTER {"AcquireForSectionSynchronization":{"SyncType":1,"PageProtection":4}} application.exe',
      'lower pre ACQUIRE_FOR_SECTION_SYNCHRONIZATION FS_FILTER {"AcquireForSectionSynchronization":{"SyncType":1,"PageProtection":4}} application.exe',
      'upper post ACQUIRE_FOR_SECTION_SYNCHRONIZATION FS_FILTER {"AcquireForSectionSynchronization":{"SyncType":1,"PageProtection":4}} application.exe STATUS_INSUFFICIENT_RESOURCES',
    ]);
    expect(majors(sim)).toEqual(['CREATE', 'ACQUIRE_FOR_SECTION_SYNCHRONIZATION', 'CLEANUP', 'CLOSE']);
    expect(compactTrace(sim.log, { types: ['RoutineFailed', 'SectionCreate'] })).toEqual(['O1(\\m.txt) RoutineFailed routine=CreateFileMappingW status=STATUS_INSUFFICIENT_RESOURCES (IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION of O1(\\m.txt) failed)']);
    expect(sim.state().violations).toEqual([]);
    expect([...fsFilterOperations(sim.log), ...fsFilterAcquiresReleased(sim.log)]).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('FlushViewOfFile writes the dirty pages now, on the caller\'s thread: ACQUIRE_FOR_CC_FLUSH, WRITE(PAGING|NOCACHE|SYNCHRONOUS_PAGING), RELEASE_FOR_CC_FLUSH; the modified page writer then has nothing to write (§24.3)', () => {
    const seen: string[] = [];
    const sim = system(seen);
    const flushed: boolean[] = [];
    sim.spawn('app', function* () {
      const f = yield* sim.io.NtCreateFile('C:\\m.txt', OPEN);
      const mapping = yield* sim.io.CreateFileMappingW(f.handle!, null, PAGE_READWRITE, 0, 0, null);
      const view = yield* MapViewOfFile(mapping!, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
      yield* writeMappedView(view!, 0, 'QQ');
      flushed.push(yield* FlushViewOfFile(view!, 0));
      flushed.push(yield* FlushViewOfFile(view!, 0)); // nothing dirty: no I/O
      yield* UnmapViewOfFile(view!);
      yield* CloseHandle(mapping!);
      yield* sim.io.NtClose(f.handle!);
    });
    sim.run();
    expect(flushed).toEqual([true, true]);
    expect(majors(sim)).toEqual(['CREATE', 'ACQUIRE_FOR_SECTION_SYNCHRONIZATION', 'RELEASE_FOR_SECTION_SYNCHRONIZATION', 'ACQUIRE_FOR_CC_FLUSH', 'WRITE', 'RELEASE_FOR_CC_FLUSH', 'CLEANUP', 'CLOSE']);
    expect(seen.filter((l) => l.startsWith('upper pre') && !l.includes('SECTION'))).toEqual([
      'upper pre ACQUIRE_FOR_CC_FLUSH FS_FILTER {"Others":{}} application.exe',
      'upper pre WRITE IRP {"Write":{"Length":4096,"Key":0,"ByteOffset":0}} application.exe',
      'upper pre RELEASE_FOR_CC_FLUSH FS_FILTER {"Others":{}} application.exe',
    ]);
    expect(compactTrace(sim.log, { types: ['IoStart'] }).find((l) => l.includes('IRP_MJ_WRITE'))).toContain('irpFlags=0x43');
    expect(new TextDecoder().decode(sim.fileSystem('C:').readFile('\\m.txt')!)).toBe('QQaaaaaaaa');
    expect([...fsFilterOperations(sim.log), ...fsFilterAcquiresReleased(sim.log)]).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });
});

describe('FltCreateSectionForDataScan is a section creation like any other (§24.1, §24.4)', () => {
  it('its acquire and release go through every instance of the volume, the caller\'s own included, with the section\'s page protection', () => {
    const seen: string[] = [];
    const sim = createSimulation({ onViolation: 'record' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\f.txt', 'clean data');
    const spy = (who: string) => ({
      PreOperation: (Data: FLT_CALLBACK_DATA) => (seen.push(describeCall(sim, who, 'pre', Data)), FLT_PREOP_SUCCESS_WITH_CALLBACK),
      PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
    });
    installFilter(sim, { name: 'watcher', altitude: '380000', registration: { OperationRegistration: operations(FS_FILTER, spy('watcher')) } });
    installFilter(sim, {
      name: 'scan',
      altitude: '265010',
      registration: {
        ContextRegistration: [{ ContextType: FLT_SECTION_CONTEXT, Size: 64, PoolTag: 0x63537641 }],
        InstanceSetupCallback: (FltObjects) => FltRegisterForDataScan(FltObjects.Instance),
        OperationRegistration: [
          ...operations(FS_FILTER, spy('scan')),
          ...operations([IRP_MJ_CREATE], {
            PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
            PostOperation: function* (Data, FltObjects) {
              if (Data.IoStatus.Status !== STATUS_SUCCESS || FltObjects.FileObject!.FileName === '') return FLT_POSTOP_FINISHED_PROCESSING;
              const { status, context } = FltAllocateContext(FltObjects.Filter, FLT_SECTION_CONTEXT, 64, PagedPool);
              if (status !== STATUS_SUCCESS) return FLT_POSTOP_FINISHED_PROCESSING;
              const r = yield* FltCreateSectionForDataScan(FltObjects.Instance, FltObjects.FileObject!, context!, SECTION_MAP_READ, { Attributes: OBJ_KERNEL_HANDLE }, null, PAGE_READONLY, SEC_COMMIT, 0);
              seen.push(`scan: FltCreateSectionForDataScan ${ntStatusName(r.status)}`);
              yield* ZwClose(r.SectionHandle!);
              yield* ObDereferenceObject(r.SectionObject!);
              yield* FltCloseSectionForDataScan(context!);
              FltReleaseContext(context!);
              return FLT_POSTOP_FINISHED_PROCESSING;
            },
          }),
        ],
      },
    });
    sim.run();
    sim.spawn('app', function* () {
      const f = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
      yield* sim.io.NtClose(f.handle!);
    });
    sim.run();
    expect(seen).toEqual([
      'watcher pre ACQUIRE_FOR_SECTION_SYNCHRONIZATION FS_FILTER {"AcquireForSectionSynchronization":{"SyncType":1,"PageProtection":2}} application.exe',
      'scan pre ACQUIRE_FOR_SECTION_SYNCHRONIZATION FS_FILTER {"AcquireForSectionSynchronization":{"SyncType":1,"PageProtection":2}} application.exe',
      'watcher pre RELEASE_FOR_SECTION_SYNCHRONIZATION FS_FILTER {"Others":{}} application.exe',
      'scan pre RELEASE_FOR_SECTION_SYNCHRONIZATION FS_FILTER {"Others":{}} application.exe',
      'scan: FltCreateSectionForDataScan STATUS_SUCCESS',
    ]);
    const order = compactTrace(sim.log, { types: ['IoStart', 'SectionCreate'] }).map((l) => /IRP_MJ_(\w+)|SectionCreate/.exec(l)![0]);
    expect(order).toEqual(['IRP_MJ_CREATE', 'IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION', 'SectionCreate', 'IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION', 'IRP_MJ_CLEANUP', 'IRP_MJ_CLOSE']);
    expect(sim.state().violations).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });
});

describe('oplocks and the section acquire (§21.8, §24.1)', () => {
  it('a writable section\'s acquire leaves legacy oplocks alone (only the Windows 7 caching oplocks are in its break list); the paging write does not break Level 2 either, a non-paging write by another handle does', () => {
    const sim = createSimulation({ onViolation: 'record' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\m.txt', 'aaaaaaaaaa');
    sim.run();
    const seen: string[] = [];
    sim.spawn('app', function* () {
      const holder = (yield* sim.io.NtCreateFile('C:\\m.txt', { ...OPEN, CreateOptions: 0 })).handle!;
      const request = { hEvent: null, Internal: STATUS_PENDING, InternalHigh: 0 };
      seen.push(`Level 2: ${ntStatusName(yield* sim.io.DeviceIoControl(holder, FSCTL_REQUEST_OPLOCK_LEVEL_2, null, 0, 0, request))}`);
      const f = (yield* sim.io.NtCreateFile('C:\\m.txt', OPEN)).handle!;
      const mapping = yield* sim.io.CreateFileMappingW(f, null, PAGE_READWRITE, 0, 0, null);
      const view = yield* MapViewOfFile(mapping!, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
      yield* writeMappedView(view!, 0, 'QQ');
      yield* FlushViewOfFile(view!, 0);
      const holders = () => Object.values(sim.state().oplocks).flatMap((o) => o.holders.map((h) => `${h.fileObject}:${h.level}`)).join(',') || 'none';
      seen.push(`after the section and its paging write: ${holders()}`);
      yield* sim.io.NtWriteFile(f, 'W', 5);
      seen.push(`after a write by another handle: ${holders()}, the request ${ntStatusName((yield* sim.io.GetOverlappedResult(holder, request, true)).status)}`);
      yield* UnmapViewOfFile(view!);
      yield* CloseHandle(mapping!);
      yield* sim.io.NtClose(f);
      yield* sim.io.NtClose(holder);
    });
    sim.run();
    expect(seen).toEqual(['Level 2: STATUS_PENDING', 'after the section and its paging write: O1:Level2', 'after a write by another handle: none, the request STATUS_SUCCESS']);
    // Broken by the non-paging write (D9), not by the section's acquire or the paging write.
    expect(compactTrace(sim.log, { types: ['OplockGranted', 'OplockBreak'] })).toEqual(['o1 OplockGranted Level2 op=D2 fo=O1', 'o1 OplockBreak fo=O1 Level2 to None by=D9']);
    expect(compactTrace(sim.log, { types: ['IoStart'] }).find((l) => l.startsWith('D9'))).toMatch(/^D9\(WRITE \\m\.txt\) IoStart IRP_MJ_WRITE .*flags=IRP_OPERATION UserMode/);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });
});

describe('misuse is a verifier finding with rule, object and log position (§24.9 invariant 16)', () => {
  for (const rule of ['FS_FILTER_OPERATION_FAILED', 'FS_FILTER_OPERATION_PENDED', 'FS_FILTER_OPERATION_BUFFERS', 'FS_FILTER_OPERATION_GENERATED'] as const) {
    it(rule, () => {
      const sim = fsFilterTriggers[rule]();
      const [v] = sim.state().violations;
      expect(v).toMatchObject({ rule });
      const fact = sim.log[v!.seq]!;
      expect(fact).toMatchObject({ type: 'VerifierViolation', rule, object: v!.object });
      // The finding names the filter's instance (its callback) or, for the generated one, the callback data it sent.
      expect(v!.object).toMatch(rule === 'FS_FILTER_OPERATION_GENERATED' ? /^D\d+$/ : /^I\d+$/);
      expect(foldLog(sim.log).violations).toEqual(sim.state().violations);
    });
  }
});

describe('FLT_PREOP_DISALLOW_FASTIO on an FsFilter callback operation (§8, §24.1)', () => {
  it('is DISALLOW_FASTIO_ON_IRP, and the finding says the operation was an FsFilter callback operation, not an IRP', () => {
    const sim = mapThrough(IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION, { PreOperation: () => FLT_PREOP_DISALLOW_FASTIO });
    const [v] = sim.state().violations;
    expect(v).toMatchObject({ rule: 'DISALLOW_FASTIO_ON_IRP' });
    expect(v!.object).toMatch(/^I\d+$/);
    const fact = sim.log[v!.seq]!;
    expect(fact).toMatchObject({ type: 'VerifierViolation', rule: 'DISALLOW_FASTIO_ON_IRP', object: v!.object });
    expect((fact as { message?: string }).message).toMatch(/ACQUIRE_FOR_SECTION_SYNCHRONIZATION returned FLT_PREOP_DISALLOW_FASTIO for an FsFilter callback operation: only a fast I\/O operation can be disallowed$/);
    expect(foldLog(sim.log).violations).toEqual(sim.state().violations);
  });
});

describe('the §24.9 invariant 16 checker reads the log alone', () => {
  it('the §24.1 run passes; the same log with a release left out, a paging write moved before its acquire, or an acquire that names an initiator does not', () => {
    const log = mapWriteCloseUnmap([]).log;
    const startOf = (major: number) => log.find((f) => f.type === 'IoStart' && f.major === major)!;
    const releaseOp = startOf(IRP_MJ_RELEASE_FOR_MOD_WRITE).object;
    const withoutRelease = log.filter((f) => f.object !== releaseOp);
    expect(fsFilterOperations(withoutRelease)).toEqual([]);
    expect(fsFilterAcquiresReleased(withoutRelease)).toEqual([{ invariant: '24.9 16', seq: withoutRelease.at(-1)!.seq, message: expect.stringMatching(/^D5 at #\d+ was never released$/) }]);
    const write = startOf(IRP_MJ_WRITE);
    const acquire = startOf(IRP_MJ_ACQUIRE_FOR_MOD_WRITE);
    const writeFirst = [...log.filter((f) => f !== write && f.seq < acquire.seq), write, ...log.filter((f) => f !== write && f.seq >= acquire.seq)];
    expect(fsFilterOperations(writeFirst).map((v) => v.message)).toEqual([expect.stringMatching(/^D6: a paging write of O1 by T\d+ outside IRP_MJ_ACQUIRE_FOR_MOD_WRITE/)]);
    const generated = log.map((f) => (f === acquire ? { ...acquire, initiator: 'I1' } : f));
    expect(fsFilterOperations(generated).map((v) => v.message)).toEqual(['D5 IRP_MJ_ACQUIRE_FOR_MOD_WRITE was generated by I1']);
  });
});

describe('exploration sees them (§24.1)', () => {
  it('each FsFilter callback is a scheduling point: under random schedules another application\'s write starts before, inside or after the section acquire, as the schedule chose', () => {
    // Seeds whose random schedules put the write at each place (found once, replayed exactly: same seed, same log).
    const where: string[] = [];
    for (const seed of [1, 5, 10]) {
      const sim = createSimulation({ seed, strategy: 'random', onViolation: 'record' });
      sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
      sim.fileSystem('C:').writeFile('\\m.txt', 'aaaaaaaaaa');
      installFilter(sim, { name: 'spy', altitude: '370000', registration: { OperationRegistration: operations(FS_FILTER, { PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK, PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING }) } });
      sim.run();
      sim.spawn('mapper', function* () {
        const f = yield* sim.io.NtCreateFile('C:\\m.txt', OPEN);
        const mapping = yield* sim.io.CreateFileMappingW(f.handle!, null, PAGE_READONLY, 0, 0, null);
        yield* CloseHandle(mapping!);
        yield* sim.io.NtClose(f.handle!);
      });
      sim.spawn('writer', function* () {
        const f = yield* sim.io.NtCreateFile('C:\\m.txt', OPEN);
        yield* sim.io.NtWriteFile(f.handle!, 'W', 0);
        yield* sim.io.NtClose(f.handle!);
      });
      expect(sim.run().reason).toBe('idle');
      const start = (pred: (f: (typeof sim.log)[number]) => boolean) => sim.log.find(pred)!.seq;
      const acquire = sim.log.find((f) => f.type === 'IoStart' && f.major === IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION)!;
      const acquired = start((f) => f.type === 'IoComplete' && f.object === acquire.object);
      const write = start((f) => f.type === 'IoStart' && f.major === IRP_MJ_WRITE);
      where.push(write < acquire.seq ? 'before' : write < acquired ? 'inside' : 'after');
      expect(sim.state().violations).toEqual([]);
      expect(foldLog(sim.log)).toEqual(sim.state());
    }
    expect(where).toEqual(['before', 'inside', 'after']);
  });
});
