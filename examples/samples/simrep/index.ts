/**
 * `fltsim run examples/samples/simrep`: the simrep sample on C: (mapping `\x\y` → `\a\b` unless
 * OldMapping / NewMapping say otherwise), attached by `fltmc attach simrep C:` (its InstanceSetup
 * refuses automatic attachment). Two applications race: app 1 reads `C:\x\y\z.txt` (which the file
 * system has at both places; simrep sends the open to `\a\b\z.txt`) and renames `\work\draft.txt`
 * into `\x\y\moved.txt`; app 2 reads `C:\other.txt` and renames `\work\note.txt` to
 * `\a\b\note.txt`. `fltmc unload simrep` after `unloadAt` ticks (default 6).
 * Args: OldMapping, NewMapping, RemapRenamesAndLinks (1; 0 picks the registration without rename
 * handling), renameTo (app 1's rename destination), queryAttributes (1: each application first asks
 * for its file's attributes, a fast query open), DebugLevel (0x1 = DEBUG_TRACE_ERROR), unloadAt.
 */
import {
  DELETE,
  FILE_GENERIC_READ,
  FILE_INFORMATION_CLASS,
  FILE_OPEN,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  ntStatusName,
  SYSTEM_SID,
  UsageError,
  type Blocking,
  type Scenario,
  type ScenarioArgs,
  type Simulation,
} from '../../../src/index.js';
import { dwordArg, machine, unloadAfter } from '../common/system.js';
import { DEBUG_TRACE_ERROR } from './simrepGlobals.js';
import { SIMREP_INSTANCES, SIMREP_NAME, simrep, type SimRepImage } from './simrep.js';

/** What one application saw: the data it read and the status of its rename (and, with queryAttributes, the EndOfFile NtQueryFullAttributesFile reported). */
export interface SimRepAppResult {
  readonly read: string;
  readonly rename: string;
  readonly attributes?: string;
}

export interface SimRepSystem {
  readonly image: SimRepImage;
  readonly results: Record<string, SimRepAppResult>;
}

const SHARE = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

function stringArg(args: ScenarioArgs, name: string, fallback: string): string {
  const v = args[name];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string' || !v.startsWith('\\')) throw new UsageError('BAD_SCENARIO_ARGUMENT', `scenario argument ${name} must be a path starting with \\, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * One application: read `path`, then rename `from` to `to` (a Win32-style full path). With
 * `queryAttributes` it first asks for `path`'s attributes (GetFileAttributesEx): the fast query open
 * simrep refuses with FLT_PREOP_DISALLOW_FASTIO when the path is mapped (wdk-samples check 3).
 */
function* application(sim: Simulation, path: string, from: string, to: string, queryAttributes: boolean): Blocking<SimRepAppResult> {
  let attributes: string | undefined;
  if (queryAttributes) {
    const q = yield* sim.io.NtQueryFullAttributesFile(`C:${path}`);
    const info = q.output?.kind === 'fileInformation' ? (q.output.info as { EndOfFile?: number }) : null;
    attributes = info?.EndOfFile === undefined ? ntStatusName(q.status) : `EndOfFile ${info.EndOfFile}`;
  }
  let read = '';
  const open = yield* sim.io.NtCreateFile(`C:${path}`, { DesiredAccess: FILE_GENERIC_READ, ShareAccess: SHARE, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
  if (open.handle === null) read = ntStatusName(open.status);
  else {
    const r = yield* sim.io.NtReadFile(open.handle, 32, 0);
    read = r.output === null ? ntStatusName(r.status) : new TextDecoder().decode(r.output);
    yield* sim.io.NtClose(open.handle);
  }
  const source = yield* sim.io.NtCreateFile(`C:${from}`, { DesiredAccess: DELETE | FILE_GENERIC_READ, ShareAccess: SHARE, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
  const extra = attributes === undefined ? {} : { attributes };
  if (source.handle === null) return { read, rename: `open ${ntStatusName(source.status)}`, ...extra };
  const renamed = yield* sim.io.NtSetInformationFile(source.handle, FILE_INFORMATION_CLASS.FileRenameInformation, { ReplaceIfExists: false, RootDirectory: null, FileName: `\\??\\C:${to}` });
  yield* sim.io.NtClose(source.handle);
  return { read, rename: ntStatusName(renamed.status), ...extra };
}

export function simrepSystem(sim: Simulation, args: ScenarioArgs): SimRepSystem {
  const unloadAt = dwordArg(args, 'unloadAt', 6, 0);
  const renameTo = stringArg(args, 'renameTo', '\\x\\y\\moved.txt');
  const queryAttributes = dwordArg(args, 'queryAttributes', 0, 0) !== 0;
  machine(sim, {
    '\\x\\y\\z.txt': 'the old place',
    '\\a\\b\\z.txt': 'redirected',
    '\\other.txt': 'not mapped',
    '\\work\\draft.txt': 'draft',
    '\\work\\note.txt': 'note',
  });
  const image = simrep({
    OldMapping: stringArg(args, 'OldMapping', '\\x\\y'),
    NewMapping: stringArg(args, 'NewMapping', '\\a\\b'),
    RemapRenamesAndLinks: dwordArg(args, 'RemapRenamesAndLinks', 1, 0),
    DebugLevel: dwordArg(args, 'DebugLevel', DEBUG_TRACE_ERROR, 0),
  });
  const results: Record<string, SimRepAppResult> = {};
  const entry = sim.loadDriver({ name: SIMREP_NAME, instances: SIMREP_INSTANCES }, image.DriverEntry);
  sim.whenSettled(() => {
    const attach = sim.spawn('fltmc attach simrep C:', () => sim.FilterAttach(SIMREP_NAME, 'C:'), { token: SYSTEM_SID });
    const apps: [string, string, string, string][] = [
      ['app 1', '\\x\\y\\z.txt', '\\work\\draft.txt', renameTo],
      ['app 2', '\\other.txt', '\\work\\note.txt', '\\a\\b\\note.txt'],
    ];
    for (const [name, path, from, to] of apps) {
      sim.spawn(name, function* () {
        yield* sim.join(attach);
        results[name] = yield* application(sim, path, from, to, queryAttributes);
        return 'done';
      });
    }
    unloadAfter(sim, entry, SIMREP_NAME, unloadAt);
  });
  return { image, results };
}

export const scenario: Scenario = {
  id: 'sample-simrep',
  description: 'WDK simrep: creates under \\x\\y reparsed in pre-create to \\a\\b (STATUS_REPARSE / IO_REPARSE), renames into the mapping redirected; args: OldMapping, NewMapping, RemapRenamesAndLinks (1), renameTo, queryAttributes (0; 1: each app first asks NtQueryFullAttributesFile), DebugLevel (1), unloadAt (6)',
  options: { onViolation: 'record' },
  build(sim, args) {
    simrepSystem(sim, args);
  },
};
