/**
 * Generated I/O figures: reads per second a minifilter gets when it issues its own reads from the
 * instance in the middle of a 10-instance stack, synchronously and asynchronously, beside the
 * baselines and beside an application's read through the same stack.
 *
 * Four generated forms, each 256 reads of 4 KiB from the instance at position 5 (from the top):
 * synchronous FltReadFile; asynchronous FltReadFile with a completion callback (STATUS_PENDING, the
 * callback on a scheduled AsyncIoCompletion thread); one FltAllocateCallbackData, then
 * FltReuseCallbackData + FltPerformAsynchronousIo per read; and synchronous FltReadFile with
 * `fileSystemCompletion: 'deferred'`. The application's NtReadFile (inline and deferred) is timed the
 * same way, so each generated form can be priced against the read an application pays for.
 *
 * Public API only (src/index.ts, src/testing). The stack, the open (FltCreateFileEx or NtCreateFile)
 * and, for the callback-data form, the allocation happen before the clock starts; the clock covers
 * the thread issuing the reads run to idle, so every asynchronous callback has run when it stops.
 */
import { PLAIN_REDUCER, XSTATE_SEND } from './baselines.js';
import { formatNumber, formatSeconds, sink, summarize, type BenchContext, type Row, type Sample } from './harness.js';
import { runToIdle } from './workloads.js';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FltAllocateCallbackData,
  FltClose,
  FltCreateFileEx,
  FltFreeCallbackData,
  FltPerformAsynchronousIo,
  FltReadFile,
  FltReuseCallbackData,
  IRP_MJ_CLEANUP,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_READ,
  ObDereferenceObject,
  STATUS_PENDING,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_RELATED_OBJECTS,
  type KernelHandle,
  type PFILE_OBJECT,
  type PFLT_COMPLETED_ASYNC_IO_CALLBACK,
  type Simulation,
  type SimulationOptions,
} from '../src/index.js';
import { installFilter, operations } from '../src/testing/index.js';

const SYSTEM = 'S-1-5-18';
const FILE = 'C:\\data.bin';
const FILE_BYTES = 256 * 1024;
const BLOCK = 4096;
const BLOCKS = FILE_BYTES / BLOCK;
/** Reads per run; offsets stride 37 blocks over the file (coprime with 64: every block, not in order). */
const READS = 256;
const CONTENT = Uint8Array.from({ length: FILE_BYTES }, (_, i) => (i * 7 + (i >> 12)) & 0xff);
const MAJORS = [IRP_MJ_CREATE, IRP_MJ_READ, IRP_MJ_CLEANUP, IRP_MJ_CLOSE] as const;

const DEPTH = 10;
/** The initiator, counted from the top: 4 instances above it, 5 below. */
const POSITION = 5;
/** Filters are numbered from the bottom (altitude 320000 + 10·i), so the initiator is filter DEPTH − POSITION. */
const INITIATOR = DEPTH - POSITION;

const offsetOf = (r: number): number => ((r * 37) % BLOCKS) * BLOCK;

/** sync: FltReadFile; async: FltReadFile with a callback; cbd: reused callback data + FltPerformAsynchronousIo; app: NtReadFile. */
type Form = 'sync' | 'async' | 'cbd' | 'app';

interface Shape {
  readonly form: Form;
  readonly options: SimulationOptions;
}

/** Per simulation: what each filter's read callbacks saw and what the completion callbacks got. */
interface Tally {
  /** Indexed by filter number (0 = bottom). */
  readonly readPre: number[];
  readonly readPost: number[];
  callbacks: number;
  /** Callbacks whose IoStatus was not STATUS_SUCCESS / 4096 bytes. */
  badCallbacks: number;
}

/** A simulation with the stack built and the file open, the reads not yet issued. */
interface Prepared {
  readonly sim: Simulation;
  readonly shape: Shape;
  readonly tally: Tally;
  readonly middle: FLT_RELATED_OBJECTS;
  /** Generated forms: the initiator's handle and file object. */
  readonly handle: KernelHandle | null;
  readonly fo: PFILE_OBJECT | null;
  /** App form: the application's handle. */
  readonly appHandle: string | null;
  /** cbd form: the callback data allocated once. */
  readonly data: FLT_CALLBACK_DATA | null;
  /** async form: one 4 KiB slot per read, since all may be outstanding at once. */
  readonly buffers: Uint8Array;
  readonly callback: PFLT_COMPLETED_ASYNC_IO_CALLBACK;
}

/** Build the stack, seed the file, attach, and open the file (from the middle instance, or as the application). */
function prepare(shape: Shape): Prepared {
  const sim = createSimulation({ seed: 1, onViolation: 'record', ...shape.options });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\data.bin', CONTENT);
  const tally: Tally = { readPre: new Array<number>(DEPTH).fill(0), readPost: new Array<number>(DEPTH).fill(0), callbacks: 0, badCallbacks: 0 };
  let middle: FLT_RELATED_OBJECTS | null = null;
  for (let i = 0; i < DEPTH; i++) {
    installFilter(sim, {
      name: `pass${i}`,
      altitude: String(320000 + i * 10),
      registration: {
        InstanceSetupCallback: (objects) => {
          if (i === INITIATOR) middle = objects;
          return STATUS_SUCCESS;
        },
        OperationRegistration: operations(MAJORS, {
          PreOperation: (d) => {
            if (d.Iopb.MajorFunction === IRP_MJ_READ) tally.readPre[i]!++;
            return FLT_PREOP_SUCCESS_WITH_CALLBACK;
          },
          PostOperation: (d) => {
            if (d.Iopb.MajorFunction === IRP_MJ_READ) tally.readPost[i]!++;
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        }),
      },
    });
  }
  runToIdle(sim);
  // One untimed application open/close, as in bench/io.ts, so nothing done once per volume is timed.
  sim.spawn('attach', function* () {
    const open = yield* sim.io.NtCreateFile(FILE, { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE, CreateDisposition: FILE_OPEN });
    if (open.handle !== null) yield* sim.io.NtClose(open.handle);
    return open.status;
  });
  runToIdle(sim);
  if (middle === null) throw new Error('bench: the middle instance was never set up');
  const objects: FLT_RELATED_OBJECTS = middle;

  const opened: { handle: KernelHandle | null; fo: PFILE_OBJECT | null; appHandle: string | null; data: FLT_CALLBACK_DATA | null } = { handle: null, fo: null, appHandle: null, data: null };
  const opener =
    shape.form === 'app'
      ? sim.spawn('app open', function* () {
          const open = yield* sim.io.NtCreateFile(FILE, {
            DesiredAccess: FILE_GENERIC_READ,
            ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE,
            CreateDisposition: FILE_OPEN,
            CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT,
          });
          opened.appHandle = open.handle;
          return open.status;
        })
      : sim.spawn(
          'filter open',
          function* () {
            // Synchronous reads use a synchronous file object, as the application does; the
            // asynchronous forms need an asynchronous one.
            const synchronous = shape.form === 'sync' ? FILE_SYNCHRONOUS_IO_NONALERT : 0;
            const open = yield* FltCreateFileEx(objects.Filter, objects.Instance, FILE_GENERIC_READ, { ObjectName: `\\??\\${FILE}` }, 0, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, synchronous);
            opened.handle = open.FileHandle;
            opened.fo = open.FileObject;
            if (open.status === STATUS_SUCCESS && shape.form === 'cbd') {
              const allocated = FltAllocateCallbackData(objects.Instance, open.FileObject);
              opened.data = allocated.data;
              return allocated.status;
            }
            return open.status;
          },
          { token: SYSTEM },
        );
  runToIdle(sim);
  if (opener.result !== STATUS_SUCCESS || opener.error !== undefined) {
    throw new Error(`bench: ${shape.form} open ended ${String(opener.result)} ${String(opener.error ?? '')}`);
  }
  const callback: PFLT_COMPLETED_ASYNC_IO_CALLBACK = (data) => {
    tally.callbacks++;
    if (data.IoStatus.Status !== STATUS_SUCCESS || data.IoStatus.Information !== BLOCK) tally.badCallbacks++;
  };
  return { sim, shape, tally, middle: objects, ...opened, buffers: new Uint8Array(shape.form === 'async' ? READS * BLOCK : BLOCK), callback };
}

/** A read whose bytes differ from the seeded file's (checked only outside the clock). */
const WRONG_BYTES = -2;

/**
 * The timed part: READS reads of 4 KiB in the chosen form, on one thread. Returns its first failure
 * status, or STATUS_SUCCESS. With `verify`, a synchronous read also compares its bytes (the buffer
 * is reused); asynchronous reads each have their own slot, compared after the run.
 */
function* reads(p: Prepared, verify: boolean): Blocking<number> {
  const { sim, middle, fo, buffers, callback } = p;
  switch (p.shape.form) {
    case 'sync':
      for (let r = 0; r < READS; r++) {
        const read = yield* FltReadFile(middle.Instance, fo!, offsetOf(r), BLOCK, buffers);
        if (read.status !== STATUS_SUCCESS || read.BytesRead !== BLOCK) return read.status || -1;
        if (verify && !sameBytes(buffers, offsetOf(r))) return WRONG_BYTES;
      }
      return STATUS_SUCCESS;
    case 'async':
      // All issued back to back: each returns STATUS_PENDING, its callback comes on its own thread.
      for (let r = 0; r < READS; r++) {
        const read = yield* FltReadFile(middle.Instance, fo!, offsetOf(r), BLOCK, buffers.subarray(r * BLOCK, (r + 1) * BLOCK), 0, callback, r);
        if (read.status !== STATUS_PENDING) return read.status || -1;
      }
      return STATUS_SUCCESS;
    case 'cbd': {
      const data = p.data!;
      for (let r = 0; r < READS; r++) {
        FltReuseCallbackData(data);
        data.Iopb.MajorFunction = IRP_MJ_READ;
        data.Iopb.Parameters = { Read: { Length: BLOCK, Key: 0, ByteOffset: offsetOf(r) } };
        // The file system completes inline, so the callback has already run: STATUS_SUCCESS.
        const status = yield* FltPerformAsynchronousIo(data, callback, r);
        if (status !== STATUS_SUCCESS) return status || -1;
      }
      return STATUS_SUCCESS;
    }
    case 'app':
      for (let r = 0; r < READS; r++) {
        const read = yield* sim.io.NtReadFile(p.appHandle!, BLOCK, offsetOf(r));
        if (read.status !== STATUS_SUCCESS || read.information !== BLOCK) return read.status || -1;
        if (verify && !sameBytes(read.output!, offsetOf(r))) return WRONG_BYTES;
      }
      return STATUS_SUCCESS;
  }
}

/** Generated I/O runs on a system thread, as a filter's worker would; the application's on a user thread. */
function spawnReads(p: Prepared, verify = false) {
  return p.shape.form === 'app' ? p.sim.spawn('app reads', () => reads(p, verify)) : p.sim.spawn('filter reads', () => reads(p, verify), { token: SYSTEM });
}

interface Checked {
  /** Facts appended while the reads ran, and how many of them were scheduler Choice facts. */
  readonly facts: number;
  readonly choices: number;
}

/**
 * One run outside the clock: every read succeeds with the right bytes, every callback ran once,
 * exactly the instances below the initiator saw each read (all ten for the application), no
 * verifier violation, and the file closes cleanly afterwards.
 */
function check(shape: Shape, label: string): Checked {
  const fail = (what: string): never => {
    throw new Error(`bench: generated I/O, ${label}: ${what}`);
  };
  const p = prepare(shape);
  const { sim, tally } = p;
  const before = sim.log.length;
  const t = spawnReads(p, true);
  runToIdle(sim);
  if (t.state !== 'exited' || t.result !== STATUS_SUCCESS || t.error !== undefined) fail(`reads ended ${t.state} with ${String(t.result)} ${String(t.error ?? '')}`);
  let wrongBytes = 0;
  if (shape.form === 'async') for (let r = 0; r < READS; r++) if (!sameBytes(p.buffers.subarray(r * BLOCK, (r + 1) * BLOCK), offsetOf(r))) wrongBytes++;
  if (wrongBytes > 0) fail(`${wrongBytes} reads returned the wrong bytes`);
  const facts = sim.log.slice(before);
  const bad = facts.find((f) => f.type === 'RoutineFailed' || f.type === 'VerifierViolation');
  if (bad !== undefined) fail(`logged ${JSON.stringify(bad)}`);
  const reads = facts.filter((f) => f.type === 'IoComplete').length;
  if (reads !== READS) fail(`${reads} IoComplete facts for ${READS} reads`);
  const asynchronous = shape.form === 'async' || shape.form === 'cbd';
  if (asynchronous) {
    if (tally.callbacks !== READS || tally.badCallbacks !== 0) fail(`${tally.callbacks} completion callbacks (${tally.badCallbacks} failed) for ${READS} reads`);
    const onThreads = facts.filter((f) => f.type === 'ThreadCreate' && f.name.startsWith('AsyncIoCompletion')).length;
    // FltReadFile's callbacks come on completion threads; FltPerformAsynchronousIo's run inline.
    if (onThreads !== (shape.form === 'async' ? READS : 0)) fail(`${onThreads} AsyncIoCompletion threads`);
  } else if (tally.callbacks !== 0) fail(`${tally.callbacks} completion callbacks on a synchronous form`);
  const lowest = shape.form === 'app' ? DEPTH : INITIATOR;
  for (let i = 0; i < DEPTH; i++) {
    const expected = i < lowest ? READS : 0;
    if (tally.readPre[i] !== expected || tally.readPost[i] !== expected) {
      fail(`filter ${i} (from the bottom) saw ${tally.readPre[i]} pre / ${tally.readPost[i]} post reads, expected ${expected}`);
    }
  }
  // Close, outside what is timed: the data freed, the handle closed, the file object dereferenced.
  const closer =
    shape.form === 'app'
      ? sim.spawn('app close', () => sim.io.NtClose(p.appHandle!))
      : sim.spawn(
          'filter close',
          function* () {
            if (p.data !== null) FltFreeCallbackData(p.data);
            const closed = yield* FltClose(p.handle!);
            yield* ObDereferenceObject(p.fo!);
            return closed;
          },
          { token: SYSTEM },
        );
  runToIdle(sim);
  if (closer.result !== STATUS_SUCCESS || closer.error !== undefined) fail(`close ended ${String(closer.result)} ${String(closer.error ?? '')}`);
  const violations = sim.state().violations;
  if (violations.length > 0) fail(`verifier violations ${JSON.stringify(violations)}`);
  return { facts: facts.length, choices: facts.filter((f) => f.type === 'Choice').length };
}

function sameBytes(buffer: Uint8Array, offset: number): boolean {
  for (let b = 0; b < BLOCK; b++) if (buffer[b] !== CONTENT[offset + b]) return false;
  return true;
}

interface Case {
  readonly label: string;
  readonly shape: Shape;
  readonly checked: Checked;
  /** Seconds per read of each timed repetition, in the order they ran. */
  readonly perRead: number[];
}

/**
 * Simulations per repetition: 256 reads through 5–10 instances take ~30–60 ms, so a repetition is
 * ~100 ms. Few runs of many reads, because preparing a simulation (10 drivers, the attaching open,
 * the filter's open) costs about as much as 100 reads and is not timed.
 */
const RUNS = 2;
const WARMUP = 2;
const ROUNDS = 9;

/** One repetition: RUNS simulations prepared and opened before the clock starts, then their reads timed. */
function repetition(c: Case): number {
  const prepared: Prepared[] = [];
  for (let r = 0; r < RUNS; r++) prepared.push(prepare(c.shape));
  const start = process.hrtime.bigint();
  for (const p of prepared) {
    spawnReads(p);
    runToIdle(p.sim);
  }
  const end = process.hrtime.bigint();
  sink(prepared);
  return Number(end - start) / 1e9;
}

/** Interleaved rounds, as in bench/io.ts: every case under the same drift of machine load. */
function measureRounds(cases: readonly Case[]): void {
  for (let round = -WARMUP; round < ROUNDS; round++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + Math.max(round, 0)) % cases.length]!;
      const seconds = repetition(c);
      if (round >= 0) c.perRead.push(seconds / (RUNS * READS));
    }
  }
  sink(null);
}

function makeCase(label: string, shape: Shape): Case {
  return { label, shape, checked: check(shape, label), perRead: [] };
}

function perRound(figure: (round: number) => number): Sample {
  return summarize(Array.from({ length: ROUNDS }, (_, r) => figure(r)));
}

function rowsOf(c: Case, context: BenchContext, app: Case | null): Row[] {
  const xstate = context.baseline(XSTATE_SEND);
  const reducer = context.baseline(PLAIN_REDUCER);
  const perRead = summarize(c.perRead);
  const factsPerRead = c.checked.facts / READS;
  const readsPerSecond = 1 / perRead.median;
  const factsPerSecond = factsPerRead / perRead.median;
  const rows: Row[] = [
    {
      name: `${c.shape.form === 'app' ? 'app' : 'gen'} reads/s, ${c.label}`,
      value: readsPerSecond,
      unit: 'reads/s',
      baseline: { name: xstate.name, value: xstate.value },
      ratio: readsPerSecond / xstate.value,
      note: `${formatSeconds(perRead.median)}/read = ${formatNumber(perRead.median * xstate.value)} actor.sends; ${READS} reads/run, ${RUNS} runs/rep; min ${formatNumber(1 / perRead.max)} max ${formatNumber(1 / perRead.min)}`,
    },
    {
      name: '  facts/s',
      value: factsPerSecond,
      unit: 'events/s',
      baseline: { name: xstate.name, value: xstate.value },
      ratio: factsPerSecond / xstate.value,
      note: `${factsPerRead.toFixed(1)} facts/read (${((100 * c.checked.choices) / c.checked.facts).toFixed(0)}% Choice); ratio to ${PLAIN_REDUCER} ${formatNumber(factsPerSecond / reducer.value)}`,
    },
  ];
  if (app !== null) {
    // Per round, so both sides of the ratio ran under the same load.
    const cost = perRound((r) => c.perRead[r]! / app.perRead[r]!);
    const appPerRead = summarize(app.perRead).median;
    rows.push({
      name: `  cost vs app ${app.label}`,
      value: cost.median,
      unit: '× time',
      note: `${formatSeconds(perRead.median)} vs ${formatSeconds(appPerRead)}/read (${DEPTH - POSITION} vs ${DEPTH} instances; ${factsPerRead.toFixed(1)} vs ${(app.checked.facts / READS).toFixed(1)} facts); rounds ${formatNumber(cost.min)}–${formatNumber(cost.max)}`,
    });
  }
  return rows;
}

export function generatedIo(context: BenchContext): Row[] {
  const deferred: SimulationOptions = { fileSystemCompletion: 'deferred' };
  const app = makeCase('NtReadFile', { form: 'app', options: {} });
  const appDeferred = makeCase('NtReadFile, deferred FS', { form: 'app', options: deferred });
  const sync = makeCase('sync FltReadFile', { form: 'sync', options: {} });
  const async = makeCase('async FltReadFile', { form: 'async', options: {} });
  const cbd = makeCase('reused CBD + PerformAsync', { form: 'cbd', options: {} });
  const syncDeferred = makeCase('sync, deferred FS', { form: 'sync', options: deferred });
  measureRounds([sync, async, cbd, syncDeferred, app, appDeferred]);
  return [
    ...rowsOf(sync, context, app),
    ...rowsOf(async, context, app),
    ...rowsOf(cbd, context, app),
    ...rowsOf(syncDeferred, context, appDeferred),
    ...rowsOf(app, context, null),
    ...rowsOf(appDeferred, context, null),
  ];
}
