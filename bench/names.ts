/**
 * File-name figures (§16): FltGetFileNameInformationUnsafe queries per second, answered from the
 * name cache (NORMALIZED|QUERY_DEFAULT after the first query filled it) and from the file system
 * every time (NORMALIZED|QUERY_FILESYSTEM_ONLY), each followed by FltReleaseFileNameInformation,
 * beside XState's actor.send measured in this run.
 *
 * Public API only. One volume, one filter instance, one file opened by an application before the
 * clock starts; the clock covers one thread issuing QUERIES query + release pairs, run to idle. A
 * run outside the clock checks that every cached query was a hit, every other a file-system query,
 * and that each returned the file's name.
 */
import { XSTATE_SEND } from './baselines.js';
import { compare, measure, rateSpread, type BenchContext, type Row } from './harness.js';
import { runToIdle } from './workloads.js';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY,
  FltGetFileNameInformationUnsafe,
  FltReleaseFileNameInformation,
  type Blocking,
  type FLT_RELATED_OBJECTS,
  type PFILE_OBJECT,
  type Simulation,
} from '../src/index.js';
import { installFilter } from '../src/testing/index.js';

const QUERIES = 1000;
const NAME = '\\Device\\HarddiskVolume1\\reports\\Quarterly Report.docx';

interface Prepared {
  readonly sim: Simulation;
  readonly objects: FLT_RELATED_OBJECTS;
  readonly fo: PFILE_OBJECT;
}

function prepare(record: boolean): Prepared {
  const sim = createSimulation({ seed: 1, record });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\reports\\Quarterly Report.docx', 'x');
  let objects: FLT_RELATED_OBJECTS | null = null;
  installFilter(sim, { name: 'namer', altitude: '300000', registration: { InstanceSetupCallback: (o) => ((objects = o), 0) } });
  let handle: string | null = null;
  sim.spawn('app open', function* () {
    handle = (yield* sim.io.NtCreateFile('C:\\reports\\Quarterly Report.docx', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN })).handle;
  });
  runToIdle(sim);
  if (objects === null || handle === null) throw new Error('bench: names: setup failed');
  return { sim, objects, fo: sim.io.fileObject(handle)! };
}

function* queries(p: Prepared, options: number, names: string[] | null): Blocking<number> {
  for (let i = 0; i < QUERIES; i++) {
    const r = yield* FltGetFileNameInformationUnsafe(p.fo, p.objects.Instance, options);
    if (r.FileNameInformation === null) return r.status || -1;
    names?.push(r.FileNameInformation.Name);
    FltReleaseFileNameInformation(r.FileNameInformation);
  }
  return 0;
}

function run(p: Prepared, options: number, names: string[] | null): number {
  const t = p.sim.spawn('queries', () => queries(p, options, names), { token: 'S-1-5-18' });
  runToIdle(p.sim);
  if (t.error !== undefined) throw t.error;
  return t.result as number;
}

/** Outside the clock: all succeed with the right name; the cached form hits, the other never touches the cache. */
function check(options: number, cached: boolean, label: string): void {
  const p = prepare(true);
  const names: string[] = [];
  if (run(p, options, names) !== 0 || names.length !== QUERIES || names.some((n) => n !== NAME)) throw new Error(`bench: names, ${label}: wrong result`);
  const count = (type: string): number => p.sim.log.filter((f) => f.type === type).length;
  const expected = cached ? { hits: QUERIES - 1, fs: 1, inserts: 1 } : { hits: 0, fs: QUERIES, inserts: 0 };
  const seen = { hits: count('NameCacheHit'), fs: count('FileSystemNameQuery'), inserts: count('NameCacheInsert') };
  if (JSON.stringify(seen) !== JSON.stringify(expected)) throw new Error(`bench: names, ${label}: ${JSON.stringify(seen)}, expected ${JSON.stringify(expected)}`);
}

export async function names(context: BenchContext): Promise<Row[]> {
  const xstate = context.baseline(XSTATE_SEND);
  const rows: Row[] = [];
  for (const [label, options] of [
    ['name query, cached (FltGetFileNameInformationUnsafe NORMALIZED|DEFAULT + release)', FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT],
    ['name query, uncached (NORMALIZED|FILESYSTEM_ONLY + release)', FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY],
  ] as const) {
    check(options, options === (FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT), label);
    const p = prepare(false);
    const sample = measure({ warmup: 3, repetitions: 9 }, () => run(p, options, null));
    rows.push(compare({ name: label, value: QUERIES / sample.median, unit: 'queries/s', note: rateSpread(QUERIES, sample) }, xstate));
  }
  return rows;
}
