// §21.10, §21.9, §21.8 (and §19 cancellation of what the file system parks): random applications
// lock, unlock, read, write, create and delete files, take and acknowledge oplocks — legacy and
// Windows 7 (FSCTL_REQUEST_OPLOCK R, RH, RW, RWH; their opens, writes and locks break each other's) —
// wait for locks, cancel and close, while a watcher
// waits for directory changes, under random schedules, with a pass-through filter in the stack. Whatever the interleaving: no verifier finding, every §24.9 and §19.9 invariant over
// the log, every request completes exactly once, the run ends idle, and fold equals live at a
// random point and at the end. A longer run: fsBehaviours.deep.test.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createSimulation,
  DELETE,
  FILE_CREATE,
  FILE_DELETE_ON_CLOSE,
  FILE_DIRECTORY_FILE,
  FILE_GENERIC_READ,
  FILE_LIST_DIRECTORY,
  FILE_NOTIFY_CHANGE_FILE_NAME,
  FILE_NOTIFY_CHANGE_LAST_WRITE,
  FILE_SHARE_DELETE,
  FILE_OPEN_REQUIRING_OPLOCK,
  FILE_READ_ATTRIBUTES,
  FILE_RESERVE_OPFILTER,
  FSCTL_OPBATCH_ACK_CLOSE_PENDING,
  FSCTL_OPLOCK_BREAK_ACK_NO_2,
  FSCTL_REQUEST_BATCH_OPLOCK,
  FSCTL_REQUEST_FILTER_OPLOCK,
  FSCTL_REQUEST_OPLOCK_LEVEL_1,
  FSCTL_REQUEST_OPLOCK_LEVEL_2,
  FSCTL_REQUEST_OPLOCK,
  encodeRequestOplockInputBuffer,
  OPLOCK_LEVEL_CACHE_HANDLE,
  OPLOCK_LEVEL_CACHE_READ,
  OPLOCK_LEVEL_CACHE_WRITE,
  REQUEST_OPLOCK_INPUT_FLAG_ACK,
  REQUEST_OPLOCK_INPUT_FLAG_REQUEST,
  REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE,
  FILE_GENERIC_WRITE,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_POSTOP_FINISHED_PROCESSING,
  foldLog,
  IRP_MJ_LOCK_CONTROL,
  IRP_MJ_READ,
  IRP_MJ_WRITE,
  LOCKFILE_EXCLUSIVE_LOCK,
  LOCKFILE_FAIL_IMMEDIATELY,
  sleep,
  STATUS_PENDING,
  type Blocking,
  type OVERLAPPED,
  type Simulation,
} from '../../src/index.js';
import { checkCancelInvariants, checkFsInvariants, installFilter, operations } from '../../src/testing/index.js';
import { budget } from '../support/deep.js';

type Step =
  | { readonly kind: 'lock'; readonly offset: number; readonly length: number; readonly exclusive: boolean; readonly wait: boolean }
  | { readonly kind: 'unlock'; readonly offset: number; readonly length: number }
  | { readonly kind: 'read' | 'write'; readonly offset: number; readonly length: number }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'create' }
  | { readonly kind: 'oplock'; readonly level: OplockRequest }
  | { readonly kind: 'acknowledge'; readonly closePending: boolean }
  | { readonly kind: 'pause'; readonly ticks: number };

type OplockRequest = 'Level1' | 'Batch' | 'Filter' | 'Level2' | 'R' | 'RH' | 'RW' | 'RWH';
const LEGACY: Readonly<Record<string, number>> = { Level1: FSCTL_REQUEST_OPLOCK_LEVEL_1, Batch: FSCTL_REQUEST_BATCH_OPLOCK, Filter: FSCTL_REQUEST_FILTER_OPLOCK, Level2: FSCTL_REQUEST_OPLOCK_LEVEL_2 };
const R = OPLOCK_LEVEL_CACHE_READ;
const WIN7: Readonly<Record<string, number>> = { R, RH: R | OPLOCK_LEVEL_CACHE_HANDLE, RW: R | OPLOCK_LEVEL_CACHE_WRITE, RWH: R | OPLOCK_LEVEL_CACHE_HANDLE | OPLOCK_LEVEL_CACHE_WRITE };

/**
 * How an application opens the file (§21.8): plainly; with FILE_OPEN_REQUIRING_OPLOCK (it gives up
 * on STATUS_CANNOT_BREAK_OPLOCK); or with the Filter oplock procedure — an attributes-only
 * FILE_RESERVE_OPFILTER handle that takes the Filter oplock, and a second handle to read for the steps.
 */
type Opening = 'plain' | 'requiringOplock' | 'reserveOpFilter';

interface App {
  readonly asynchronous: boolean;
  readonly opening: Opening;
  readonly steps: readonly Step[];
}

interface Watcher {
  readonly requests: number;
  readonly bufferLength: number;
  readonly cancelAfter: number | null;
}

interface Workload {
  readonly seed: number;
  readonly apps: readonly App[];
  readonly watcher: Watcher;
  readonly probeAt: number;
}

const range = { offset: fc.integer({ min: 0, max: 12 }), length: fc.integer({ min: 0, max: 6 }) };
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('lock' as const), ...range, exclusive: fc.boolean(), wait: fc.boolean() }),
  fc.record({ kind: fc.constant('unlock' as const), ...range }),
  fc.record({ kind: fc.constantFrom('read' as const, 'write' as const), ...range }),
  fc.record({ kind: fc.constant('cancel' as const) }),
  fc.record({ kind: fc.constant('create' as const) }),
  fc.record({ kind: fc.constant('oplock' as const), level: fc.constantFrom<OplockRequest>('Level1', 'Batch', 'Filter', 'Level2', 'R', 'RH', 'RW', 'RWH') }),
  fc.record({ kind: fc.constant('acknowledge' as const), closePending: fc.boolean() }),
  fc.record({ kind: fc.constant('pause' as const), ticks: fc.integer({ min: 0, max: 3 }) }),
);
const workloads: fc.Arbitrary<Workload> = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  apps: fc.array(fc.record({ asynchronous: fc.boolean(), opening: fc.constantFrom<Opening>('plain', 'plain', 'requiringOplock', 'reserveOpFilter'), steps: fc.array(step, { maxLength: 6 }) }), { minLength: 2, maxLength: 3 }),
  watcher: fc.record({ requests: fc.integer({ min: 0, max: 3 }), bufferLength: fc.constantFrom(16, 40, 256), cancelAfter: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }) }),
  probeAt: fc.integer({ min: 1, max: 400 }),
});

/**
 * Waits for changes in the root: several requests on one handle (served oldest first), one maybe
 * cancelled after a while; the handle's close ends what still waits (STATUS_NOTIFY_CLEANUP), so the
 * watcher never waits for a change that may not come.
 */
function* watcher(sim: Simulation, spec: Watcher): Blocking<void> {
  const opened = yield* sim.io.NtCreateFile('C:\\', { DesiredAccess: FILE_LIST_DIRECTORY, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, CreateDisposition: FILE_OPEN, CreateOptions: FILE_DIRECTORY_FILE });
  const d = opened.handle!;
  const requests: OVERLAPPED[] = [];
  for (let i = 0; i < spec.requests; i++) {
    const o: OVERLAPPED = { hEvent: null, Internal: STATUS_PENDING, InternalHigh: 0 };
    yield* sim.io.ReadDirectoryChangesW(d, new Uint8Array(spec.bufferLength), false, FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_LAST_WRITE, o);
    requests.push(o);
  }
  if (spec.cancelAfter !== null && requests.length > 0) {
    yield* sleep(spec.cancelAfter);
    yield* sim.io.CancelIoEx(d, requests[0]!);
  }
  yield* sleep(2);
  yield* sim.io.NtClose(d);
  for (const o of requests) yield* sim.io.GetOverlappedResult(d, o, true);
}

function* app(sim: Simulation, spec: App): Blocking<void> {
  const pending: OVERLAPPED[] = [];
  // `oh`: the handle the oplock is requested and acknowledged on; `h`: the one the steps use.
  let oh: string;
  let h: string;
  if (spec.opening === 'reserveOpFilter') {
    const reserved = yield* sim.io.NtCreateFile('C:\\f.bin', { DesiredAccess: FILE_READ_ATTRIBUTES, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, CreateDisposition: FILE_OPEN, CreateOptions: FILE_RESERVE_OPFILTER });
    if (reserved.handle === null) return;
    oh = reserved.handle;
    const o: OVERLAPPED = { hEvent: null, Internal: STATUS_PENDING, InternalHigh: 0 };
    if ((yield* sim.io.DeviceIoControl(oh, FSCTL_REQUEST_FILTER_OPLOCK, null, 0, 0, o)) === STATUS_PENDING) pending.push(o);
    const data = yield* sim.io.NtCreateFile('C:\\f.bin', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, CreateDisposition: FILE_OPEN, CreateOptions: spec.asynchronous ? 0 : FILE_SYNCHRONOUS_IO_NONALERT });
    h = data.handle ?? oh;
  } else {
    const opened = yield* sim.io.NtCreateFile('C:\\f.bin', {
      DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE,
      ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE,
      CreateDisposition: FILE_OPEN,
      CreateOptions: (spec.asynchronous ? 0 : FILE_SYNCHRONOUS_IO_NONALERT) | (spec.opening === 'requiringOplock' ? FILE_OPEN_REQUIRING_OPLOCK : 0),
    });
    // FILE_OPEN_REQUIRING_OPLOCK that would break an oplock: STATUS_CANNOT_BREAK_OPLOCK, nothing opened.
    if (opened.handle === null) return;
    h = opened.handle;
    oh = h;
  }
  let created = 0;
  for (const s of spec.steps) {
    switch (s.kind) {
      case 'lock':
        if (spec.asynchronous) {
          const o: OVERLAPPED = { hEvent: null, Internal: STATUS_PENDING, InternalHigh: 0, Offset: s.offset };
          const flags = (s.exclusive ? LOCKFILE_EXCLUSIVE_LOCK : 0) | (s.wait ? 0 : LOCKFILE_FAIL_IMMEDIATELY);
          if ((yield* sim.io.LockFileEx(h, flags, s.length, o)) === STATUS_PENDING) pending.push(o);
        } else {
          // A synchronous thread that waited could wait for ever on another's lock: it never waits here.
          yield* sim.io.NtLockFile(h, s.offset, s.length, 0, true, s.exclusive);
        }
        break;
      case 'unlock':
        yield* sim.io.NtUnlockFile(h, s.offset, s.length);
        break;
      case 'read':
        if (s.length > 0) yield* sim.io.NtReadFile(h, s.length, s.offset);
        break;
      case 'write':
        if (s.length > 0) yield* sim.io.NtWriteFile(h, 'x'.repeat(s.length), s.offset);
        break;
      case 'cancel':
        yield* sim.io.CancelIoEx(h);
        break;
      case 'oplock':
        if (spec.asynchronous || spec.opening === 'reserveOpFilter') {
          const o: OVERLAPPED = { hEvent: null, Internal: STATUS_PENDING, InternalHigh: 0 };
          const win7 = WIN7[s.level];
          const granted =
            win7 === undefined
              ? yield* sim.io.DeviceIoControl(oh, LEGACY[s.level]!, null, 0, 0, o)
              : yield* sim.io.DeviceIoControl(oh, FSCTL_REQUEST_OPLOCK, encodeRequestOplockInputBuffer(win7, REQUEST_OPLOCK_INPUT_FLAG_REQUEST), 12, REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE, o);
          if (granted === STATUS_PENDING) pending.push(o);
        }
        break;
      case 'acknowledge':
        // Whichever break is owed: the other family's acknowledgement is STATUS_INVALID_OPLOCK_PROTOCOL.
        // FSCTL_OPBATCH_ACK_CLOSE_PENDING: a Batch or Filter break's waiters wait for this app's close, at its end.
        yield* sim.io.NtFsControlFile(oh, s.closePending ? FSCTL_OPBATCH_ACK_CLOSE_PENDING : FSCTL_OPLOCK_BREAK_ACK_NO_2, null, 0, 0);
        yield* sim.io.NtFsControlFile(oh, FSCTL_REQUEST_OPLOCK, encodeRequestOplockInputBuffer(0, REQUEST_OPLOCK_INPUT_FLAG_ACK), 12, REQUEST_OPLOCK_OUTPUT_BUFFER_SIZE);
        break;
      case 'create': {
        const c = yield* sim.io.NtCreateFile(`C:\\new${created++}-${sim.currentThread()}.txt`, { DesiredAccess: FILE_GENERIC_WRITE | DELETE, ShareAccess: 0, CreateDisposition: FILE_CREATE, CreateOptions: FILE_DELETE_ON_CLOSE | FILE_SYNCHRONOUS_IO_NONALERT });
        if (c.handle !== null) yield* sim.io.NtClose(c.handle);
        break;
      }
      case 'pause':
        yield* sleep(s.ticks);
        break;
    }
  }
  // The handle's cleanup ends what still waits (STATUS_RANGE_NOT_LOCKED) or a cancel does first.
  if (pending.length > 0 && spec.steps.length % 2 === 0) {
    yield* sim.io.CancelIoEx(h);
    if (oh !== h) yield* sim.io.CancelIoEx(oh);
  }
  if (oh !== h) yield* sim.io.NtClose(h);
  yield* sim.io.NtClose(oh);
  for (const o of pending) yield* sim.io.GetOverlappedResult(oh, o, true);
}

function runOnce(w: Workload): void {
  const sim = createSimulation({ seed: w.seed, strategy: 'random', onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.bin', '0123456789abcdef');
  installFilter(sim, {
    name: 'watcher',
    altitude: '370000',
    registration: {
      OperationRegistration: operations([IRP_MJ_LOCK_CONTROL, IRP_MJ_READ, IRP_MJ_WRITE], {
        PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
        PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
      }),
    },
  });
  sim.run();
  w.apps.forEach((spec, i) => sim.spawn(`app${i}`, () => app(sim, spec)));
  sim.spawn('watcher', () => watcher(sim, w.watcher));
  const where = `seed ${w.seed}, ${JSON.stringify(w)}`;
  sim.runUntil(() => sim.log.length >= w.probeAt);
  expect(foldLog(sim.log), where).toEqual(sim.state());
  const outcome = sim.run();
  expect(outcome.reason, where).toBe('idle');
  expect(sim.state().violations, where).toEqual([]);
  expect(checkFsInvariants(sim.log), where).toEqual([]);
  expect(checkCancelInvariants(sim.log), where).toEqual([]);
  for (const start of sim.log.filter((f) => f.type === 'IoStart')) {
    expect(sim.log.filter((f) => f.type === 'IoComplete' && f.object === start.object).length, `${where}: ${start.object}`).toBe(1);
  }
  expect(sim.state().byteRangeLocks, where).toEqual({});
  expect(sim.state().directoryNotifications, where).toEqual({});
  expect(sim.state().oplocks, where).toEqual({});
  expect(foldLog(sim.log), where).toEqual(sim.state());
}

describe('random applications locking, waiting, watching, cancelling and closing (§21.10, §21.9, §19)', () => {
  it('no finding, the §24.9 and §19.9 invariants hold, every request completes once, fold = live', () => {
    fc.assert(fc.property(workloads, (w) => runOnce(w)), { numRuns: budget(6, 300) });
  });
});
