// §16.2, §16.3, §16.5: FltGetFileNameInformation in the callbacks a minifilter uses it from.
import { describe, expect, it } from 'vitest';
import {
  DELETE,
  FILE_INFORMATION_CLASS,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_FILE_NAME_SHORT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FltGetFileNameInformation,
  FltGetTunneledName,
  FltParseFileNameInformation,
  FltReleaseFileNameInformation,
  IRP_MJ_CREATE,
  IRP_MJ_SET_INFORMATION,
  NT_SUCCESS,
  ntStatusName,
  FILE_GENERIC_READ,
  FILE_OPEN_BY_FILE_ID,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_FILE_NAME_INFORMATION,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
} from '../../../src/index.js';
import { nameWorld, openFile } from './nameWorld.js';

const NORMALIZED = FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT;
const OPENED = FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT;
const SHORT = FLT_FILE_NAME_SHORT | FLT_FILE_NAME_QUERY_DEFAULT;

/** Ask for each format, note name or status, release what was returned. */
function* askAll(Data: FLT_CALLBACK_DATA, seen: string[], where: string, formats: readonly number[]): Blocking<void> {
  for (const options of formats) {
    const r = yield* FltGetFileNameInformation(Data, options);
    seen.push(`${where} ${['', 'NORMALIZED', 'OPENED', 'SHORT'][options & 0xff]}: ${NT_SUCCESS(r.status) ? r.FileNameInformation!.Name : ntStatusName(r.status)}`);
    if (r.FileNameInformation !== null) FltReleaseFileNameInformation(r.FileNameInformation);
  }
}

function createNamer(seen: string[], pre: readonly number[], post: readonly number[]) {
  return {
    OperationRegistration: [
      {
        MajorFunction: IRP_MJ_CREATE,
        PreOperation: function* (Data: FLT_CALLBACK_DATA): Blocking<FLT_PREOP_CALLBACK_STATUS> {
          yield* askAll(Data, seen, 'pre-create', pre);
          return FLT_PREOP_SUCCESS_WITH_CALLBACK;
        },
        PostOperation: function* (Data: FLT_CALLBACK_DATA): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
          if (NT_SUCCESS(Data.IoStatus.Status)) yield* askAll(Data, seen, 'post-create', post);
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      },
    ],
  };
}

describe('FltGetFileNameInformation (§16.3)', () => {
  it('post-create NORMALIZED|QUERY_DEFAULT: asked of the file system once, then answered from the cache for every open of the stream (§16.5)', () => {
    const seen: string[] = [];
    const w = nameWorld([{ name: 'scanner', altitude: '265000', registration: createNamer(seen, [], [NORMALIZED]) }]);
    w.sim.fileSystem('C:').writeFile('\\docs\\Report.txt', 'x');
    w.app('app', function* () {
      yield* w.sim.io.NtClose(yield* openFile(w.sim, 'C:\\docs\\report.TXT'));
      yield* w.sim.io.NtClose(yield* openFile(w.sim, 'C:\\DOCS\\Report.txt'));
    });
    expect(seen).toEqual(['post-create NORMALIZED: \\Device\\HarddiskVolume1\\docs\\Report.txt', 'post-create NORMALIZED: \\Device\\HarddiskVolume1\\docs\\Report.txt']);
    expect(w.trace()).toEqual([
      'O1(\\docs\\report.TXT) FileNameQuery FltGetFileNameInformation NORMALIZED|QUERY_DEFAULT instance=I1:scanner@265000 on C: op=D1',
      'O1(\\docs\\report.TXT) NameCacheMiss key=V1|file#65|NORMALIZED|fs',
      'O1(\\docs\\report.TXT) FileSystemNameQuery NORMALIZED status=STATUS_SUCCESS name=\\Device\\HarddiskVolume1\\docs\\Report.txt',
      'N1(\\Device\\HarddiskVolume1\\docs\\Report.txt) FileNameInformationCreate NORMALIZED name=\\Device\\HarddiskVolume1\\docs\\Report.txt file=O1:\\docs\\report.TXT filter=F1:scanner',
      'N1(\\Device\\HarddiskVolume1\\docs\\Report.txt) NameCacheInsert key=V1|file#65|NORMALIZED|fs',
      'N1(\\Device\\HarddiskVolume1\\docs\\Report.txt) FltReleaseFileNameInformation filter=F1:scanner count=0 cached',
      // The first handle's close took the stream's last known file object: its entry went with it.
      'N1(\\Device\\HarddiskVolume1\\docs\\Report.txt) NameCacheInvalidate key=V1|file#65|NORMALIZED|fs reason=close',
      'O2(\\DOCS\\Report.txt) FileNameQuery FltGetFileNameInformation NORMALIZED|QUERY_DEFAULT instance=I1:scanner@265000 on C: op=D4',
      'O2(\\DOCS\\Report.txt) NameCacheMiss key=V1|file#65|NORMALIZED|fs',
      'O2(\\DOCS\\Report.txt) FileSystemNameQuery NORMALIZED status=STATUS_SUCCESS name=\\Device\\HarddiskVolume1\\docs\\Report.txt',
      'N2(\\Device\\HarddiskVolume1\\docs\\Report.txt) FileNameInformationCreate NORMALIZED name=\\Device\\HarddiskVolume1\\docs\\Report.txt file=O2:\\DOCS\\Report.txt filter=F1:scanner',
      'N2(\\Device\\HarddiskVolume1\\docs\\Report.txt) NameCacheInsert key=V1|file#65|NORMALIZED|fs',
      'N2(\\Device\\HarddiskVolume1\\docs\\Report.txt) FltReleaseFileNameInformation filter=F1:scanner count=0 cached',
      'N2(\\Device\\HarddiskVolume1\\docs\\Report.txt) NameCacheInvalidate key=V1|file#65|NORMALIZED|fs reason=close',
    ]);
    w.checkFold();
  });

  it('two handles open at once share the stream\'s cached NORMALIZED name; the OPENED name is per file object (§16.5)', () => {
    const seen: string[] = [];
    const w = nameWorld([{ name: 'scanner', altitude: '265000', registration: createNamer(seen, [], [NORMALIZED, OPENED]) }]);
    w.sim.fileSystem('C:').writeFile('\\a.txt', 'x');
    w.app('app', function* () {
      const first = yield* openFile(w.sim, 'C:\\a.txt');
      const second = yield* openFile(w.sim, 'C:\\A.TXT');
      yield* w.sim.io.NtClose(first);
      yield* w.sim.io.NtClose(second);
    });
    expect(seen).toEqual([
      'post-create NORMALIZED: \\Device\\HarddiskVolume1\\a.txt',
      'post-create OPENED: \\Device\\HarddiskVolume1\\a.txt',
      'post-create NORMALIZED: \\Device\\HarddiskVolume1\\a.txt',
      'post-create OPENED: \\Device\\HarddiskVolume1\\A.TXT',
    ]);
    expect(w.trace().filter((l) => /NameCache(Hit|Miss)/.test(l))).toEqual([
      'O1(\\a.txt) NameCacheMiss key=V1|file#64|NORMALIZED|fs',
      'O1(\\a.txt) NameCacheMiss key=V1|O1|OPENED|fs',
      'N1(\\Device\\HarddiskVolume1\\a.txt) NameCacheHit key=V1|file#64|NORMALIZED|fs filter=F1:scanner count=1',
      'O2(\\A.TXT) NameCacheMiss key=V1|O2|OPENED|fs',
    ]);
    w.checkFold();
  });

  it('pre-create: OPENED and NORMALIZED work before the file exists, SHORT never does; nothing is cached (§16.3)', () => {
    const seen: string[] = [];
    const w = nameWorld([{ name: 'av', altitude: '320000', registration: createNamer(seen, [OPENED, NORMALIZED, SHORT], []) }]);
    w.sim.fileSystem('C:').mkdir('\\Projects');
    w.app('app', function* () {
      yield* w.sim.io.NtCreateFile('C:\\projects\\new.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: 2 });
      yield* w.sim.io.NtCreateFile('C:\\missing\\new.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: 2 });
    });
    expect(seen).toEqual([
      'pre-create OPENED: \\Device\\HarddiskVolume1\\projects\\new.txt',
      'pre-create NORMALIZED: \\Device\\HarddiskVolume1\\Projects\\new.txt',
      'pre-create SHORT: STATUS_FLT_INVALID_NAME_REQUEST',
      'pre-create OPENED: \\Device\\HarddiskVolume1\\missing\\new.txt',
      'pre-create NORMALIZED: STATUS_OBJECT_PATH_NOT_FOUND',
      'pre-create SHORT: STATUS_FLT_INVALID_NAME_REQUEST',
    ]);
    expect(w.trace().filter((l) => l.includes('NameCacheInsert'))).toEqual([]);
    expect(w.sim.state().fileNames).toEqual({});
    w.checkFold();
  });

  it('a short-name open: OPENED keeps the 8.3 components, NORMALIZED expands them to the long names, SHORT is the final alias (§16.2, §21.6)', () => {
    const seen: string[] = [];
    const w = nameWorld([{ name: 'scanner', altitude: '265000', registration: createNamer(seen, [NORMALIZED], [OPENED, NORMALIZED, SHORT]) }], { shortNames: true });
    w.sim.fileSystem('C:').writeFile('\\Documents and Settings\\Test Results.txt', 'x');
    w.app('app', function* () {
      yield* w.sim.io.NtClose(yield* openFile(w.sim, 'C:\\DOCUME~1\\TESTRE~1.TXT'));
    });
    expect(seen).toEqual([
      'pre-create NORMALIZED: \\Device\\HarddiskVolume1\\Documents and Settings\\Test Results.txt',
      'post-create OPENED: \\Device\\HarddiskVolume1\\DOCUME~1\\TESTRE~1.TXT',
      'post-create NORMALIZED: \\Device\\HarddiskVolume1\\Documents and Settings\\Test Results.txt',
      'post-create SHORT: TESTRE~1.TXT',
    ]);
    w.checkFold();
  });

  it('a rename invalidates the cached name before post-rename runs, which sees the new name (§16.5)', () => {
    const seen: string[] = [];
    const registration = {
      OperationRegistration: [
        ...createNamer(seen, [], [NORMALIZED]).OperationRegistration,
        {
          MajorFunction: IRP_MJ_SET_INFORMATION,
          // Synchronized, as ctx does: a post-op that is not runs at DISPATCH_LEVEL, where no name can be asked for.
          PreOperation: function* (Data: FLT_CALLBACK_DATA): Blocking<FLT_PREOP_CALLBACK_STATUS> {
            yield* askAll(Data, seen, 'pre-rename', [NORMALIZED]);
            return FLT_PREOP_SYNCHRONIZE;
          },
          PostOperation: function* (Data: FLT_CALLBACK_DATA): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
            yield* askAll(Data, seen, 'post-rename', [NORMALIZED]);
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        },
      ],
    };
    const run = (renameNameCache: 'invalidate' | 'stale') => {
      seen.length = 0;
      const w = nameWorld([{ name: 'ctx', altitude: '230000', registration }], { sim: { semantics: { renameNameCache } } });
      w.sim.fileSystem('C:').writeFile('\\old.txt', 'x');
      w.app('app', function* () {
        const h = yield* openFile(w.sim, 'C:\\old.txt', { DesiredAccess: FILE_GENERIC_READ | DELETE });
        yield* w.sim.io.NtSetInformationFile(h, FILE_INFORMATION_CLASS.FileRenameInformation, { ReplaceIfExists: false, RootDirectory: null, FileName: '\\new.txt' });
        yield* w.sim.io.NtClose(h);
      });
      w.checkFold();
      return { seen: seen.filter((s) => s.includes('rename')), trace: w.trace() };
    };
    const local = run('invalidate');
    expect(local.seen).toEqual(['pre-rename NORMALIZED: \\Device\\HarddiskVolume1\\old.txt', 'post-rename NORMALIZED: \\Device\\HarddiskVolume1\\new.txt']);
    expect(local.trace.filter((l) => l.includes('NameCacheInvalidate'))[0]).toMatch(/NameCacheInvalidate key=V1\|file#64\|NORMALIZED\|fs reason=rename$/);
    // The network-redirector behaviour (semantics.renameNameCache = 'stale'): the old name comes back.
    expect(run('stale').seen).toEqual(['pre-rename NORMALIZED: \\Device\\HarddiskVolume1\\old.txt', 'post-rename NORMALIZED: \\Device\\HarddiskVolume1\\old.txt']);
  });

  it('a stream name parsed: pre-create of file:stream:$DATA, OPENED keeps :$DATA, NORMALIZED drops it (§16.2, §16.4, §21.5)', () => {
    const parsed: unknown[] = [];
    const registration = {
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ_CREATE,
          PreOperation: function* (Data: FLT_CALLBACK_DATA): Blocking<FLT_PREOP_CALLBACK_STATUS> {
            for (const options of [OPENED, NORMALIZED]) {
              const r = yield* FltGetFileNameInformation(Data, options);
              if (r.FileNameInformation === null) throw new Error(`query failed: ${ntStatusName(r.status)}`);
              const info = r.FileNameInformation;
              FltParseFileNameInformation(info);
              parsed.push({ Name: info.Name, NamesParsed: info.NamesParsed, Volume: info.Volume, ParentDir: info.ParentDir, FinalComponent: info.FinalComponent, Extension: info.Extension, Stream: info.Stream });
              FltReleaseFileNameInformation(info);
            }
            return FLT_PREOP_SUCCESS_NO_CALLBACK;
          },
        },
      ],
    };
    const w = nameWorld([{ name: 'av', altitude: '320000', registration }]);
    w.sim.fileSystem('C:').writeFile('\\Docs\\Test Results.txt', 'x');
    w.app('app', function* () {
      yield* w.sim.io.NtCreateFile('C:\\docs\\Test Results.txt:stream1:$DATA', { DesiredAccess: FILE_GENERIC_READ });
    });
    expect(parsed).toEqual([
      { Name: '\\Device\\HarddiskVolume1\\docs\\Test Results.txt:stream1:$DATA', NamesParsed: 0xf, Volume: '\\Device\\HarddiskVolume1', ParentDir: '\\docs\\', FinalComponent: 'Test Results.txt:stream1:$DATA', Extension: 'txt', Stream: ':stream1:$DATA' },
      { Name: '\\Device\\HarddiskVolume1\\Docs\\Test Results.txt:stream1', NamesParsed: 0xf, Volume: '\\Device\\HarddiskVolume1', ParentDir: '\\Docs\\', FinalComponent: 'Test Results.txt:stream1', Extension: 'txt', Stream: ':stream1' },
    ]);
    expect(w.trace().filter((l) => l.includes('FltParseFileNameInformation'))).toEqual([
      'N1(\\Device\\HarddiskVolume1\\docs\\Test Results.txt:stream1:$DATA) FltParseFileNameInformation filter=F1:av namesParsed=0xf',
      'N2(\\Device\\HarddiskVolume1\\Docs\\Test Results.txt:stream1) FltParseFileNameInformation filter=F1:av namesParsed=0xf',
    ]);
    w.checkFold();
  });

  it('an open by file ID: no path to build from, so FltMgr asks the file system which file it is, before and after the open (§21.4)', () => {
    const seen: string[] = [];
    const w = nameWorld([{ name: 'delete', altitude: '370150', registration: createNamer(seen, [NORMALIZED, OPENED], [NORMALIZED, OPENED]) }]);
    w.sim.fileSystem('C:').writeFile('\\docs\\Report.txt', 'x');
    w.app('app', function* () {
      // \docs is file 0x40, Report.txt 0x41 (file ids are counters from 64).
      const r = yield* w.sim.io.NtCreateFile('C:\\0000000000000041', { DesiredAccess: FILE_GENERIC_READ, CreateOptions: FILE_OPEN_BY_FILE_ID });
      yield* w.sim.io.NtClose(r.handle!);
      yield* w.sim.io.NtCreateFile('C:\\00000000000000ff', { DesiredAccess: FILE_GENERIC_READ, CreateOptions: FILE_OPEN_BY_FILE_ID });
    });
    expect(seen).toEqual([
      'pre-create NORMALIZED: \\Device\\HarddiskVolume1\\docs\\Report.txt',
      'pre-create OPENED: \\Device\\HarddiskVolume1\\docs\\Report.txt',
      'post-create NORMALIZED: \\Device\\HarddiskVolume1\\docs\\Report.txt',
      'post-create OPENED: \\Device\\HarddiskVolume1\\docs\\Report.txt',
      'pre-create NORMALIZED: STATUS_INVALID_PARAMETER',
      'pre-create OPENED: STATUS_INVALID_PARAMETER',
    ]);
    w.checkFold();
  });

  it('FltGetTunneledName in post-rename, with the name from pre-rename: STATUS_SUCCESS and NULL, the model keeping no tunnel cache (§16.4, §19.9 inv. 11)', () => {
    const seen: string[] = [];
    let fromPre: FLT_FILE_NAME_INFORMATION | null = null;
    const registration = {
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ_SET_INFORMATION,
          PreOperation: function* (Data: FLT_CALLBACK_DATA): Blocking<FLT_PREOP_CALLBACK_STATUS> {
            fromPre = (yield* FltGetFileNameInformation(Data, NORMALIZED)).FileNameInformation;
            return FLT_PREOP_SYNCHRONIZE;
          },
          PostOperation: (Data: FLT_CALLBACK_DATA): FLT_POSTOP_CALLBACK_STATUS => {
            const r = FltGetTunneledName(Data, fromPre!);
            seen.push(`${ntStatusName(r.status)} ${r.RetTunneledFileNameInformation === null ? 'NULL' : r.RetTunneledFileNameInformation.Name}`);
            FltReleaseFileNameInformation(fromPre!);
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        },
      ],
    };
    const w = nameWorld([{ name: 'ctx', altitude: '230000', registration }]);
    w.sim.fileSystem('C:').writeFile('\\old.txt', 'x');
    w.app('app', function* () {
      const h = yield* openFile(w.sim, 'C:\\old.txt', { DesiredAccess: FILE_GENERIC_READ | DELETE });
      yield* w.sim.io.NtSetInformationFile(h, FILE_INFORMATION_CLASS.FileRenameInformation, { ReplaceIfExists: false, RootDirectory: null, FileName: '\\new.txt' });
      yield* w.sim.io.NtClose(h);
    });
    expect(seen).toEqual(['STATUS_SUCCESS NULL']);
    expect(w.trace().filter((l) => l.includes('FltGetTunneledName'))).toEqual(['N1(\\Device\\HarddiskVolume1\\old.txt) FltGetTunneledName filter=F1:ctx op=D3 IRP_MJ_SET_INFORMATION post tunneled=none']);
    expect(w.sim.state().violations).toEqual([]);
    w.checkFold();
  });
});
