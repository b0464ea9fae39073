// The §14 I/O invariant checkers (src/checkers/ioInvariants.ts): each passes a real run built
// through the public API, and reports the right invariant at the right seq on a log that breaks it
// (hand-built, or the real run edited by hand). Emptying any check fails a test here.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_INFORMATION_CLASS,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_POSTOP_MORE_PROCESSING_REQUIRED,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FltAllocateGenericWorkItem,
  FltFreeGenericWorkItem,
  FltCompletePendedPostOperation,
  FltCompletePendedPreOperation,
  FltQueueGenericWorkItem,
  FltSetCallbackDataDirty,
  IRP_MJ_CLEANUP,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_FLUSH_BUFFERS,
  IRP_MJ_QUERY_INFORMATION,
  IRP_MJ_READ,
  IRP_MJ_WRITE,
  sleep,
  STATUS_ACCESS_DENIED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  type Blocking,
  type NTSTATUS,
  type FLT_CALLBACK_DATA,
  type Fact,
  type FactOf,
  type FactType,
  type PFLT_INSTANCE,
} from '../../src/index.js';
import type { FactBody } from '../../src/kernel/facts.js';
import { fingerprintIopb } from '../../src/io/parametersSummary.js';
import {
  allDrainsReturned,
  allOperationsCompleted,
  checkIoInvariants,
  closeAfterIo,
  checkIoLiveness,
  completeStopsTheWalk,
  completesOnce,
  drainsFinish,
  finalStatus,
  IO_INVARIANTS,
  operationCallbacksInLifetime,
  parameterEdits,
  pendedUntilCompleted,
  postOperationOnce,
  preAndPostOrder,
  teardownWaitsForIo,
} from '../../src/checkers/ioInvariants.js';
import { installFilter, operations } from '../../src/testing/index.js';

// ------------------------------------------------------------------------------------------------
// A real run: three filters, every kind of callback result, edits, pending in pre and post, a
// pre-op COMPLETE, a post-only registration, and a drain at a manual detach.

function realRun() {
  const sim = createSimulation();
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.txt', '0123456789');
  const parked: FLT_CALLBACK_DATA[] = [];
  const later = function* (object: PFLT_INSTANCE, work: () => Blocking<void>): Blocking<NTSTATUS> {
    return FltQueueGenericWorkItem(yield* FltAllocateGenericWorkItem(), object, function* (FltWorkItem) {
      yield* sleep(1);
      yield* work();
      FltFreeGenericWorkItem(FltWorkItem);
    }, 'DelayedWorkQueue', null);
  };
  installFilter(sim, {
    name: 'top',
    altitude: '300000',
    registration: {
      InstanceQueryTeardownCallback: () => STATUS_SUCCESS,
      OperationRegistration: [
        ...operations([IRP_MJ_READ, IRP_MJ_FLUSH_BUFFERS, IRP_MJ_QUERY_INFORMATION], { PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK, PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING }),
        // Post-only (§13 A15).
        ...operations([IRP_MJ_CREATE], { PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING }),
      ],
    },
  });
  installFilter(sim, {
    name: 'editor',
    altitude: '200000',
    registration: {
      OperationRegistration: [
        ...operations([IRP_MJ_READ], {
          PreOperation: (d) => {
            d.Iopb.Parameters = { Read: { ...(d.Iopb.Parameters as { Read: { Length: number; Key: number; ByteOffset: number } }).Read, Length: 2 } };
            FltSetCallbackDataDirty(d);
            return FLT_PREOP_SYNCHRONIZE;
          },
          PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
        }),
        ...operations([IRP_MJ_WRITE], {
          PreOperation: function* (d, o) {
            yield* later(o.Instance, () => FltCompletePendedPreOperation(d, FLT_PREOP_SUCCESS_WITH_CALLBACK, 'ctx'));
            return FLT_PREOP_PENDING;
          },
          PostOperation: function* (d, o) {
            yield* later(o.Instance, () => FltCompletePendedPostOperation(d));
            return FLT_POSTOP_MORE_PROCESSING_REQUIRED;
          },
        }),
      ],
    },
  });
  installFilter(sim, {
    name: 'bottom',
    altitude: '100000',
    registration: {
      OperationRegistration: [
        ...operations([IRP_MJ_READ, IRP_MJ_CLEANUP], { PreOperation: () => FLT_PREOP_SUCCESS_NO_CALLBACK }),
        ...operations([IRP_MJ_QUERY_INFORMATION], { PreOperation: (d) => ((d.IoStatus = { Status: STATUS_ACCESS_DENIED, Information: 0 }), FLT_PREOP_COMPLETE) }),
        ...operations([IRP_MJ_FLUSH_BUFFERS], { PreOperation: (d) => (parked.push(d), FLT_PREOP_PENDING) }),
      ],
    },
  });
  sim.run();
  sim.spawn('app', function* () {
    const open = yield* sim.io.NtCreateFile('C:\\f.txt', {
      DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE,
      ShareAccess: FILE_SHARE_READ,
      CreateDisposition: FILE_OPEN,
      CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT,
    });
    yield* sim.io.NtReadFile(open.handle!, 8, 0);
    yield* sim.io.NtWriteFile(open.handle!, 'abc', 0);
    yield* sim.io.NtQueryInformationFile(open.handle!, FILE_INFORMATION_CLASS.FileStandardInformation, 64);
    yield* sim.io.NtFlushBuffersFile(open.handle!); // parked in bottom until the detach of top is done
    yield* sim.io.NtClose(open.handle!);
    return 0;
  });
  sim.spawn('operator', function* () {
    yield* sleep(5);
    const status = yield* sim.FilterDetach('top', 'C:'); // drains top's post-flush
    yield* FltCompletePendedPreOperation(parked.shift()!, FLT_PREOP_SUCCESS_NO_CALLBACK, null);
    return status;
  });
  const result = sim.run();
  return { sim, result, log: sim.log.slice() as Fact[] };
}

const real = realRun();

/** The real log, edited: `edit` changes a copy; seqs are renumbered to positions afterwards. */
function edited(edit: (facts: Fact[]) => void): Fact[] {
  const facts = real.log.map((f) => ({ ...f }) as Fact);
  edit(facts);
  return facts.map((f, seq) => ({ ...f, seq }) as Fact);
}

function indexOf(facts: readonly Fact[], predicate: (f: Fact) => boolean, from = 0): number {
  const i = facts.findIndex((f, k) => k >= from && predicate(f));
  if (i < 0) throw new Error('no such fact in the real run');
  return i;
}

const is = <T extends FactType>(type: T, object?: string, instance?: string) => (f: Fact): f is FactOf<T> =>
  f.type === type && (object === undefined || f.object === object) && (instance === undefined || ('instance' in f && f.instance === instance));

/** Ids in the real run, looked up by what they are rather than hard-coded. */
function idOf(type: 'IoStart', major: number): string;
function idOf(type: 'InstanceSetup', name: string): string;
function idOf(type: 'IoStart' | 'InstanceSetup', key: number | string): string {
  const f = real.log.find((x) => (type === 'IoStart' ? x.type === 'IoStart' && x.major === key : x.type === 'InstanceSetup' && x.name === `${String(key)} Instance`));
  if (f === undefined) throw new Error(`no ${type} ${String(key)}`);
  return f.object;
}

// ------------------------------------------------------------------------------------------------
// Hand-built logs: three instances on V1, then whatever the test needs.

const ISSUED: FactBody & { type: 'IoStart' } = {
  type: 'IoStart',
  major: IRP_MJ_READ,
  minor: 0,
  fileObject: 'O1',
  volume: 'V1',
  thread: 'T1',
  initiator: null,
  flags: 1,
  irpFlags: 0,
  operationFlags: 0,
  requestorMode: 'UserMode',
  parameters: { Read: { Length: 8, Key: 0, ByteOffset: 0 } },
};
/** The fingerprint the top of the stack sees for ISSUED (what src/io/preOperation.ts logs). */
const P0 = fingerprintIopb({ MajorFunction: IRP_MJ_READ, MinorFunction: 0, IrpFlags: 0, OperationFlags: 0, TargetFileObject: { id: 'O1' }, Parameters: { Read: { Length: 8, Key: 0, ByteOffset: 0 } } });
const P1 = 'edited01';

type Line = readonly [object: string, body: FactBody];

function log(...lines: readonly Line[]): Fact[] {
  const prelude: Line[] = [];
  for (const [id, altitude] of [['I1', '300000'], ['I2', '200000'], ['I3', '100000']] as const) {
    prelude.push([id, { type: 'InstanceSetup', filter: `F${id.slice(1)}`, volume: 'V1', name: id, altitude, frame: 0, flags: 1 }]);
    prelude.push([id, { type: 'InstanceSetupReturned', status: STATUS_SUCCESS }]);
  }
  return [...prelude, ...lines].map(([object, body], seq) => ({ seq, time: 0, object, ...body }) as Fact);
}

const start = (op = 'D1', body: Partial<typeof ISSUED> = {}): Line => [op, { ...ISSUED, ...body }];
const pre = (instance: string, result: number, options: { op?: string; parameters?: string; dirty?: boolean; status?: number } = {}): Line[] => [
  [options.op ?? 'D1', { type: 'PreOperation', instance, parameters: options.parameters ?? P0 }],
  [options.op ?? 'D1', { type: 'PreOperationReturned', instance, result, dirty: options.dirty ?? false, status: result === FLT_PREOP_COMPLETE ? (options.status ?? STATUS_SUCCESS) : null }],
];
const fs = (parameters = P0, op = 'D1'): Line[] => [
  [op, { type: 'FsDispatch', parameters }],
  [op, { type: 'FsComplete', status: STATUS_SUCCESS, information: 8 }],
];
const post = (instance: string, options: { op?: string; parameters?: string; result?: number } = {}): Line[] => [
  [options.op ?? 'D1', { type: 'PostOperation', instance, flags: 0, parameters: options.parameters ?? P0 }],
  [options.op ?? 'D1', { type: 'PostOperationReturned', instance, result: options.result ?? FLT_POSTOP_FINISHED_PROCESSING, status: STATUS_SUCCESS }],
];
const drain = (instance: string, options: { op?: string; parameters?: string; result?: number } = {}): Line[] => [
  [options.op ?? 'D1', { type: 'DrainPostOperation', instance, parameters: options.parameters ?? P0 }],
  [options.op ?? 'D1', { type: 'DrainPostOperationReturned', instance, result: options.result ?? FLT_POSTOP_FINISHED_PROCESSING }],
];
const complete = (status: number = STATUS_SUCCESS, op = 'D1'): Line => [op, { type: 'IoComplete', status, information: 0 }];

/** The three-instance walk every hand-built case starts from: all ask for callbacks. */
const cleanWalk = (): Line[] => [
  start(),
  ...pre('I1', FLT_PREOP_SUCCESS_WITH_CALLBACK),
  ...pre('I2', FLT_PREOP_SUCCESS_WITH_CALLBACK),
  ...pre('I3', FLT_PREOP_SUCCESS_WITH_CALLBACK),
  ...fs(),
  ...post('I3'),
  ...post('I2'),
  ...post('I1'),
  complete(),
];

/** Position (seq) of the n-th fact of `type` (about `instance`, if given) in a built log. */
function seqOf(facts: readonly Fact[], type: FactType, instance?: string, nth = 0): number {
  const hits = facts.filter((f) => f.type === type && (instance === undefined || ('instance' in f && f.instance === instance)));
  const hit = hits[nth];
  if (hit === undefined) throw new Error(`no ${type} #${nth}`);
  return hit.seq;
}

const found = (violations: readonly { invariant: string; seq: number }[]) => violations.map(({ invariant, seq }) => ({ invariant, seq }));

// ------------------------------------------------------------------------------------------------

describe('a real run passes every I/O invariant', () => {
  it('the run ends idle, exercises every kind of fact, and no check reports anything', () => {
    expect(real.result.reason).toBe('idle');
    const types = new Set(real.log.map((f) => f.type));
    for (const t of [
      'PreOperationReturned',
      'FltCompletePendedPreOperation',
      'FltCompletePendedPostOperation',
      'DrainPostOperation',
      'DrainPostOperationReturned',
      'InstanceTeardownComplete',
    ] as const) {
      expect(types, t).toContain(t);
    }
    const results = new Set(real.log.flatMap((f) => (f.type === 'PreOperationReturned' ? [f.result] : [])));
    expect([...results].sort()).toEqual([0, 1, 2, 4, 5]);
    expect(real.log.some((f) => f.type === 'PreOperationReturned' && f.dirty)).toBe(true);
    expect(real.log.some((f) => f.type === 'PostOperationReturned' && f.result === FLT_POSTOP_MORE_PROCESSING_REQUIRED)).toBe(true);
    expect(real.sim.state().violations).toEqual([]);
    for (const [name, check] of Object.entries(IO_INVARIANTS)) expect(check(real.log), name).toEqual([]);
    expect(checkIoInvariants(real.log)).toEqual([]);
    expect(checkIoLiveness(real.log)).toEqual([]);
  });

  it('every prefix of the real run passes the safety checks (they hold at any pause point)', () => {
    for (let n = 0; n <= real.log.length; n += 7) expect(checkIoInvariants(real.log.slice(0, n)), `prefix ${n}`).toEqual([]);
  });

  it('the hand-built clean walk passes too, so each case below fails only for its edit', () => {
    expect(checkIoInvariants(log(...cleanWalk()))).toEqual([]);
    expect(checkIoLiveness(log(...cleanWalk()))).toEqual([]);
  });
});

describe('2: pre-ops go down, post-ops go up, only for nodes that asked', () => {
  it('a pre-op above the previous one', () => {
    const facts = log(start(), ...pre('I2', FLT_PREOP_SUCCESS_NO_CALLBACK), ...pre('I1', FLT_PREOP_SUCCESS_NO_CALLBACK), ...fs(), complete());
    expect(found(preAndPostOrder(facts))).toEqual([{ invariant: '2', seq: seqOf(facts, 'PreOperation', 'I1') }]);
  });

  it('a post-op for an instance whose pre-op returned SUCCESS_NO_CALLBACK', () => {
    const facts = log(start(), ...pre('I1', FLT_PREOP_SUCCESS_WITH_CALLBACK), ...pre('I2', FLT_PREOP_SUCCESS_NO_CALLBACK), ...fs(), ...post('I2'), ...post('I1'), complete());
    expect(found(preAndPostOrder(facts))).toEqual([{ invariant: '2', seq: seqOf(facts, 'PostOperation', 'I2') }]);
  });

  it('post-ops out of order: the higher one before the lower one', () => {
    const facts = log(start(), ...pre('I1', FLT_PREOP_SUCCESS_WITH_CALLBACK), ...pre('I2', FLT_PREOP_SYNCHRONIZE), ...fs(), ...post('I1'), ...post('I2'), complete());
    expect(found(preAndPostOrder(facts))).toEqual([
      { invariant: '2', seq: seqOf(facts, 'PostOperation', 'I1') },
      { invariant: '2', seq: seqOf(facts, 'PostOperation', 'I2') },
    ]);
  });

  it('a node that asked and got neither its post-op nor a drain (the real run with a post-op removed)', () => {
    const read = idOf('IoStart', IRP_MJ_READ);
    const top = idOf('InstanceSetup', 'top');
    const facts = edited((f) => {
      f.splice(indexOf(f, is('PostOperation', read, top)), 1);
      f.splice(indexOf(f, is('PostOperationReturned', read, top)), 1);
    });
    expect(found(preAndPostOrder(facts))).toEqual([{ invariant: '2', seq: indexOf(facts, is('IoComplete', read)) }]);
  });

  it('a post-only registration may appear in posts without a pre-op, but only in its place', () => {
    // I2 registered only a post-op: it is passed over by the pre walk, leaves no fact, and its post comes between I3's and I1's.
    const ok = log(start(), ...pre('I1', FLT_PREOP_SUCCESS_WITH_CALLBACK), ...pre('I3', FLT_PREOP_SUCCESS_WITH_CALLBACK), ...fs(), ...post('I3'), ...post('I2'), ...post('I1'), complete());
    expect(checkIoInvariants(ok)).toEqual([]);
    const late = log(start(), ...pre('I1', FLT_PREOP_SUCCESS_WITH_CALLBACK), ...pre('I3', FLT_PREOP_SUCCESS_WITH_CALLBACK), ...fs(), ...post('I3'), ...post('I1'), ...post('I2'), complete());
    expect(found(preAndPostOrder(late))).toEqual([{ invariant: '2', seq: seqOf(late, 'PostOperation', 'I2') }]);
  });

  it('a pre-op after the post walk began', () => {
    const facts = log(start(), ...pre('I1', FLT_PREOP_SUCCESS_NO_CALLBACK), ...fs(), ...pre('I3', FLT_PREOP_SUCCESS_NO_CALLBACK), complete());
    expect(found(preAndPostOrder(facts))).toEqual([{ invariant: '2', seq: seqOf(facts, 'PreOperation', 'I3') }]);
  });
});

describe('3: FLT_PREOP_COMPLETE stops the walk', () => {
  it('the file system still saw the operation, and the completing instance got its post-op', () => {
    const facts = log(start(), ...pre('I1', FLT_PREOP_SUCCESS_WITH_CALLBACK), ...pre('I2', FLT_PREOP_COMPLETE), ...fs(), ...post('I2'), ...post('I1'), complete());
    expect(found(completeStopsTheWalk(facts))).toEqual([
      { invariant: '3', seq: seqOf(facts, 'FsDispatch') },
      { invariant: '3', seq: seqOf(facts, 'FsComplete') },
      { invariant: '3', seq: seqOf(facts, 'PostOperation', 'I2') },
    ]);
  });

  it('a lower pre-op after a pended pre-op was resumed with COMPLETE (the real run, edited)', () => {
    const write = idOf('IoStart', IRP_MJ_WRITE);
    const bottom = idOf('InstanceSetup', 'bottom');
    const facts = edited((f) => {
      const at = indexOf(f, is('FltCompletePendedPreOperation', write));
      f[at] = { ...(f[at] as FactOf<'FltCompletePendedPreOperation'>), result: FLT_PREOP_COMPLETE, status: STATUS_SUCCESS };
      f.splice(at + 1, 0, { ...f[at]!, type: 'PreOperation', instance: bottom, parameters: 'whatever' } as Fact);
    });
    expect(found(completeStopsTheWalk(facts))).toContainEqual({ invariant: '3', seq: indexOf(facts, is('PreOperation', write, bottom)) });
  });

  it('a legacy filter below got the IRP', () => {
    const facts = log(start(), ...pre('I1', FLT_PREOP_COMPLETE), ['D1', { type: 'LegacyFilterDispatch', legacy: 'L1' }], complete());
    expect(found(completeStopsTheWalk(facts))).toEqual([{ invariant: '3', seq: seqOf(facts, 'LegacyFilterDispatch') }]);
  });
});

describe('4: one post-op per node', () => {
  it('a drain and then the normal post-op for the same instance', () => {
    const facts = log(start(), ...pre('I1', FLT_PREOP_SUCCESS_WITH_CALLBACK), ...drain('I1'), ...fs(), ...post('I1'), complete());
    expect(found(postOperationOnce(facts))).toEqual([{ invariant: '4', seq: seqOf(facts, 'PostOperation', 'I1') }]);
  });
});

describe('5: callbacks only for operations that started in the instance\'s lifetime', () => {
  it('an operation that started before the instance\'s setup succeeded', () => {
    const facts = log(start('D1'), ['I4', { type: 'InstanceSetup', filter: 'F4', volume: 'V1', name: 'I4', altitude: '50000', frame: 0, flags: 1 }], ['I4', { type: 'InstanceSetupReturned', status: STATUS_SUCCESS }], ...pre('I4', FLT_PREOP_SUCCESS_NO_CALLBACK), ...fs(), complete());
    expect(found(operationCallbacksInLifetime(facts))).toEqual([{ invariant: '5', seq: seqOf(facts, 'PreOperation', 'I4') }]);
  });

  it('a pre-op after the instance\'s TeardownStart, and one for an operation that started after it', () => {
    const facts = log(
      start('D1'),
      ['I3', { type: 'InstanceTeardownStart', reason: 1 }],
      start('D2'),
      ...pre('I3', FLT_PREOP_SUCCESS_NO_CALLBACK, { op: 'D1' }),
      ...pre('I3', FLT_PREOP_SUCCESS_NO_CALLBACK, { op: 'D2' }),
    );
    expect(found(operationCallbacksInLifetime(facts))).toEqual([
      { invariant: '5', seq: seqOf(facts, 'PreOperation', 'I3', 0) },
      { invariant: '5', seq: seqOf(facts, 'PreOperation', 'I3', 1) },
      { invariant: '5', seq: seqOf(facts, 'PreOperation', 'I3', 1) },
    ]);
  });

  it('a post-op after the instance\'s TeardownComplete (the real run, edited)', () => {
    const read = idOf('IoStart', IRP_MJ_READ);
    const editor = idOf('InstanceSetup', 'editor');
    const facts = edited((f) => {
      const at = indexOf(f, is('PostOperation', read, editor));
      f.splice(at, 0, { ...f[at]!, type: 'InstanceTeardownComplete', object: editor, reason: 1 } as Fact);
    });
    // The editor's later callbacks (on the write) are all reported too: only the first two are pinned.
    const violations = found(operationCallbacksInLifetime(facts));
    expect(violations.slice(0, 2)).toEqual([
      { invariant: '5', seq: indexOf(facts, is('PostOperation', read, editor)) },
      { invariant: '5', seq: indexOf(facts, is('PostOperationReturned', read, editor)) },
    ]);
    expect(new Set(violations.map((v) => v.invariant))).toEqual(new Set(['5']));
  });

  it('a post-only registration is held to the same window', () => {
    const facts = log(['I2', { type: 'InstanceTeardownStart', reason: 1 }], start(), ...pre('I1', FLT_PREOP_SUCCESS_WITH_CALLBACK), ...fs(), ...post('I2'), ...post('I1'), complete());
    expect(found(operationCallbacksInLifetime(facts))).toEqual([{ invariant: '5', seq: seqOf(facts, 'PostOperation', 'I2') }]);
  });
});

describe('7: a pended operation waits for exactly one resumption', () => {
  it('the walk moves on while a pre-op holds the operation pended', () => {
    const facts = log(start(), ...pre('I1', FLT_PREOP_PENDING), ...pre('I2', FLT_PREOP_SUCCESS_NO_CALLBACK), ['D1', { type: 'FltCompletePendedPreOperation', instance: 'I1', result: 1, status: null, early: false }], ...fs(), complete());
    expect(found(pendedUntilCompleted(facts))).toEqual([
      { invariant: '7', seq: seqOf(facts, 'PreOperation', 'I2') },
      { invariant: '7', seq: seqOf(facts, 'PreOperationReturned', 'I2') },
    ]);
  });

  it('a second FltCompletePendedPostOperation, and one from an instance that did not pend', () => {
    const resumed: Line = ['D1', { type: 'FltCompletePendedPostOperation', instance: 'I3', early: false }];
    const facts = log(start(), ...pre('I3', FLT_PREOP_SUCCESS_WITH_CALLBACK), ...fs(), ...post('I3', { result: FLT_POSTOP_MORE_PROCESSING_REQUIRED }), resumed, resumed, complete());
    expect(found(pendedUntilCompleted(facts))).toEqual([{ invariant: '7', seq: seqOf(facts, 'FltCompletePendedPostOperation', 'I3', 1) }]);
    const wrong = log(start(), ...pre('I3', FLT_PREOP_PENDING), ['D1', { type: 'FltCompletePendedPreOperation', instance: 'I2', result: 1, status: null, early: false }]);
    expect(found(pendedUntilCompleted(wrong))).toEqual([{ invariant: '7', seq: seqOf(wrong, 'FltCompletePendedPreOperation', 'I2') }]);
  });

  it('the operation completes while a post-op holds it (the real run, edited: the resumption removed)', () => {
    const write = idOf('IoStart', IRP_MJ_WRITE);
    const facts = edited((f) => void f.splice(indexOf(f, is('FltCompletePendedPostOperation', write)), 1));
    expect(found(pendedUntilCompleted(facts))).toEqual([{ invariant: '7', seq: indexOf(facts, is('IoComplete', write)) }]);
  });
});

describe('10: final statuses', () => {
  it('STATUS_PENDING as a final status, and a failed CLEANUP', () => {
    const facts = log(start(), ...pre('I1', FLT_PREOP_SUCCESS_NO_CALLBACK), ...fs(), complete(STATUS_PENDING), start('D2', { major: IRP_MJ_CLEANUP, parameters: { Cleanup: {} } }), complete(STATUS_ACCESS_DENIED, 'D2'));
    expect(found(finalStatus(facts))).toEqual([
      { invariant: '10', seq: seqOf(facts, 'IoComplete', undefined, 0) },
      { invariant: '10', seq: seqOf(facts, 'IoComplete', undefined, 1) },
    ]);
  });

  it('a pre-op completing an operation with STATUS_PENDING (the real run, edited)', () => {
    const query = idOf('IoStart', IRP_MJ_QUERY_INFORMATION);
    const facts = edited((f) => {
      const at = indexOf(f, (x) => is('PreOperationReturned', query)(x) && x.result === FLT_PREOP_COMPLETE);
      f[at] = { ...(f[at] as FactOf<'PreOperationReturned'>), status: STATUS_PENDING };
    });
    expect(found(finalStatus(facts))).toEqual([{ invariant: '10', seq: indexOf(facts, (x) => is('PreOperationReturned', query)(x) && x.result === FLT_PREOP_COMPLETE) }]);
  });
});

describe('16: who sees parameter edits', () => {
  it('a fingerprint is FNV-1a over the JSON text of what the callback saw, escapes and left-out fields as JSON writes them', () => {
    // What the log's fingerprints were before they were hashed without building the text: the reference.
    const fnvOfJson = (value: unknown): string => {
      const text = JSON.stringify(value);
      let h = 0x811c9dc5;
      for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
      return h.toString(16).padStart(8, '0');
    };
    const parameters = { Create: { Options: -1, FileName: 'a"b\\c\n\u00e9\ud800', EaLength: undefined, Sizes: [1, undefined, 0.5, null], Nested: { inf: Infinity, zero: -0, yes: true } } };
    const iopb = { MajorFunction: IRP_MJ_CREATE, MinorFunction: 0, IrpFlags: 0x884, OperationFlags: 1, TargetFileObject: null, Parameters: parameters as never };
    expect(fingerprintIopb(iopb)).toBe(fnvOfJson([IRP_MJ_CREATE, 0, 0x884, 1, null, parameters]));
    expect(P0).toBe(fnvOfJson([IRP_MJ_READ, 0, 0, 0, 'O1', { Read: { Length: 8, Key: 0, ByteOffset: 0 } }]));
  });

  it('the top pre-op must see the parameters as issued', () => {
    const facts = log(start(), ...pre('I1', FLT_PREOP_SUCCESS_NO_CALLBACK, { parameters: P1 }), ...fs(P1), complete());
    expect(found(parameterEdits(facts))).toEqual([{ invariant: '16', seq: seqOf(facts, 'PreOperation', 'I1') }]);
  });

  it('an edit without FltSetCallbackDataDirty reached the instance below and the file system', () => {
    const facts = log(start(), ...pre('I1', FLT_PREOP_SUCCESS_NO_CALLBACK), ...pre('I2', FLT_PREOP_SUCCESS_NO_CALLBACK, { parameters: P1 }), ...fs(P1), complete());
    expect(found(parameterEdits(facts))).toEqual([{ invariant: '16', seq: seqOf(facts, 'PreOperation', 'I2') }]);
  });

  it('with dirty the edit flows down, but the editor\'s own post-op must not see it', () => {
    const ok = log(start(), ...pre('I1', FLT_PREOP_SUCCESS_WITH_CALLBACK, { dirty: true }), ...pre('I2', FLT_PREOP_SUCCESS_WITH_CALLBACK, { parameters: P1 }), ...fs(P1), ...post('I2', { parameters: P1 }), ...post('I1'), complete());
    expect(parameterEdits(ok)).toEqual([]);
    const leaked = log(start(), ...pre('I1', FLT_PREOP_SUCCESS_WITH_CALLBACK, { dirty: true }), ...pre('I2', FLT_PREOP_SUCCESS_WITH_CALLBACK, { parameters: P1 }), ...fs(P1), ...post('I2', { parameters: P1 }), ...post('I1', { parameters: P1 }), complete());
    expect(found(parameterEdits(leaked))).toEqual([{ invariant: '16', seq: seqOf(leaked, 'PostOperation', 'I1') }]);
  });

  it('a drain sees what its pre-op saw; a post-only node what flowed past it', () => {
    const facts = log(start(), ...pre('I1', FLT_PREOP_SUCCESS_WITH_CALLBACK, { dirty: true }), ...pre('I3', FLT_PREOP_SUCCESS_WITH_CALLBACK, { parameters: P1 }), ...drain('I1', { parameters: P1 }), ...fs(P1), ...post('I3', { parameters: P1 }), ...post('I2'), complete());
    expect(found(parameterEdits(facts))).toEqual([
      { invariant: '16', seq: seqOf(facts, 'DrainPostOperation', 'I1') },
      { invariant: '16', seq: seqOf(facts, 'PostOperation', 'I2') },
    ]);
  });

  it('the file system saw something other than what the editor below the top passed down (the real run, edited)', () => {
    const read = idOf('IoStart', IRP_MJ_READ);
    const facts = edited((f) => {
      const at = indexOf(f, is('FsDispatch', read));
      f[at] = { ...(f[at] as FactOf<'FsDispatch'>), parameters: 'deadbeef' };
    });
    expect(found(parameterEdits(facts))).toEqual([{ invariant: '16', seq: indexOf(facts, is('FsDispatch', read)) }]);
  });
});

describe('17: TeardownComplete waits for the instance\'s I/O', () => {
  it('TeardownComplete before the drain returned (the real run, edited)', () => {
    const top = idOf('InstanceSetup', 'top');
    const facts = edited((f) => {
      const moved = f.splice(indexOf(f, is('InstanceTeardownComplete', top)), 1)[0]!;
      f.splice(indexOf(f, is('DrainPostOperationReturned', undefined, top)), 0, moved);
    });
    expect(found(teardownWaitsForIo(facts))).toEqual([{ invariant: '17', seq: indexOf(facts, is('InstanceTeardownComplete', top)) }]);
  });

  it('TeardownComplete while the instance holds an operation pended, or runs a callback', () => {
    const facts = log(start(), ...pre('I1', FLT_PREOP_PENDING), ['D1', { type: 'PreOperation', instance: 'I1', parameters: P0 }], ['I1', { type: 'InstanceTeardownComplete', reason: 1 }]);
    expect(found(teardownWaitsForIo(facts))).toEqual([
      { invariant: '17', seq: seqOf(facts, 'InstanceTeardownComplete') },
      { invariant: '17', seq: seqOf(facts, 'InstanceTeardownComplete') },
    ]);
  });
});

describe('20: drains finish', () => {
  it('a drain returning MORE_PROCESSING_REQUIRED, and a return without a drain', () => {
    const facts = log(start(), ...pre('I1', FLT_PREOP_SUCCESS_WITH_CALLBACK), ...drain('I1', { result: FLT_POSTOP_MORE_PROCESSING_REQUIRED }), ['D1', { type: 'DrainPostOperationReturned', instance: 'I1', result: 0 }]);
    expect(found(drainsFinish(facts))).toEqual([
      { invariant: '20', seq: seqOf(facts, 'DrainPostOperationReturned', 'I1', 0) },
      { invariant: '20', seq: seqOf(facts, 'DrainPostOperationReturned', 'I1', 1) },
    ]);
  });

  it('a drain that never returned, in a run that ended idle (the real run, edited)', () => {
    const facts = edited((f) => void f.splice(indexOf(f, is('DrainPostOperationReturned')), 1));
    expect(found(allDrainsReturned(facts))).toEqual([{ invariant: '20', seq: indexOf(facts, is('DrainPostOperation')) }]);
    expect(checkIoLiveness(facts).map((v) => v.invariant)).toEqual(['20']);
  });
});

describe('6: every operation completes exactly once', () => {
  it('a second IoComplete, and a post-op after completion', () => {
    const facts = log(...cleanWalk(), complete(), ...post('I1'));
    expect(found(completesOnce(facts))).toEqual([
      { invariant: '6', seq: seqOf(facts, 'IoComplete', undefined, 1) },
      { invariant: '6', seq: seqOf(facts, 'PostOperation', 'I1', 1) },
      { invariant: '6', seq: seqOf(facts, 'PostOperationReturned', 'I1', 1) },
    ]);
  });

  it('a drain runs on a copy: its return may follow the IoComplete, but no drain may start after it', () => {
    const facts = log(start(), ...pre('I1', FLT_PREOP_SUCCESS_WITH_CALLBACK), ['D1', { type: 'DrainPostOperation', instance: 'I1', parameters: P0 }], ...fs(), complete(), ['D1', { type: 'DrainPostOperationReturned', instance: 'I1', result: 0 }]);
    expect(checkIoInvariants(facts)).toEqual([]);
    const late = log(start(), ...pre('I1', FLT_PREOP_SUCCESS_WITH_CALLBACK), ...fs(), ...post('I1'), complete(), ...drain('I1'));
    expect(found(completesOnce(late))).toEqual([
      { invariant: '6', seq: seqOf(late, 'DrainPostOperation', 'I1') },
      { invariant: '6', seq: seqOf(late, 'DrainPostOperationReturned', 'I1') },
    ]);
  });

  it('callback data a filter reuses (FltReuseCallbackData) may start again; without the reuse it may not', () => {
    const again = (...between: Line[]): Fact[] => log(...cleanWalk(), ...between, ...cleanWalk());
    expect(checkIoInvariants(again(['D1', { type: 'FltReuseCallbackData' }]))).toEqual([]);
    const twice = again();
    expect(found(completesOnce(twice))[0]).toEqual({ invariant: '6', seq: seqOf(twice, 'IoStart', undefined, 1) });
  });

  it('an operation that never completed, in a run that ended idle (the real run, edited); not a safety violation', () => {
    const flush = idOf('IoStart', IRP_MJ_FLUSH_BUFFERS);
    const facts = edited((f) => void f.splice(indexOf(f, is('IoComplete', flush)), 1));
    expect(found(allOperationsCompleted(facts))).toEqual([{ invariant: '6', seq: indexOf(facts, is('IoStart', flush)) }]);
    expect(completesOnce(facts)).toEqual([]);
  });
});

describe('close-after-io: IRP_MJ_CLOSE only once the file object has no request in flight', () => {
  it('a CLOSE while a read on the file object is pended, then another request after the close', () => {
    const facts = log(
      start(),
      ...pre('I1', FLT_PREOP_PENDING),
      start('D2', { major: IRP_MJ_CLOSE, parameters: { Close: {} } }),
      complete(STATUS_SUCCESS, 'D2'),
      ['D1', { type: 'FltCompletePendedPreOperation', instance: 'I1', result: 1, status: null, early: false }],
      ...fs(),
      complete(),
      start('D3'),
    );
    expect(found(closeAfterIo(facts))).toEqual([
      { invariant: 'close-after-io', seq: seqOf(facts, 'IoStart', undefined, 1) },
      { invariant: 'close-after-io', seq: seqOf(facts, 'IoStart', undefined, 2) },
    ]);
  });
});

describe('checkIoInvariants', () => {
  it('runs every check in IO_INVARIANTS', () => {
    expect(Object.keys(IO_INVARIANTS).sort()).toEqual(
      ['closeAfterIo', 'completeStopsTheWalk', 'completesOnce', 'drainsFinish', 'finalStatus', 'operationCallbacksInLifetime', 'parameterEdits', 'pendedUntilCompleted', 'postOperationOnce', 'preAndPostOrder', 'teardownWaitsForIo'].sort(),
    );
    const broken = log(start(), ...pre('I1', FLT_PREOP_COMPLETE), ...fs(), complete(STATUS_PENDING), complete());
    expect(new Set(checkIoInvariants(broken).map((v) => v.invariant))).toEqual(new Set(['3', '10', '6']));
  });
});
