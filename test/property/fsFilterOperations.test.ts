// §24.1, §24.9 invariant 16: random applications map one file, write through their views, flush
// them, close their handles early or late and unmap, under random schedules, with a filter that
// registers for every FsFilter operation and for writes. Whatever the interleaving: no verifier
// finding, every FsFilter operation is an FsFilter operation only, never generated, never pended;
// every acquire is released by its thread; every paging write is inside an ACQUIRE_FOR_MOD_WRITE or
// ACQUIRE_FOR_CC_FLUSH; nothing reaches a file object after its IRP_MJ_CLOSE; the run ends idle;
// the file holds each application's last bytes; fold equals live at a random point and at the end.
// A longer run: fsFilterOperations.deep.test.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CloseHandle,
  createSimulation,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_MAP_READ,
  FILE_MAP_WRITE,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FlushViewOfFile,
  foldLog,
  IRP_MJ_ACQUIRE_FOR_CC_FLUSH,
  IRP_MJ_ACQUIRE_FOR_MOD_WRITE,
  IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION,
  IRP_MJ_CLOSE,
  IRP_MJ_RELEASE_FOR_CC_FLUSH,
  IRP_MJ_RELEASE_FOR_MOD_WRITE,
  IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION,
  IRP_MJ_WRITE,
  MapViewOfFile,
  PAGE_READWRITE,
  sleep,
  UnmapViewOfFile,
  writeMappedView,
  type Blocking,
  type Simulation,
} from '../../src/index.js';
import { checkFsInvariants, checkIoInvariants, fsFilterAcquiresReleased, installFilter, operations } from '../../src/testing/index.js';
import { budget } from '../support/deep.js';

const PAGE = 4096;

type Step = { readonly kind: 'write'; readonly offset: number; readonly length: number } | { readonly kind: 'flush' } | { readonly kind: 'closeHandle' } | { readonly kind: 'pause'; readonly ticks: number };

interface Workload {
  readonly seed: number;
  readonly apps: readonly (readonly Step[])[];
  readonly probeAt: number;
}

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('write' as const), offset: fc.integer({ min: 0, max: PAGE - 8 }), length: fc.integer({ min: 1, max: 8 }) }),
  fc.constant({ kind: 'flush' as const }),
  fc.constant({ kind: 'closeHandle' as const }),
  fc.record({ kind: fc.constant('pause' as const), ticks: fc.integer({ min: 1, max: 3 }) }),
);

const workloads: fc.Arbitrary<Workload> = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  apps: fc.array(fc.array(step, { maxLength: 6 }), { minLength: 1, maxLength: 2 }),
  probeAt: fc.integer({ min: 10, max: 200 }),
});

const FS_FILTER = [IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION, IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION, IRP_MJ_ACQUIRE_FOR_MOD_WRITE, IRP_MJ_RELEASE_FOR_MOD_WRITE, IRP_MJ_ACQUIRE_FOR_CC_FLUSH, IRP_MJ_RELEASE_FOR_CC_FLUSH];

/**
 * App i opens the file, maps it read/write (its own section) and writes only in page i, so each
 * section's paging writes carry only its own bytes; `expected` gets what it wrote, in order.
 */
function* app(sim: Simulation, i: number, steps: readonly Step[], expected: Uint8Array): Blocking<void> {
  const f = yield* sim.io.NtCreateFile('C:\\m.bin', { DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
  let handle: string | null = f.handle!;
  const mapping = yield* sim.io.CreateFileMappingW(handle, null, PAGE_READWRITE, 0, 0, null);
  const view = yield* MapViewOfFile(mapping!, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
  for (const [n, s] of steps.entries()) {
    if (s.kind === 'write') {
      const bytes = new Uint8Array(s.length).fill(0x41 + ((i * 7 + n) % 26));
      yield* writeMappedView(view!, i * PAGE + s.offset, bytes);
      expected.set(bytes, i * PAGE + s.offset);
    } else if (s.kind === 'flush') {
      yield* FlushViewOfFile(view!, 0);
    } else if (s.kind === 'closeHandle') {
      if (handle !== null) yield* sim.io.NtClose(handle);
      handle = null;
    } else {
      yield* sleep(s.ticks);
    }
  }
  yield* UnmapViewOfFile(view!);
  yield* CloseHandle(mapping!);
  if (handle !== null) yield* sim.io.NtClose(handle);
}

function runOnce(w: Workload): void {
  const sim = createSimulation({ seed: w.seed, strategy: 'random', onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  const initial = new Uint8Array(2 * PAGE).fill(0x2e);
  sim.fileSystem('C:').writeFile('\\m.bin', initial);
  installFilter(sim, {
    name: 'watcher',
    altitude: '370000',
    registration: { OperationRegistration: operations([...FS_FILTER, IRP_MJ_WRITE], { PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK, PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING }) },
  });
  sim.run();
  const expected = initial.slice();
  w.apps.forEach((steps, i) => sim.spawn(`app${i}`, () => app(sim, i, steps, expected)));
  const where = `seed ${w.seed}, ${JSON.stringify(w)}`;
  sim.runUntil(() => sim.log.length >= w.probeAt);
  expect(foldLog(sim.log), where).toEqual(sim.state());
  expect(sim.run().reason, where).toBe('idle');
  expect(sim.state().violations, where).toEqual([]);
  expect([...checkFsInvariants(sim.log), ...fsFilterAcquiresReleased(sim.log), ...checkIoInvariants(sim.log)], where).toEqual([]);
  // Nothing reaches a file object after its IRP_MJ_CLOSE starts (§24.9 invariant 8).
  const closedAt = new Map<string, number>();
  for (const f of sim.log) {
    if (f.type !== 'IoStart' || f.fileObject === null) continue;
    expect(closedAt.has(f.fileObject), `${where}: ${f.object} after the close of ${f.fileObject}`).toBe(false);
    if (f.major === IRP_MJ_CLOSE) closedAt.set(f.fileObject, f.seq);
  }
  // One section acquire/release pair per application, and every page written out in the end.
  expect(sim.log.filter((f) => f.type === 'IoStart' && f.major === IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION).length, where).toBe(w.apps.length);
  expect(sim.fileSystem('C:').readFile('\\m.bin'), where).toEqual(expected);
  expect(foldLog(sim.log), where).toEqual(sim.state());
}

it('seed 786218167: the modified page writer took "B" and was acquiring while the application stored "C" and flushed it; the writer\'s older page must not land over the flush\'s newer one', () => {
  runOnce({ seed: 786218167, apps: [[{ kind: 'write', offset: 0, length: 1 }, { kind: 'write', offset: 0, length: 1 }, { kind: 'write', offset: 0, length: 1 }, { kind: 'flush' }]], probeAt: 10 });
});

describe('random applications mapping, writing through views, flushing, closing and unmapping (§24.1, §24.9 invariant 16)', () => {
  it('no finding; FsFilter acquires released, paging writes inside them, nothing after CLOSE; the file holds the last bytes; fold = live', () => {
    fc.assert(fc.property(workloads, (w) => runOnce(w)), { numRuns: budget(4, 200) });
  });
});
