// §19.9 invariants 8–12 and §16's format rules over logs: a correct run passes, and each check
// names the fact where a log that breaks it goes wrong.
import { describe, expect, it } from 'vitest';
import {
  FILE_GENERIC_READ,
  FILE_SHARE_READ,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY,
  FLT_FILE_NAME_QUERY_CACHE_ONLY,
  FLT_FILE_NAME_SHORT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FltGetFileNameInformation,
  FltGetTunneledName,
  FltReleaseFileNameInformation,
  IRP_MJ_CREATE,
  createSimulation,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_POSTOP_CALLBACK_STATUS,
  type Fact,
} from '../../src/index.js';
import { checkNameInvariants, installFilter, NAME_INVARIANTS } from '../../src/testing/index.js';

function scannerLog(): Fact[] {
  const sim = createSimulation({ seed: 3 });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  installFilter(sim, {
    name: 'scanner',
    altitude: '265000',
    registration: {
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ_CREATE,
          PostOperation: function* (Data: FLT_CALLBACK_DATA): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
            const r = yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT);
            if (r.FileNameInformation === null) return FLT_POSTOP_FINISHED_PROCESSING;
            // ctx's post-create: was the name tunneled? (never, in the model's file systems)
            FltGetTunneledName(Data, r.FileNameInformation);
            FltReleaseFileNameInformation(r.FileNameInformation);
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        },
      ],
    },
  });
  sim.fileSystem('C:').writeFile('\\a.txt', 'x');
  sim.spawn('app', function* () {
    const r = yield* sim.io.NtCreateFile('C:\\a.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ });
    yield* sim.io.NtClose(r.handle!);
  });
  sim.run();
  return [...sim.log];
}

/** The log with the fact of `type` (first one) changed by `edit`. */
function edited(log: Fact[], type: Fact['type'], edit: (f: Record<string, unknown>) => void): Fact[] {
  const at = log.findIndex((f) => f.type === type);
  const copy = log.map((f) => ({ ...f }) as Record<string, unknown>);
  edit(copy[at]!);
  return copy as unknown as Fact[];
}

describe('name invariants (§19.9)', () => {
  it('a scanner that asks once and releases once satisfies all of them', () => {
    expect(checkNameInvariants(scannerLog())).toEqual([]);
  });

  it('8: a release more than the references, and a fact on a freed structure', () => {
    const log = scannerLog();
    const release = log.find((f) => f.type === 'FltReleaseFileNameInformation')!;
    const doubled = [...log, { ...release, seq: log.length, count: -1, cached: false } as Fact];
    expect(NAME_INVARIANTS.nameReferencesBalanced!(doubled).map((v) => v.invariant)).toContain('19.9/8');
  });

  it('9: a SHORT name before the file was opened', () => {
    const log = edited(scannerLog(), 'FileNameQuery', (f) => (f.options = FLT_FILE_NAME_SHORT | FLT_FILE_NAME_QUERY_DEFAULT));
    const moved = edited(log, 'FileNameInformationCreate', (f) => (f.format = FLT_FILE_NAME_SHORT));
    // Pretend the query came before the open: drop the FileObjectOpened fact.
    const preOpen = moved.filter((f) => f.type !== 'FileObjectOpened');
    expect(NAME_INVARIANTS.unsafeQueriesStayInTheCache!(preOpen).map((v) => v.message)).toEqual([`a SHORT name for O1 before it was opened`]);
  });

  it('10: a FILESYSTEM_ONLY query that filled the cache, a CACHE_ONLY query that reached the file system', () => {
    const fsOnly = edited(scannerLog(), 'FileNameQuery', (f) => (f.options = FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY));
    expect(NAME_INVARIANTS.queryMethodsKeepTheirWord!(fsOnly).map((v) => v.invariant)).toEqual(['19.9/10']);
    const cacheOnly = edited(scannerLog(), 'FileNameQuery', (f) => (f.options = FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_CACHE_ONLY));
    expect(NAME_INVARIANTS.queryMethodsKeepTheirWord!(cacheOnly).map((v) => v.message)).toContain('FileSystemNameQuery for O1 during a CACHE_ONLY query');
  });

  it('11: FltGetTunneledName outside a post-create or post-set-information', () => {
    const log = scannerLog();
    expect(log.filter((f) => f.type === 'FltGetTunneledName').length).toBe(1);
    const inPreCreate = edited(log, 'FltGetTunneledName', (f) => (f.post = false));
    expect(NAME_INVARIANTS.tunneledNameOnlyAfterCreateOrRename!(inPreCreate).map((v) => v.message)).toEqual([
      'FltGetTunneledName on N1 from D1 outside a post-create or post-set-information',
    ]);
  });

  it('12: a provider asked again for the same file object from inside its own GenerateFileName', () => {
    const base = { time: 0, object: 'O1' };
    const log = [
      { ...base, seq: 0, type: 'GenerateFileName', instance: 'I2', options: 0x101 },
      { ...base, seq: 1, type: 'GenerateFileName', instance: 'I2', options: 0x1000101 },
    ] as Fact[];
    expect(NAME_INVARIANTS.providersDoNotRecurse!(log).map((v) => v.seq)).toEqual([1]);
  });

  it('§16: a name of another format than asked, a NORMALIZED name with :$DATA', () => {
    const log = edited(scannerLog(), 'FileNameInformationCreate', (f) => {
      f.format = 0x2;
      f.name = '\\Device\\HarddiskVolume1\\a.txt::$DATA';
    });
    expect(NAME_INVARIANTS.namesHaveTheirFormat!(log).length).toBe(1);
    const data = edited(scannerLog(), 'FileNameInformationCreate', (f) => (f.name = '\\Device\\HarddiskVolume1\\a.txt::$DATA'));
    expect(NAME_INVARIANTS.namesHaveTheirFormat!(data).map((v) => v.message)).toEqual(['NORMALIZED name \\Device\\HarddiskVolume1\\a.txt::$DATA keeps :$DATA']);
  });
});
