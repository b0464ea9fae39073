/**
 * The name property (§16.5): over random opens, renames (of files and directories), hard links,
 * closes and name queries with every query method, a NORMALIZED name FltGetFileNameInformation(Unsafe)
 * returns always equals the file system's current path of that file object — the cache is never
 * stale after a rename. Also: fold(log) equals the live state and the §19.9 name invariants hold.
 * Shared by test/property/names.test.ts (short) and names.deep.test.ts (long).
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import {
  createSimulation,
  DELETE,
  FILE_DIRECTORY_FILE,
  FILE_GENERIC_READ,
  FILE_INFORMATION_CLASS,
  FILE_OPEN,
  FILE_OPEN_IF,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP,
  FLT_FILE_NAME_QUERY_CACHE_ONLY,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY,
  FLT_POSTOP_FINISHED_PROCESSING,
  FltGetFileNameInformation,
  FltGetFileNameInformationUnsafe,
  FltReleaseFileNameInformation,
  foldLog,
  IRP_MJ_CREATE,
  NT_SUCCESS,
  STATUS_FLT_NAME_CACHE_MISS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_RELATED_OBJECTS,
  type PFLT_INSTANCE,
} from '../../src/index.js';
import { checkNameInvariants, installFilter } from '../../src/testing/index.js';

const SHARE_ALL = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
const DIRS = ['\\d0', '\\d1', '\\d1\\Long Directory Name'];
const FILES = ['a.txt', 'Quarterly Report.docx', 'b'];
const METHODS = [FLT_FILE_NAME_QUERY_DEFAULT, FLT_FILE_NAME_QUERY_CACHE_ONLY, FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY, FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP];

export type NameAction =
  | { readonly kind: 'open'; readonly dir: number; readonly file: number }
  | { readonly kind: 'rename'; readonly handle: number; readonly dir: number; readonly file: number }
  | { readonly kind: 'link'; readonly handle: number; readonly dir: number; readonly file: number }
  | { readonly kind: 'renameDir'; readonly dir: number; readonly to: number }
  | { readonly kind: 'close'; readonly handle: number }
  | { readonly kind: 'query'; readonly handle: number; readonly method: number };

export const nameActions: fc.Arbitrary<NameAction[]> = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('open' as const), dir: fc.nat(DIRS.length - 1), file: fc.nat(FILES.length - 1) }),
    fc.record({ kind: fc.constant('rename' as const), handle: fc.nat(7), dir: fc.nat(DIRS.length - 1), file: fc.nat(FILES.length - 1) }),
    fc.record({ kind: fc.constant('link' as const), handle: fc.nat(7), dir: fc.nat(DIRS.length - 1), file: fc.nat(FILES.length - 1) }),
    fc.record({ kind: fc.constant('renameDir' as const), dir: fc.nat(DIRS.length - 1), to: fc.nat(3) }),
    fc.record({ kind: fc.constant('close' as const), handle: fc.nat(7) }),
    fc.record({ kind: fc.constant('query' as const), handle: fc.nat(7), method: fc.nat(METHODS.length - 1) }),
  ),
  { minLength: 1, maxLength: 30 },
);

export interface NameRunResult {
  readonly mismatches: string[];
  readonly queries: number;
  readonly foldEqualsLive: boolean;
  readonly invariantViolations: string[];
}

/** Run one random workload; `shortNames` turns on 8.3 aliases (opens then go through them half the time). */
export function runNameWorkload(actions: readonly NameAction[], shortNames: boolean): NameRunResult {
  const sim = createSimulation({ seed: 7 });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:', ...(shortNames ? { shortNames: true } : {}) });
  const fs = sim.fileSystem('C:');
  for (const d of DIRS) fs.mkdir(d);
  let instance: PFLT_INSTANCE | null = null;
  installFilter(sim, {
    name: 'namer',
    altitude: '300000',
    registration: {
      InstanceSetupCallback: (o: FLT_RELATED_OBJECTS) => ((instance = o.Instance), 0),
      OperationRegistration: [
        {
          MajorFunction: IRP_MJ_CREATE,
          // Fills the cache per stream as scanner and ctx do.
          PostOperation: function* (Data: FLT_CALLBACK_DATA): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
            if (!NT_SUCCESS(Data.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING;
            const r = yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT);
            if (r.FileNameInformation !== null) FltReleaseFileNameInformation(r.FileNameInformation);
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        },
      ],
    },
  });
  sim.run();
  const mismatches: string[] = [];
  let queries = 0;
  const currentPath = (fileObjectId: string): string | undefined => fs.snapshot().fileObjects.find((f) => f.id === fileObjectId)?.path;
  const dirNames = DIRS.slice();
  sim.spawn('app', function* () {
    const handles: string[] = [];
    const pick = (i: number): string | undefined => (handles.length === 0 ? undefined : handles[i % handles.length]);
    for (const [step, a] of actions.entries()) {
      if (a.kind === 'open') {
        const r = yield* sim.io.NtCreateFile(`C:${dirNames[a.dir]}\\${FILES[a.file]}`, { DesiredAccess: FILE_GENERIC_READ | DELETE, ShareAccess: SHARE_ALL, CreateDisposition: FILE_OPEN_IF });
        if (r.handle !== null) handles.push(r.handle);
      } else if (a.kind === 'rename' || a.kind === 'link') {
        const h = pick(a.handle);
        if (h === undefined) continue;
        const cls = a.kind === 'rename' ? FILE_INFORMATION_CLASS.FileRenameInformation : FILE_INFORMATION_CLASS.FileLinkInformation;
        yield* sim.io.NtSetInformationFile(h, cls, { ReplaceIfExists: false, RootDirectory: null, FileName: `${dirNames[a.dir]}\\${FILES[a.file]}` });
      } else if (a.kind === 'renameDir') {
        // Renamed only when nothing below it is open (NTFS refuses otherwise); the names below move with it.
        const from = dirNames[a.dir]!;
        const r = yield* sim.io.NtCreateFile(`C:${from}`, { DesiredAccess: FILE_GENERIC_READ | DELETE, ShareAccess: SHARE_ALL, CreateDisposition: FILE_OPEN, CreateOptions: FILE_DIRECTORY_FILE });
        if (r.handle === null) continue;
        const to = `${from.slice(0, from.lastIndexOf('\\'))}\\Renamed ${a.to} ${step}`;
        const s = yield* sim.io.NtSetInformationFile(r.handle, FILE_INFORMATION_CLASS.FileRenameInformation, { ReplaceIfExists: false, RootDirectory: null, FileName: to });
        yield* sim.io.NtClose(r.handle);
        if (NT_SUCCESS(s.status)) for (let i = 0; i < dirNames.length; i++) if (dirNames[i] === from || dirNames[i]!.startsWith(`${from}\\`)) dirNames[i] = to + dirNames[i]!.slice(from.length);
      } else if (a.kind === 'close') {
        const h = pick(a.handle);
        if (h === undefined) continue;
        handles.splice(handles.indexOf(h), 1);
        yield* sim.io.NtClose(h);
      } else {
        const h = pick(a.handle);
        if (h === undefined) continue;
        const fo = sim.io.fileObject(h)!;
        const r = yield* FltGetFileNameInformationUnsafe(fo, instance, FLT_FILE_NAME_NORMALIZED | METHODS[a.method]!);
        if (r.FileNameInformation === null) {
          if (r.status !== STATUS_FLT_NAME_CACHE_MISS) mismatches.push(`step ${step}: query failed with 0x${r.status.toString(16)}`);
          continue;
        }
        queries++;
        const expected = `\\Device\\HarddiskVolume1${currentPath(fo.id)}`;
        if (r.FileNameInformation.Name !== expected) mismatches.push(`step ${step}: ${fo.id} named ${r.FileNameInformation.Name}, the file system says ${expected}`);
        FltReleaseFileNameInformation(r.FileNameInformation);
      }
    }
    for (const h of handles) yield* sim.io.NtClose(h);
  });
  sim.run();
  // Compared as data: the fold and the live view may list an object's fields in another order.
  const foldEqualsLive = isDeepStrictEqual(JSON.parse(JSON.stringify(foldLog(sim.log))), JSON.parse(JSON.stringify(sim.state())));
  return { mismatches, queries, foldEqualsLive, invariantViolations: checkNameInvariants(sim.log).map((v) => `${v.invariant} @${v.seq}: ${v.message}`) };
}

export function nameProperty(numRuns: number, seed: number): void {
  fc.assert(
    fc.property(nameActions, fc.boolean(), (actions, shortNames) => {
      const r = runNameWorkload(actions, shortNames);
      return r.mismatches.length === 0 && r.foldEqualsLive && r.invariantViolations.length === 0;
    }),
    { numRuns, seed },
  );
}
