/**
 * Sections backed by files (§24): FltCreateSectionForDataScan / FltCloseSectionForDataScan with
 * their statuses, the section's reference on its file object (IRP_MJ_CLOSE waits for it), FltMgr
 * closing a data-scan section at its instance's teardown, SectionNotificationCallback for
 * conflicting I/O, and paging writes from a mapped view after IRP_MJ_CLEANUP (§24.1).
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
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_SECTION_CONTEXT,
  FltAllocateContext,
  FltCloseSectionForDataScan,
  FltCreateSectionForDataScan,
  FltRegisterForDataScan,
  FltReleaseContext,
  foldLog,
  IRP_MJ_CREATE,
  IRP_MJ_WRITE,
  IRP_NOCACHE,
  MapViewOfFile,
  NtCurrentProcess,
  OBJ_KERNEL_HANDLE,
  ObDereferenceObject,
  PAGE_READONLY,
  PAGE_READWRITE,
  PagedPool,
  SEC_COMMIT,
  SECTION_MAP_READ,
  STATUS_END_OF_FILE,
  STATUS_FLT_CONTEXT_ALREADY_DEFINED,
  STATUS_INVALID_PARAMETER,
  STATUS_NOT_FOUND,
  STATUS_FLT_DELETING_OBJECT,
  STATUS_NOT_SUPPORTED,
  STATUS_SUCCESS,
  UnmapViewOfFile,
  ViewUnmap,
  viewBytes,
  writeMappedView,
  ZwClose,
  ZwMapViewOfSection,
  ZwUnmapViewOfSection,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_RELATED_OBJECTS,
  type NTSTATUS,
  type PFLT_CONTEXT,
  type Simulation,
} from '../../src/index.js';
import { compactTrace, installFilter, operations } from '../../src/testing/index.js';

const SECTION_FACTS = ['SectionCreate', 'SectionContextAttached', 'SectionViewMapped', 'SectionViewUnmapped', 'SectionDereferenced', 'FltCloseSectionForDataScan', 'SectionDeleted', 'ContextUnlinked', 'ContextFreed'] as const;

type Scan = (Data: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS) => Blocking<void>;

/** A filter whose post-create runs `scan` on every successful open of a file (`register`: FltRegisterForDataScan in InstanceSetup). */
function system(scan: Scan, options: { register?: boolean; files?: Record<string, string> } = {}): Simulation {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  for (const [path, data] of Object.entries(options.files ?? { '\\f.txt': 'clean data' })) sim.fileSystem('C:').writeFile(path, data);
  installFilter(sim, {
    name: 'scan',
    altitude: '265010',
    registration: {
      ContextRegistration: [{ ContextType: FLT_SECTION_CONTEXT, Size: 64, PoolTag: 0x63537641 }],
      InstanceSetupCallback: (FltObjects) => (options.register === false ? STATUS_SUCCESS : FltRegisterForDataScan(FltObjects.Instance)),
      OperationRegistration: operations([IRP_MJ_CREATE], {
        PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
        PostOperation: function* (Data, FltObjects) {
          if (Data.IoStatus.Status === STATUS_SUCCESS && FltObjects.FileObject!.FileName !== '') yield* scan(Data, FltObjects);
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      }),
    },
  });
  sim.run();
  return sim;
}

function* openAndClose(sim: Simulation, path = 'C:\\f.txt'): Blocking<NTSTATUS> {
  const r = yield* sim.io.NtCreateFile(path, { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
  if (r.handle !== null) yield* sim.io.NtClose(r.handle);
  return r.status;
}

function* createSection(FltObjects: FLT_RELATED_OBJECTS, context: PFLT_CONTEXT) {
  return yield* FltCreateSectionForDataScan(FltObjects.Instance, FltObjects.FileObject!, context, SECTION_MAP_READ, { Attributes: OBJ_KERNEL_HANDLE }, null, PAGE_READONLY, SEC_COMMIT, 0);
}

describe('FltCreateSectionForDataScan / FltCloseSectionForDataScan (§24.4)', () => {
  it('a kernel scan: the section maps the file\'s data; handle, object reference and FltMgr\'s own reference each keep it until the last goes', () => {
    const seen: string[] = [];
    const sim = system(function* (_Data, FltObjects) {
      const context = FltAllocateContext(FltObjects.Filter, FLT_SECTION_CONTEXT, 64, PagedPool).context!;
      const s = yield* createSection(FltObjects, context);
      const view = yield* ZwMapViewOfSection(s.SectionHandle!, NtCurrentProcess(), 0, 0, null, ViewUnmap, 0, PAGE_READONLY);
      seen.push(new TextDecoder().decode(viewBytes(view.BaseAddress!).subarray(0, s.FileSize)), String(view.ViewSize));
      yield* ZwUnmapViewOfSection(NtCurrentProcess(), view.BaseAddress!);
      yield* ZwClose(s.SectionHandle!);
      yield* ObDereferenceObject(s.SectionObject!);
      seen.push(`close=${yield* FltCloseSectionForDataScan(context)}`, `again=${yield* FltCloseSectionForDataScan(context)}`);
      FltReleaseContext(context);
    });
    sim.spawn('app', () => openAndClose(sim));
    sim.run();
    expect(seen).toEqual(['clean data', '4096', `close=${STATUS_SUCCESS}`, `again=${STATUS_NOT_FOUND}`]);
    expect(compactTrace(sim.log, { types: [...SECTION_FACTS] })).toEqual([
      'Z1 SectionCreate dataScan file=O1 handle=H1 process=P0 kernel size=10 refs=2',
      'Z1 SectionContextAttached context=C1 instance=I1:scan@265010 on C: refs=3',
      'Z1 SectionViewMapped view=Y1 process=P1 bytes=4096 refs=4',
      'Z1 SectionViewUnmapped view=Y1 refs=3',
      'Z1 SectionDereferenced by=ZwClose refs=2',
      'Z1 SectionDereferenced by=ObDereferenceObject refs=1',
      'Z1 FltCloseSectionForDataScan context=C1 by=FltCloseSectionForDataScan refs=0',
      'C1(SECTION of scan) ContextUnlinked by=FltCloseSectionForDataScan count=1',
      'Z1 SectionDeleted',
      'C1(SECTION of scan) ContextFreed',
    ]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('statuses: an empty file, a second section on the stream for the instance, a context never used, no FltRegisterForDataScan', () => {
    const statuses: Record<string, NTSTATUS> = {};
    const sim = system(function* (_Data, FltObjects) {
      const name = FltObjects.FileObject!.FileName;
      const first = FltAllocateContext(FltObjects.Filter, FLT_SECTION_CONTEXT, 64, PagedPool).context!;
      const s = yield* createSection(FltObjects, first);
      statuses[`${name} first`] = s.status;
      if (s.status === STATUS_SUCCESS) {
        const second = FltAllocateContext(FltObjects.Filter, FLT_SECTION_CONTEXT, 64, PagedPool).context!;
        statuses[`${name} second`] = (yield* createSection(FltObjects, second)).status;
        statuses[`${name} unused close`] = yield* FltCloseSectionForDataScan(second);
        FltReleaseContext(second);
        yield* ZwClose(s.SectionHandle!);
        yield* ObDereferenceObject(s.SectionObject!);
        yield* FltCloseSectionForDataScan(first);
      }
      FltReleaseContext(first);
    }, { files: { '\\f.txt': 'data', '\\empty.txt': '' } });
    sim.spawn('app', function* () {
      yield* openAndClose(sim, 'C:\\f.txt');
      yield* openAndClose(sim, 'C:\\empty.txt');
    });
    sim.run();
    expect(statuses).toEqual({
      '\\f.txt first': STATUS_SUCCESS,
      '\\f.txt second': STATUS_FLT_CONTEXT_ALREADY_DEFINED,
      '\\f.txt unused close': STATUS_INVALID_PARAMETER,
      '\\empty.txt first': STATUS_END_OF_FILE,
    });
    expect(sim.state().sections).toEqual({});
    const unregistered = system(function* (_Data, FltObjects) {
      const context = FltAllocateContext(FltObjects.Filter, FLT_SECTION_CONTEXT, 64, PagedPool).context!;
      statuses['unregistered'] = (yield* createSection(FltObjects, context)).status;
      FltReleaseContext(context);
    }, { register: false });
    unregistered.spawn('app', () => openAndClose(unregistered));
    unregistered.run();
    expect(statuses['unregistered']).toBe(STATUS_NOT_SUPPORTED);
  });

  it('the section references the file object: the application\'s close sends CLEANUP at once and CLOSE only after the section is deleted', () => {
    let held: { context: PFLT_CONTEXT; object: unknown } | null = null;
    const sim = system(function* (_Data, FltObjects) {
      const context = FltAllocateContext(FltObjects.Filter, FLT_SECTION_CONTEXT, 64, PagedPool).context!;
      const s = yield* createSection(FltObjects, context);
      yield* ZwClose(s.SectionHandle!);
      held = { context, object: s.SectionObject };
    });
    sim.spawn('app', () => openAndClose(sim));
    sim.run();
    expect(sim.state().fileObjects['O1']?.state).toBe('CleanedUp');
    expect(sim.state().sections['Z1']).toMatchObject({ state: 'DataScanOpen', references: 2, handles: [] });
    sim.spawn('scanner finishes', function* () {
      yield* ObDereferenceObject(held!.object as never);
      yield* FltCloseSectionForDataScan(held!.context);
      FltReleaseContext(held!.context);
    });
    sim.run();
    expect(compactTrace(sim.log, { types: ['IoStart', 'SectionDeleted'] }).filter((l) => /IRP_MJ_CLEANUP|IRP_MJ_CLOSE|SectionDeleted/.test(l))).toEqual([
      expect.stringMatching(/CLEANUP/),
      'Z1 SectionDeleted',
      expect.stringMatching(/CLOSE/),
    ]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('FltRegisterForDataScan is a part of the instance machine: logged once (a second call changes nothing), kept through the teardown, refused once the instance goes (§24.4)', () => {
    let instance: FLT_RELATED_OBJECTS['Instance'] | null = null;
    const statuses: NTSTATUS[] = [];
    const sim = system(function* (_Data, FltObjects) {
      instance = FltObjects.Instance;
      statuses.push(FltRegisterForDataScan(FltObjects.Instance));
    });
    sim.spawn('app', () => openAndClose(sim));
    sim.run();
    const unload = sim.spawn('fltmc unload', () => sim.FilterUnload('scan'));
    sim.run();
    expect(unload.result).toBe(STATUS_SUCCESS);
    statuses.push(FltRegisterForDataScan(instance!));
    expect(statuses).toEqual([STATUS_SUCCESS, STATUS_FLT_DELETING_OBJECT]);
    expect(compactTrace(sim.log, { types: ['FltRegisterForDataScan', 'InstanceFreed'] })).toMatchInlineSnapshot(`
      [
        "I1(scan@265010 on C:) FltRegisterForDataScan",
        "I1(scan@265010 on C:) InstanceFreed",
      ]
    `);
    expect(sim.state().instances['I1']).toMatchObject({ state: 'Freed', registeredForDataScan: true });
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('a data-scan section still open when its instance is torn down is closed by FltMgr; the filter\'s own close then gets STATUS_NOT_FOUND', () => {
    let context: PFLT_CONTEXT | null = null;
    const sim = system(function* (_Data, FltObjects) {
      context = FltAllocateContext(FltObjects.Filter, FLT_SECTION_CONTEXT, 64, PagedPool).context!;
      const s = yield* createSection(FltObjects, context);
      yield* ZwClose(s.SectionHandle!);
      yield* ObDereferenceObject(s.SectionObject!);
    });
    sim.spawn('app', () => openAndClose(sim));
    sim.run();
    const unload = sim.spawn('fltmc unload scan', () => sim.FilterUnload('scan'));
    sim.run();
    expect(compactTrace(sim.log, { types: ['FltCloseSectionForDataScan', 'SectionDeleted'] })).toEqual(['Z1 FltCloseSectionForDataScan context=C1 by=teardown of I1 refs=0', 'Z1 SectionDeleted']);
    // The filter still holds its reference on the context: the unload waits for it (§15.9).
    expect(unload.state).not.toBe('done');
    let late: NTSTATUS | null = null;
    sim.spawn('late close', function* () {
      late = yield* FltCloseSectionForDataScan(context!);
      FltReleaseContext(context!);
    });
    sim.run();
    expect(late).toBe(STATUS_NOT_FOUND);
    expect(unload.result).toBe(STATUS_SUCCESS);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('a non-cached write by another handle calls SectionNotificationCallback with the section context, before the write goes down', () => {
    const calls: string[] = [];
    let context: PFLT_CONTEXT | null = null;
    const sim = createSimulation({ onViolation: 'record' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\f.txt', 'clean data');
    installFilter(sim, {
      name: 'scan',
      altitude: '265010',
      registration: {
        ContextRegistration: [{ ContextType: FLT_SECTION_CONTEXT, Size: 64, PoolTag: 0x63537641 }],
        InstanceSetupCallback: (FltObjects) => FltRegisterForDataScan(FltObjects.Instance),
        SectionNotificationCallback: (_Instance, SectionContext, Data) => {
          calls.push(`conflict ${SectionContext.id} ${Data.Iopb.MajorFunction === IRP_MJ_WRITE ? 'WRITE' : '?'}`);
          return STATUS_SUCCESS;
        },
        OperationRegistration: [
          { MajorFunction: IRP_MJ_CREATE, PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK, PostOperation: function* (_Data, FltObjects) {
            if (context === null) {
              context = FltAllocateContext(FltObjects.Filter, FLT_SECTION_CONTEXT, 64, PagedPool).context!;
              yield* createSection(FltObjects, context);
            }
            return FLT_POSTOP_FINISHED_PROCESSING;
          } },
          { MajorFunction: IRP_MJ_WRITE, PreOperation: () => { calls.push('pre-write'); return FLT_PREOP_SUCCESS_WITH_CALLBACK; }, PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING },
        ],
      },
    });
    sim.run();
    sim.spawn('app', function* () {
      const a = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
      const b = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_WRITE, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
      yield* sim.io.NtWriteFile(b.handle!, 'x', 0);
      yield* sim.io.NtWriteFile(b.handle!, 'y', 0, IRP_NOCACHE);
      yield* sim.io.NtClose(b.handle!);
      yield* sim.io.NtClose(a.handle!);
    });
    sim.run();
    expect(calls).toEqual(['pre-write', 'conflict C1 WRITE', 'pre-write']);
    expect(compactTrace(sim.log, { types: ['SectionConflict'] })).toEqual([expect.stringMatching(/^Z1 SectionConflict context=C1 op=D\d+$/)]);
  });
});

describe('paging writes from a mapped view after IRP_MJ_CLEANUP (§24.1)', () => {
  it('the modified page writer is a part of the section machine: the first store through a view queues it (its reference), the second finds it queued, the writer drops the reference when no page is dirty (§24.1)', () => {
    const sim = createSimulation({ onViolation: 'record' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\m.txt', 'aaaaaaaaaa');
    const queued: unknown[] = [];
    sim.spawn('app', function* () {
      const f = yield* sim.io.NtCreateFile('C:\\m.txt', { DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
      const mapping = yield* sim.io.CreateFileMappingW(f.handle!, null, PAGE_READWRITE, 0, 0, null);
      const view = yield* MapViewOfFile(mapping!, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
      yield* sim.io.NtClose(f.handle!);
      yield* writeMappedView(view!, 2, 'ZZ');
      yield* writeMappedView(view!, 6, 'YY');
      // The writer is queued and has not run: the view shows the part, and the fold agrees.
      queued.push(sim.state().sections['Z1']?.modifiedPageWriterQueued, foldLog(sim.log).sections['Z1']?.modifiedPageWriterQueued);
      yield* UnmapViewOfFile(view!);
      yield* CloseHandle(mapping!);
    });
    sim.run();
    expect(queued).toEqual([true, true]);
    expect(new TextDecoder().decode(sim.fileSystem('C:').readFile('\\m.txt')!)).toBe('aaZZaaYYaa');
    expect(compactTrace(sim.log, { types: ['SectionPagesDirtied', 'SectionReferenced', 'SectionDereferenced', 'SectionPagesWriting', 'SectionDeleted'] })).toMatchInlineSnapshot(`
      [
        "Z1 SectionDereferenced by=CreateFileMappingW refs=1",
        "Z1 SectionPagesDirtied view=Y1 offset=2 length=2",
        "Z1 SectionReferenced by=ModifiedPageWriter refs=3",
        "Z1 SectionPagesDirtied view=Y1 offset=6 length=2",
        "Z1 SectionDereferenced by=CloseHandle refs=1",
        "Z1 SectionPagesWriting offset=0 length=4096",
        "Z1 SectionDereferenced by=ModifiedPageWriter refs=0",
        "Z1 SectionDeleted",
      ]
    `);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('CREATE, CLEANUP, then the modified page writer\'s WRITE (IRP_PAGING_IO | IRP_NOCACHE), then CLOSE once the view is gone; the file holds the bytes written through the view', () => {
    const sim = createSimulation({ onViolation: 'record' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\m.txt', 'aaaaaaaaaa');
    const seen: string[] = [];
    installFilter(sim, {
      name: 'spy',
      altitude: '370000',
      registration: {
        OperationRegistration: operations([IRP_MJ_WRITE], {
          PreOperation: (Data) => {
            seen.push(`write flags=0x${Data.Iopb.IrpFlags.toString(16)} thread=${sim.PsGetCurrentThread().process.ImageFileName}`);
            return FLT_PREOP_SUCCESS_WITH_CALLBACK;
          },
          PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
        }),
      },
    });
    sim.run();
    sim.spawn('app', function* () {
      const f = yield* sim.io.NtCreateFile('C:\\m.txt', { DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
      const mapping = yield* sim.io.CreateFileMappingW(f.handle!, null, PAGE_READWRITE, 0, 0, null);
      const view = yield* MapViewOfFile(mapping!, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
      yield* sim.io.NtClose(f.handle!);
      yield* writeMappedView(view!, 2, 'ZZ');
      yield* UnmapViewOfFile(view!);
      yield* CloseHandle(mapping!);
    });
    sim.run();
    expect(seen).toEqual(['write flags=0x3 thread=System']);
    expect(new TextDecoder().decode(sim.fileSystem('C:').readFile('\\m.txt')!)).toBe('aaZZaaaaaa');
    const order = compactTrace(sim.log, { types: ['IoStart', 'SectionPagesDirtied', 'SectionPagesWriting', 'SectionDeleted'] }).map((l) => /IRP_MJ_(\w+)|Section\w+/.exec(l)![0]);
    // The FsFilter operations around the section's creation and the paging write (§24.1; test/scenario/fsFilterOperations.test.ts).
    expect(order).toEqual([
      'IRP_MJ_CREATE',
      'IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION',
      'IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION',
      'IRP_MJ_CLEANUP',
      'SectionPagesDirtied',
      'SectionPagesWriting',
      'IRP_MJ_ACQUIRE_FOR_MOD_WRITE',
      'IRP_MJ_WRITE',
      'IRP_MJ_RELEASE_FOR_MOD_WRITE',
      'SectionDeleted',
      'IRP_MJ_CLOSE',
    ]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });
});
