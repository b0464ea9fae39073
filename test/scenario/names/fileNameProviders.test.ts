// §16.6: name providers (as NameChanger and simrep register them) and FltGetDestinationFileNameInformation (§16.4).
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  DELETE,
  FILE_GENERIC_READ,
  FILE_INFORMATION_CLASS,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FltCheckAndGrowNameControl,
  FltGetDestinationFileNameInformation,
  FltGetFileNameInformation,
  FltGetFileNameInformationUnsafe,
  FltParseFileName,
  FltPurgeFileNameInformationCache,
  FltReleaseFileNameInformation,
  FltRegisterFilter,
  IRP_MJ_CREATE,
  IRP_MJ_SET_INFORMATION,
  NT_SUCCESS,
  ntStatusName,
  STATUS_NOT_SUPPORTED,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_NAME_CONTROL,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type FILE_NAMES_INFORMATION_OUT,
  type FILE_RENAME_INFORMATION,
  type NTSTATUS,
  type PFILE_OBJECT,
  type PFLT_INSTANCE,
} from '../../../src/index.js';
import { nameWorld, openFile } from './nameWorld.js';

const NORMALIZED = FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT;
const REAL = '\\Device\\HarddiskVolume1\\real';
const VIRTUAL = '\\Device\\HarddiskVolume1\\virtual';

/** A NameChanger-like provider: files under \real are named \virtual to the filters above it. */
function renamingProvider(options: { normalizedSupported: boolean; recurse?: boolean; normalize?: 'ex' | 'plain' | 'both' }): FLT_REGISTRATION {
  const expand = (tag: string) => (Component: string, Expand: FILE_NAMES_INFORMATION_OUT, Context: { value: unknown }): NTSTATUS => {
    Context.value = 'component state';
    Expand.FileName = Component === 'virtual' ? `Virtual${tag}` : Component;
    Expand.FileNameLength = Expand.FileName.length * 2;
    return STATUS_SUCCESS;
  };
  const normalize = options.normalize ?? 'ex';
  return {
    GenerateFileNameCallback: function* (Instance: PFLT_INSTANCE, FileObject: PFILE_OBJECT, CallbackData: FLT_CALLBACK_DATA | null, NameOptions: number, Cache: { value: boolean }, FileName: FLT_NAME_CONTROL): Blocking<NTSTATUS> {
      if (!options.normalizedSupported && (NameOptions & 0xff) === FLT_FILE_NAME_NORMALIZED) return STATUS_NOT_SUPPORTED;
      // As ncnameprov.c does: ask below, with REQUEST_FROM_CURRENT_PROVIDER cleared (unless the test wants the recursion).
      const nested = options.recurse === true ? NameOptions | FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER : NameOptions & ~FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER;
      const below = CallbackData === null ? yield* FltGetFileNameInformationUnsafe(FileObject, Instance, nested) : yield* FltGetFileNameInformation(CallbackData, nested);
      if (!NT_SUCCESS(below.status)) return below.status;
      const name = below.FileNameInformation!.Name;
      FltReleaseFileNameInformation(below.FileNameInformation!);
      const munged = name.toLowerCase().startsWith(REAL.toLowerCase()) ? VIRTUAL + name.slice(REAL.length) : name;
      const grown = FltCheckAndGrowNameControl(FileName, munged.length * 2);
      if (grown !== STATUS_SUCCESS) return grown;
      FileName.Name = munged;
      Cache.value = true;
      return STATUS_SUCCESS;
    },
    ...(normalize === 'plain' ? {} : { NormalizeNameComponentExCallback: (_i, _fo, _parent, _len, Component, Expand, _max, _flags, Context) => expand('')(Component, Expand, Context) }),
    // The plain callback marks what it expands, so a test sees which one FltMgr called.
    ...(normalize === 'ex' ? {} : { NormalizeNameComponentCallback: (_i, _parent, _len, Component, Expand, _max, _flags, Context) => expand(' (plain)')(Component, Expand, Context) }),
    NormalizeContextCleanupCallback: (Context: { value: unknown }): void => {
      Context.value = null;
    },
  };
}

function asker(label: string, seen: string[]): FLT_REGISTRATION {
  return {
    OperationRegistration: [
      {
        MajorFunction: IRP_MJ_CREATE,
        PostOperation: function* (Data: FLT_CALLBACK_DATA): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
          if (!NT_SUCCESS(Data.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING;
          const r = yield* FltGetFileNameInformation(Data, NORMALIZED);
          seen.push(`${label}: ${NT_SUCCESS(r.status) ? r.FileNameInformation!.Name : ntStatusName(r.status)}`);
          if (r.FileNameInformation !== null) FltReleaseFileNameInformation(r.FileNameInformation);
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      },
    ],
  };
}

describe('name providers (§16.6)', () => {
  it('a filter above the provider gets the provider\'s name; a filter below it gets the file system\'s; each is cached at its own level', () => {
    const seen: string[] = [];
    const w = nameWorld([
      { name: 'scanner', altitude: '385000', registration: asker('above', seen) },
      { name: 'NameChanger', altitude: '370120', registration: renamingProvider({ normalizedSupported: true }) },
      { name: 'spy', altitude: '100000', registration: asker('below', seen) },
    ]);
    w.sim.fileSystem('C:').writeFile('\\real\\f.txt', 'x');
    w.app('app', function* () {
      const h = yield* openFile(w.sim, 'C:\\real\\f.txt');
      yield* w.sim.io.NtClose(yield* openFile(w.sim, 'C:\\real\\f.txt'));
      yield* w.sim.io.NtClose(h);
    });
    expect(seen).toEqual([
      'below: \\Device\\HarddiskVolume1\\real\\f.txt',
      'above: \\Device\\HarddiskVolume1\\virtual\\f.txt',
      'below: \\Device\\HarddiskVolume1\\real\\f.txt',
      'above: \\Device\\HarddiskVolume1\\virtual\\f.txt',
    ]);
    const lines = w.trace().filter((l) => /FileNameQuery|GenerateFileName|NameCache(Hit|Insert)/.test(l));
    expect(lines.map((l) => l.replace(/^\S+ /, '').replace(/ on C:/g, ''))).toEqual([
      // The first open: the spy (below the provider) asks the file system; the scanner asks the provider, which asks below itself.
      'FileNameQuery FltGetFileNameInformation NORMALIZED|QUERY_DEFAULT instance=I3:spy@100000 op=D1',
      'NameCacheInsert key=V1|file#65|NORMALIZED|fs',
      'FileNameQuery FltGetFileNameInformation NORMALIZED|QUERY_DEFAULT instance=I1:scanner@385000 op=D1 provider=I2:NameChanger@370120',
      'GenerateFileName instance=I2:NameChanger@370120 NORMALIZED|QUERY_DEFAULT',
      'FileNameQuery FltGetFileNameInformation NORMALIZED|QUERY_DEFAULT instance=I2:NameChanger@370120 op=D1',
      'NameCacheHit key=V1|file#65|NORMALIZED|fs filter=F2:NameChanger count=1',
      'GenerateFileNameReturned instance=I2:NameChanger@370120 status=STATUS_SUCCESS name=\\Device\\HarddiskVolume1\\virtual\\f.txt cache',
      'NameCacheInsert key=V1|file#65|NORMALIZED|I2',
      // The second open of the stream: both levels answer from the cache; the provider is not called.
      'FileNameQuery FltGetFileNameInformation NORMALIZED|QUERY_DEFAULT instance=I3:spy@100000 op=D2',
      'NameCacheHit key=V1|file#65|NORMALIZED|fs filter=F3:spy count=1',
      'FileNameQuery FltGetFileNameInformation NORMALIZED|QUERY_DEFAULT instance=I1:scanner@385000 op=D2 provider=I2:NameChanger@370120',
      'NameCacheHit key=V1|file#65|NORMALIZED|I2 filter=F1:scanner count=1',
    ]);
    w.checkFold();
  });

  it('a provider that does not support NORMALIZED is asked for OPENED, then each component is expanded and the context cleaned up once', () => {
    const seen: string[] = [];
    const w = nameWorld([
      { name: 'scanner', altitude: '385000', registration: asker('above', seen) },
      { name: 'NameChanger', altitude: '370120', registration: renamingProvider({ normalizedSupported: false }) },
    ]);
    w.sim.fileSystem('C:').writeFile('\\real\\f.txt', 'x');
    w.app('app', function* () {
      yield* w.sim.io.NtClose(yield* openFile(w.sim, 'C:\\real\\f.txt'));
    });
    expect(seen).toEqual(['above: \\Device\\HarddiskVolume1\\Virtual\\f.txt']);
    expect(w.trace().filter((l) => /Generate|Normalize/.test(l)).map((l) => l.replace(/^\S+ /, '').replace(/ instance=I2:NameChanger@370120 on C:/, ''))).toEqual([
      'GenerateFileName NORMALIZED|QUERY_DEFAULT',
      'GenerateFileNameReturned status=STATUS_NOT_SUPPORTED',
      'GenerateFileName OPENED|QUERY_DEFAULT',
      'GenerateFileNameReturned status=STATUS_SUCCESS name=\\Device\\HarddiskVolume1\\virtual\\f.txt cache',
      'NormalizeNameComponent parent=\\Device\\HarddiskVolume1\\ component=virtual',
      'NormalizeNameComponentReturned status=STATUS_SUCCESS expanded=Virtual',
      'NormalizeNameComponent parent=\\Device\\HarddiskVolume1\\Virtual component=f.txt',
      'NormalizeNameComponentReturned status=STATUS_SUCCESS expanded=f.txt',
      'NormalizeContextCleanup',
    ]);
    w.checkFold();
  });

  it('NormalizeNameComponentCallback serves a provider that registers only it; with both registered FltMgr calls only NormalizeNameComponentExCallback (§16.6)', () => {
    const names = (normalize: 'plain' | 'both'): string[] => {
      const seen: string[] = [];
      const w = nameWorld([
        { name: 'scanner', altitude: '385000', registration: asker('above', seen) },
        { name: 'NameChanger', altitude: '370120', registration: renamingProvider({ normalizedSupported: false, normalize }) },
      ]);
      w.sim.fileSystem('C:').writeFile('\\real\\f.txt', 'x');
      w.app('app', function* () {
        yield* w.sim.io.NtClose(yield* openFile(w.sim, 'C:\\real\\f.txt'));
      });
      w.checkFold();
      return seen;
    };
    expect(names('plain')).toEqual(['above: \\Device\\HarddiskVolume1\\Virtual (plain)\\f.txt']);
    expect(names('both')).toEqual(['above: \\Device\\HarddiskVolume1\\Virtual\\f.txt']);
  });

  it('a provider whose nested query keeps REQUEST_FROM_CURRENT_PROVIDER comes back to itself: NAME_PROVIDER_RECURSION (§19.9 invariant 12)', () => {
    const seen: string[] = [];
    const w = nameWorld([
      { name: 'scanner', altitude: '385000', registration: asker('above', seen) },
      { name: 'NameChanger', altitude: '370120', registration: renamingProvider({ normalizedSupported: true, recurse: true }) },
    ], { sim: { onViolation: 'record' } });
    w.sim.fileSystem('C:').writeFile('\\real\\f.txt', 'x');
    w.sim.spawn('app', function* () {
      yield* w.sim.io.NtCreateFile('C:\\real\\f.txt', { DesiredAccess: FILE_GENERIC_READ });
    });
    w.sim.run();
    expect(w.sim.state().violations.map((v) => [v.rule, v.object])).toEqual([['NAME_PROVIDER_RECURSION', 'I2']]);
  });

  it('FltPurgeFileNameInformationCache drops the provider\'s entries only; a referenced structure stays valid (§16.4, §16.5)', () => {
    let provider: PFLT_INSTANCE | null = null;
    const seen: string[] = [];
    const registration: FLT_REGISTRATION = { ...renamingProvider({ normalizedSupported: true }), InstanceSetupCallback: (o: FLT_RELATED_OBJECTS) => ((provider = o.Instance), STATUS_SUCCESS) };
    const w = nameWorld([
      { name: 'scanner', altitude: '385000', registration: asker('above', seen) },
      { name: 'NameChanger', altitude: '370120', registration },
    ]);
    w.sim.fileSystem('C:').writeFile('\\real\\f.txt', 'x');
    const keys = w.app('app', function* () {
      const h = yield* openFile(w.sim, 'C:\\real\\f.txt');
      const before = Object.keys(w.sim.state().nameCache);
      FltPurgeFileNameInformationCache(provider!, null);
      const after = Object.keys(w.sim.state().nameCache);
      yield* w.sim.io.NtClose(h);
      return { before, after };
    });
    expect(keys).toEqual({ before: ['V1|file#65|NORMALIZED|fs', 'V1|file#65|NORMALIZED|I2'], after: ['V1|file#65|NORMALIZED|fs'] });
    expect(w.trace().filter((l) => l.includes('reason=purge'))).toEqual(['N2(\\Device\\HarddiskVolume1\\virtual\\f.txt) NameCacheInvalidate key=V1|file#65|NORMALIZED|I2 reason=purge']);
    w.checkFold();
  });

  it('FltRegisterFilter refuses a provider without a NormalizeNameComponent(Ex)Callback (§16.6)', () => {
    const sim = createSimulation();
    const t = sim.loadDriver({ name: 'half', instances: { DefaultInstance: 'i', Instances: { i: { Altitude: '370000' } } } }, function* (driver) {
      return FltRegisterFilter(driver, { GenerateFileNameCallback: () => STATUS_SUCCESS }).status;
    });
    sim.run();
    expect(ntStatusName(t.result as number)).toBe('STATUS_INVALID_PARAMETER');
  });
});

describe('FltGetDestinationFileNameInformation (§16.4)', () => {
  it('pre-rename: the full name the rename will give, through the target directory; SHORT and another volume are refused', () => {
    const seen: string[] = [];
    const registration: FLT_REGISTRATION = {
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ_SET_INFORMATION,
          PreOperation: function* (Data: FLT_CALLBACK_DATA, o: FLT_RELATED_OBJECTS): Blocking<FLT_PREOP_CALLBACK_STATUS> {
            const info = (Data.Iopb.Parameters as { SetFileInformation: { InfoBuffer: FILE_RENAME_INFORMATION } }).SetFileInformation.InfoBuffer;
            for (const [label, name, options] of [
              ['normalized', info.FileName, NORMALIZED],
              ['opened', info.FileName, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT],
              ['short', info.FileName, 0x3 | FLT_FILE_NAME_QUERY_DEFAULT],
              ['simple', 'renamed.txt', NORMALIZED],
              ['other volume', 'D:\\x.txt', NORMALIZED],
            ] as const) {
              const r = yield* FltGetDestinationFileNameInformation(o.Instance, o.FileObject!, info.RootDirectory, name, name.length * 2, options);
              seen.push(`${label}: ${NT_SUCCESS(r.status) ? r.FileNameInformation!.Name : ntStatusName(r.status)}`);
              if (r.FileNameInformation !== null) FltReleaseFileNameInformation(r.FileNameInformation);
            }
            return FLT_PREOP_SUCCESS_NO_CALLBACK;
          },
        },
      ],
    };
    const w = nameWorld([{ name: 'ctx', altitude: '230000', registration }]);
    w.sim.mountVolume({ name: '\\Device\\HarddiskVolume2', dosName: 'D:' });
    w.sim.fileSystem('C:').writeFile('\\Docs\\a.txt', 'x');
    w.sim.fileSystem('C:').mkdir('\\Archive');
    w.app('app', function* () {
      const h = yield* openFile(w.sim, 'C:\\docs\\a.txt', { DesiredAccess: FILE_GENERIC_READ | DELETE });
      yield* w.sim.io.NtSetInformationFile(h, FILE_INFORMATION_CLASS.FileRenameInformation, { ReplaceIfExists: false, RootDirectory: null, FileName: '\\ARCHIVE\\b.txt' });
      yield* w.sim.io.NtClose(h);
    });
    expect(seen).toEqual([
      'normalized: \\Device\\HarddiskVolume1\\Archive\\b.txt',
      'opened: \\Device\\HarddiskVolume1\\ARCHIVE\\b.txt',
      'short: STATUS_FLT_INVALID_NAME_REQUEST',
      'simple: \\Device\\HarddiskVolume1\\Docs\\renamed.txt',
      'other volume: STATUS_MOUNT_POINT_NOT_RESOLVED',
    ]);
    w.checkFold();
  });
});

describe('FltParseFileName (§16.4)', () => {
  it('splits the final component of a bare name, stream included', () => {
    expect(FltParseFileName('\\a\\Test Results.txt:stream1:$DATA')).toEqual({ status: STATUS_SUCCESS, FinalComponent: 'Test Results.txt:stream1:$DATA', Extension: 'txt', Stream: ':stream1:$DATA' });
    expect(FltParseFileName('TestRe~1.txt')).toEqual({ status: STATUS_SUCCESS, FinalComponent: 'TestRe~1.txt', Extension: 'txt', Stream: '' });
  });
});

