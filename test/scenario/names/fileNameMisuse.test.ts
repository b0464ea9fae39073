// §16.3 (statuses where a name query is not allowed), §16.4 (references), §15.9 (leaks at unload),
// §19.9 invariants 8–10: misuse is a documented status or a verifier finding with a rule id.
import { describe, expect, it } from 'vitest';
import {
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FLT_FILE_NAME_DO_NOT_CACHE,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP,
  FLT_FILE_NAME_QUERY_CACHE_ONLY,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FltGetFileNameInformation,
  FltGetFileNameInformationUnsafe,
  FltParseFileNameInformation,
  FltReferenceFileNameInformation,
  FltReleaseFileNameInformation,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_READ,
  IRP_MJ_WRITE,
  IRP_PAGING_IO,
  NT_SUCCESS,
  ntStatusName,
  VerifierError,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_FILE_NAME_INFORMATION,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_RELATED_OBJECTS,
} from '../../../src/index.js';
import { nameWorld, openFile } from './nameWorld.js';

const N = FLT_FILE_NAME_NORMALIZED;
const methods = {
  DEFAULT: FLT_FILE_NAME_QUERY_DEFAULT,
  CACHE_ONLY: FLT_FILE_NAME_QUERY_CACHE_ONLY,
  FILESYSTEM_ONLY: FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY,
  ALWAYS_ALLOW_CACHE_LOOKUP: FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP,
};

function* tryEach(Data: FLT_CALLBACK_DATA, seen: string[], where: string): Blocking<void> {
  for (const [method, bits] of Object.entries(methods)) {
    const r = yield* FltGetFileNameInformation(Data, N | bits);
    seen.push(`${where} ${method}: ${NT_SUCCESS(r.status) ? 'name' : ntStatusName(r.status)}`);
    if (r.FileNameInformation !== null) FltReleaseFileNameInformation(r.FileNameInformation);
  }
}

describe('where a name query is not allowed (§16.3)', () => {
  it('pre-close (cleanup complete): the file system may not be asked; only a cache lookup can answer', () => {
    const seen: string[] = [];
    const w = nameWorld([
      {
        name: 'spy',
        altitude: '385100',
        registration: {
          OperationRegistration: [
            {
              MajorFunction: IRP_MJ_CREATE,
              PostOperation: function* (Data: FLT_CALLBACK_DATA): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
                // Leave the NORMALIZED name in the cache for post-cleanup to find.
                const r = yield* FltGetFileNameInformation(Data, N | FLT_FILE_NAME_QUERY_DEFAULT);
                FltReleaseFileNameInformation(r.FileNameInformation!);
                return FLT_POSTOP_FINISHED_PROCESSING;
              },
            },
            {
              MajorFunction: IRP_MJ_CLOSE,
              PreOperation: function* (Data: FLT_CALLBACK_DATA): Blocking<FLT_PREOP_CALLBACK_STATUS> {
                yield* tryEach(Data, seen, 'pre-close');
                return FLT_PREOP_SUCCESS_NO_CALLBACK;
              },
            },
          ],
        },
      },
    ]);
    w.sim.fileSystem('C:').writeFile('\\a.txt', 'x');
    w.app('app', function* () {
      yield* w.sim.io.NtClose(yield* openFile(w.sim, 'C:\\a.txt'));
    });
    expect(seen).toEqual([
      'pre-close DEFAULT: STATUS_FLT_INVALID_NAME_REQUEST',
      'pre-close CACHE_ONLY: name',
      'pre-close FILESYSTEM_ONLY: STATUS_FLT_INVALID_NAME_REQUEST',
      'pre-close ALWAYS_ALLOW_CACHE_LOOKUP: name',
    ]);
    w.checkFold();
  });

  it('paging I/O with nothing cached: DEFAULT and FILESYSTEM_ONLY refuse, the cache methods miss (§19.9 invariant 9)', () => {
    const seen: string[] = [];
    const w = nameWorld([
      {
        name: 'spy',
        altitude: '385100',
        registration: {
          OperationRegistration: [
            {
              MajorFunction: IRP_MJ_READ,
              PreOperation: function* (Data: FLT_CALLBACK_DATA): Blocking<FLT_PREOP_CALLBACK_STATUS> {
                yield* tryEach(Data, seen, Data.Iopb.IrpFlags & IRP_PAGING_IO ? 'paging read' : 'read');
                return FLT_PREOP_SUCCESS_NO_CALLBACK;
              },
            },
          ],
        },
      },
    ]);
    w.sim.fileSystem('C:').writeFile('\\a.txt', 'hello');
    w.app('app', function* () {
      const h = yield* openFile(w.sim, 'C:\\a.txt');
      yield* w.sim.io.NtReadFile(h, 5, 0, IRP_PAGING_IO);
      yield* w.sim.io.NtClose(h);
    });
    expect(seen).toEqual([
      'paging read DEFAULT: STATUS_FLT_INVALID_NAME_REQUEST',
      'paging read CACHE_ONLY: STATUS_FLT_NAME_CACHE_MISS',
      'paging read FILESYSTEM_ONLY: STATUS_FLT_INVALID_NAME_REQUEST',
      'paging read ALWAYS_ALLOW_CACHE_LOOKUP: STATUS_FLT_NAME_CACHE_MISS',
    ]);
    w.checkFold();
  });

  it('a post-op that is not synchronized runs at DISPATCH_LEVEL: the query is refused and named NAME_QUERY_AT_DISPATCH', () => {
    let status = 0;
    const w = nameWorld(
      [
        {
          name: 'late',
          altitude: '140000',
          registration: {
            OperationRegistration: [
              {
                MajorFunction: IRP_MJ_WRITE,
                PreOperation: (): FLT_PREOP_CALLBACK_STATUS => FLT_PREOP_SUCCESS_WITH_CALLBACK,
                PostOperation: function* (Data: FLT_CALLBACK_DATA): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
                  status = (yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT)).status;
                  return FLT_POSTOP_FINISHED_PROCESSING;
                },
              },
            ],
          },
        },
      ],
      { sim: { onViolation: 'record' } },
    );
    w.sim.fileSystem('C:').writeFile('\\a.txt', 'x');
    w.app('app', function* () {
      const h = yield* openFile(w.sim, 'C:\\a.txt', { DesiredAccess: FILE_GENERIC_WRITE });
      yield* w.sim.io.NtWriteFile(h, 'y', 0);
      yield* w.sim.io.NtClose(h);
    });
    expect(ntStatusName(status)).toBe('STATUS_FLT_INVALID_NAME_REQUEST');
    expect(w.sim.state().violations.map((v) => v.rule)).toEqual(['NAME_QUERY_AT_DISPATCH']);
    w.checkFold();
  });

  it('bad NameOptions (no format, two methods) are STATUS_INVALID_PARAMETER (§16.1)', () => {
    const seen: string[] = [];
    const w = nameWorld([
      {
        name: 'spy',
        altitude: '385100',
        registration: {
          OperationRegistration: [
            {
              MajorFunction: IRP_MJ_CREATE,
              PreOperation: function* (Data: FLT_CALLBACK_DATA): Blocking<FLT_PREOP_CALLBACK_STATUS> {
                for (const options of [FLT_FILE_NAME_QUERY_DEFAULT, N | FLT_FILE_NAME_QUERY_DEFAULT | FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP, N | 0x10000 | FLT_FILE_NAME_QUERY_DEFAULT]) {
                  seen.push(ntStatusName((yield* FltGetFileNameInformation(Data, options)).status));
                }
                return FLT_PREOP_SUCCESS_NO_CALLBACK;
              },
            },
          ],
        },
      },
    ]);
    w.app('app', function* () {
      yield* w.sim.io.NtCreateFile('C:\\x', { DesiredAccess: FILE_GENERIC_READ });
    });
    expect(seen).toEqual(['STATUS_INVALID_PARAMETER', 'STATUS_INVALID_PARAMETER', 'STATUS_INVALID_PARAMETER']);
  });
});

describe('references (§16.4, §19.9 invariant 8)', () => {
  function oneName(onName: (info: FLT_FILE_NAME_INFORMATION) => void, options = N | FLT_FILE_NAME_QUERY_DEFAULT) {
    const w = nameWorld(
      [
        {
          name: 'scanner',
          altitude: '265000',
          registration: {
            OperationRegistration: [
              {
                MajorFunction: IRP_MJ_CREATE,
                PostOperation: function* (Data: FLT_CALLBACK_DATA): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
                  const r = yield* FltGetFileNameInformation(Data, options);
                  onName(r.FileNameInformation!);
                  return FLT_POSTOP_FINISHED_PROCESSING;
                },
              },
            ],
          },
        },
      ],
      { sim: { onViolation: 'record' } },
    );
    w.sim.fileSystem('C:').writeFile('\\a.txt', 'x');
    const t = w.sim.spawn('app', function* () {
      yield* w.sim.io.NtClose(yield* openFile(w.sim, 'C:\\a.txt'));
    });
    w.sim.run();
    return { w, t };
  }

  it('a reference taken is released once more; the structure stays while the cache holds it, then goes', () => {
    const { w } = oneName((info) => {
      FltReferenceFileNameInformation(info);
      FltReleaseFileNameInformation(info);
      FltReleaseFileNameInformation(info);
    });
    expect(w.trace().filter((l) => /Fl?t?(Reference|Release)|Invalidate/.test(l)).map((l) => l.replace(/^N1\(.*?\) /, ''))).toEqual([
      'FltReferenceFileNameInformation filter=F1:scanner count=2',
      'FltReleaseFileNameInformation filter=F1:scanner count=1 cached',
      'FltReleaseFileNameInformation filter=F1:scanner count=0 cached',
      'NameCacheInvalidate key=V1|file#64|NORMALIZED|fs reason=close',
    ]);
    expect(w.sim.state().fileNames).toEqual({});
    w.checkFold();
  });

  it('a double release is FLT_NAME_DOUBLE_RELEASE; a parse after release is FLT_NAME_USE_AFTER_RELEASE', () => {
    const errors: string[] = [];
    const catchRule = (f: () => void) => {
      try {
        f();
      } catch (e) {
        errors.push(e instanceof VerifierError ? e.rule : String(e));
      }
    };
    const { w } = oneName((info) => {
      FltReleaseFileNameInformation(info);
      catchRule(() => FltReleaseFileNameInformation(info));
      catchRule(() => FltParseFileNameInformation(info));
    }, N | FLT_FILE_NAME_QUERY_DEFAULT | FLT_FILE_NAME_DO_NOT_CACHE);
    expect(errors).toEqual(['FLT_NAME_DOUBLE_RELEASE', 'FLT_NAME_USE_AFTER_RELEASE']);
    expect(w.sim.state().violations.map((v) => [v.rule, v.object])).toEqual([
      ['FLT_NAME_DOUBLE_RELEASE', 'N1'],
      ['FLT_NAME_USE_AFTER_RELEASE', 'N1'],
    ]);
    w.checkFold();
  });

  it('writing into the structure is FLT_NAME_MODIFIED', () => {
    const errors: string[] = [];
    oneName((info) => {
      (info as { Name: string }).Name = '\\elsewhere';
      try {
        FltReleaseFileNameInformation(info);
      } catch (e) {
        errors.push(e instanceof VerifierError ? e.rule : String(e));
      }
    });
    expect(errors).toEqual(['FLT_NAME_MODIFIED']);
  });

  it('a name still referenced at unload is FLT_NAME_LEAKED, as Filter Verifier reports it; the unload completes (§15.9)', () => {
    const { w } = oneName(() => undefined);
    const unload = w.sim.spawn('fltmc unload scanner', () => w.sim.FilterUnload('scanner'));
    w.sim.run();
    expect(unload.result).toBe(0);
    expect(w.sim.state().violations.map((v) => [v.rule, v.object])).toEqual([['FLT_NAME_LEAKED', 'N1']]);
    expect(w.sim.state().fileNames['N1']).toMatchObject({ references: ['F1'], state: 'Referenced' });
    w.checkFold();
  });

  it('FltGetFileNameInformationUnsafe on a file object that is not open is STATUS_FLT_INVALID_NAME_REQUEST (§16.4)', () => {
    let objects: FLT_RELATED_OBJECTS | null = null;
    const statuses: string[] = [];
    const w = nameWorld([
      {
        name: 'worker',
        altitude: '300000',
        registration: {
          OperationRegistration: [
            {
              MajorFunction: IRP_MJ_CREATE,
              PreOperation: function* (_d: FLT_CALLBACK_DATA, o: FLT_RELATED_OBJECTS): Blocking<FLT_PREOP_CALLBACK_STATUS> {
                objects = o;
                statuses.push(ntStatusName((yield* FltGetFileNameInformationUnsafe(o.FileObject!, o.Instance, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT)).status));
                return FLT_PREOP_SUCCESS_NO_CALLBACK;
              },
            },
          ],
        },
      },
    ]);
    w.sim.fileSystem('C:').writeFile('\\a.txt', 'x');
    const name = w.app('app', function* () {
      const h = yield* openFile(w.sim, 'C:\\a.txt');
      const r = yield* FltGetFileNameInformationUnsafe(w.sim.io.fileObject(h)!, objects!.Instance, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT);
      const got = r.FileNameInformation!.Name;
      FltReleaseFileNameInformation(r.FileNameInformation!);
      yield* w.sim.io.NtClose(h);
      return got;
    });
    expect(statuses).toEqual(['STATUS_FLT_INVALID_NAME_REQUEST']);
    expect(name).toBe('\\Device\\HarddiskVolume1\\a.txt');
    w.checkFold();
  });
});
