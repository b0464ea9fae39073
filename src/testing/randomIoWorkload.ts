/**
 * Random stacks and random I/O for property tests of the I/O path (§7, §8, §4 draining): volumes
 * with seeded files, legacy filters that complete some IRPs themselves, minifilters whose operation
 * callbacks choose per call among every pre- and post-operation result, edit parameters with and
 * without FltSetCallbackDataDirty, block where blocking is legal, and pend operations that worker
 * threads resume later; application threads that open, read, write, query, set and close files
 * concurrently; operators that detach, unload, re-attach and dismount while I/O is in flight.
 *
 * The filters behave correctly: whatever they pend is resumed by a worker after a bounded delay,
 * and their InstanceTeardownStart callback resumes at once whatever is still queued for the
 * instance (§4 step 2). So on a correct simulator every run ends idle, never deadlocked, and with
 * no verifier violation. All randomness comes from the workload's own stream, split from the seed;
 * draws made inside callbacks follow the schedule, which the seed also fixes.
 */
import { sleep, type Blocking } from '../kernel/effects.js';
import { Random } from '../kernel/random.js';
import type { SimulationOptions, Simulation } from '../simulation.js';
import type { FLT_CALLBACK_DATA } from '../io/callbackData.js';
import { FltCompletePendedPostOperation, FltCompletePendedPreOperation, FltSetCallbackDataDirty } from '../io/pending.js';
import {
  FltAllocateDeferredIoWorkItem,
  FltAllocateGenericWorkItem,
  FltQueueDeferredIoWorkItem,
  FltQueueGenericWorkItem,
} from '../io/workItems.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import type { FLT_OPERATION_REGISTRATION, FLT_RELATED_OBJECTS } from '../fltmgr/registration.js';
import type { FileSystemCompletion } from '../fltmgr/filterManager.js';
import {
  DELETE,
  FILE_CREATE,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_INFORMATION_CLASS,
  FILE_NON_DIRECTORY_FILE,
  FILE_OPEN,
  FILE_OPEN_IF,
  FILE_OVERWRITE_IF,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FS_INFORMATION_CLASS,
} from '../wdk/fileConstants.js';
import {
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_POSTOP_MORE_PROCESSING_REQUIRED,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FLTFL_POST_OPERATION_DRAINING,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
} from '../wdk/fltConstants.js';
import {
  IRP_MJ_CLEANUP,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_DIRECTORY_CONTROL,
  IRP_MJ_FLUSH_BUFFERS,
  IRP_MJ_QUERY_INFORMATION,
  IRP_MJ_QUERY_VOLUME_INFORMATION,
  IRP_MJ_READ,
  IRP_MJ_SET_INFORMATION,
  IRP_MJ_WRITE,
} from '../wdk/irp.js';
import {
  NT_SUCCESS,
  STATUS_ACCESS_DENIED,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  type NTSTATUS,
} from '../wdk/ntstatus.js';
import { installFilter, type TestFilter } from './filterBuilder.js';

export interface RandomIoWorkloadOptions {
  readonly volumes?: readonly [number, number];
  readonly filters?: readonly [number, number];
  /** Legacy filters loaded before the volumes mount. */
  readonly legacyFilters?: readonly [number, number];
  readonly applications?: readonly [number, number];
  readonly requestsPerApplication?: readonly [number, number];
  /** Detach, unload, re-attach or dismount while I/O runs. */
  readonly operatorActions?: readonly [number, number];
  /**
   * Applications share one pool of handles, so one thread may close a handle while another's
   * request on it is in flight (legal: each IRP holds its own file-object reference). Default false.
   */
  readonly shareHandles?: boolean;
}

export interface RandomIoSystem {
  readonly filters: readonly TestFilter[];
  /** Drive letters of the volumes, e.g. `C:`. */
  readonly volumes: readonly string[];
}

/** The major functions the filters may register for, and the applications issue. */
const MAJORS = [
  IRP_MJ_CREATE,
  IRP_MJ_CLOSE,
  IRP_MJ_READ,
  IRP_MJ_WRITE,
  IRP_MJ_QUERY_INFORMATION,
  IRP_MJ_SET_INFORMATION,
  IRP_MJ_FLUSH_BUFFERS,
  IRP_MJ_QUERY_VOLUME_INFORMATION,
  IRP_MJ_DIRECTORY_CONTROL,
  IRP_MJ_CLEANUP,
] as const;

function between(r: Random, [lo, hi]: readonly [number, number]): number {
  return lo + r.nextInt(hi - lo + 1);
}

function pick<T>(r: Random, items: readonly T[]): T {
  return items[r.nextInt(items.length)]!;
}

/**
 * Simulation options for seed `seed`: the random scheduler, frames, and whether the file system
 * completes inline or later on a completion thread (chosen by the seed unless given). Verifier
 * violations are recorded rather than thrown, so a property test can report them with the seed.
 */
export function randomIoSimulationOptions(seed: number, fileSystemCompletion?: FileSystemCompletion): SimulationOptions {
  const r = Random.fromSeed(seed).split('io-workload-options');
  const boundaries = ['100000', '250000', '360000'].slice(0, r.nextInt(3));
  const completion = fileSystemCompletion ?? (r.nextInt(2) === 0 ? 'inline' : 'deferred');
  return {
    seed,
    strategy: 'random',
    frameBoundaries: boundaries,
    fileSystemCompletion: completion,
    fileSystemLatency: 1 + r.nextInt(2),
    onViolation: 'record',
  };
}

/** An operation a filter pended, until a worker or the instance's TeardownStart resumes it. */
interface Pended {
  readonly where: 'pre' | 'post';
  readonly data: FLT_CALLBACK_DATA;
  readonly instance: InstanceObject;
  /** The filter registered a post-op for this major, so a pended pre-op may resume WITH_CALLBACK. */
  readonly hasPost: boolean;
  claimed: boolean;
}

/** What a pre-op hands its post-op: whether the post-op runs synchronized (and so may block). */
interface Completion {
  readonly synchronized: boolean;
}

/**
 * Build a random system in `sim` (created with `randomIoSimulationOptions(seed)`) and queue the
 * application and operator threads; the caller runs it.
 */
export function randomIoWorkload(sim: Simulation, seed: number, options: RandomIoWorkloadOptions = {}): RandomIoSystem {
  const r = Random.fromSeed(seed).split('io-workload');
  const frames = sim.mgr.frames.length;

  // ---- legacy filters: some complete IRPs on "locked" files themselves (never CREATE with success,
  // never CLEANUP/CLOSE with a failure: those are the rules a legacy filter follows too).
  const legacyCount = between(r, options.legacyFilters ?? [0, 2]);
  for (let i = 0; i < legacyCount; i++) {
    const denies = r.nextInt(2) === 0;
    sim.loadLegacyFilter({
      name: `legacy${i}.sys`,
      aboveFrame: r.nextInt(frames + 1) - 1,
      ...(denies
        ? {
            onIrp: (irp) => {
              if (!irp.fileName.includes('locked')) return 'pass';
              if (irp.MajorFunction === IRP_MJ_CLEANUP || irp.MajorFunction === IRP_MJ_CLOSE) return 'pass';
              return r.nextInt(2) === 0 ? { complete: STATUS_ACCESS_DENIED } : 'pass';
            },
          }
        : {}),
    });
  }

  // ---- volumes and their files
  const volumeCount = between(r, options.volumes ?? [1, 3]);
  const volumes: string[] = [];
  const paths: string[] = [];
  for (let v = 0; v < volumeCount; v++) {
    const dosName = `${String.fromCharCode(67 + v)}:`;
    volumes.push(dosName);
    sim.mountVolume({ name: `\\Device\\HarddiskVolume${v + 1}`, dosName, fsType: r.nextInt(4) === 0 ? 'FAT' : 'NTFS' });
    const fs = sim.fileSystem(dosName);
    fs.mkdir('\\dir');
    const files = ['\\a.txt', '\\b.txt', '\\locked.txt', '\\dir\\c.txt'];
    for (const file of files) if (r.nextInt(4) !== 0) fs.writeFile(file, 'x'.repeat(r.nextInt(40)));
    for (const file of [...files, '\\new.txt', '\\dir', '\\dir\\new.txt']) paths.push(`${dosName}${file}`);
  }

  // ---- minifilters
  const pended: Pended[] = [];
  const filterCount = between(r, options.filters ?? [1, 8]);
  const used = new Set<string>();
  const altitude = (): string => {
    for (;;) {
      const a = String(20000 + r.nextInt(400000)) + (r.nextInt(4) === 0 ? `.${1 + r.nextInt(99)}` : '');
      if (!used.has(a)) {
        used.add(a);
        return a;
      }
    }
  };
  const filters: TestFilter[] = [];
  for (let f = 0; f < filterCount; f++) {
    const name = `filter${f}`;
    const registrations: FLT_OPERATION_REGISTRATION[] = [];
    for (const major of MAJORS) {
      if (r.nextInt(3) === 0) continue;
      const shape = r.nextInt(10);
      const hasPre = shape !== 0; // 1 in 10: post-only (§13 A15)
      const hasPost = shape !== 1; // 1 in 10: pre-only
      registrations.push({
        MajorFunction: major,
        ...(hasPre ? { PreOperation: (data, objects, context) => preOperation(r, pended, major, hasPost, data, objects, context) } : {}),
        ...(hasPost ? { PostOperation: (data, objects, context, flags) => postOperation(r, pended, major, data, objects, context, flags) } : {}),
      });
    }
    filters.push(
      installFilter(sim, {
        name,
        altitude: altitude(),
        moreInstances: { [`${name} Extra`]: altitude() },
        registration: {
          OperationRegistration: registrations,
          InstanceSetupCallback: () => STATUS_SUCCESS,
          InstanceQueryTeardownCallback: () => STATUS_SUCCESS,
          InstanceTeardownStartCallback: function* (objects) {
            // §4 step 2: finish everything still queued for this instance before returning.
            for (const p of pended.filter((q) => q.instance === objects.Instance && !q.claimed)) yield* resume(r, pended, p);
            if (r.nextInt(3) === 0) yield* sleep(1);
          },
        },
      }),
    );
  }

  // ---- applications
  const applications = between(r, options.applications ?? [1, 4]);
  const sharedHandles: OpenHandle[] = [];
  for (let a = 0; a < applications; a++) {
    const requests = between(r, options.requestsPerApplication ?? [2, 10]);
    const handles = options.shareHandles === true ? sharedHandles : [];
    sim.spawn(`app${a}`, () => application(sim, r, paths, requests, handles));
  }

  // ---- operators: teardown while I/O is in flight
  const actions = between(r, options.operatorActions ?? [0, 3]);
  if (actions > 0) {
    sim.spawn('operator', function* () {
      for (let i = 0; i < actions; i++) {
        yield* sleep(r.nextInt(6));
        const fname = `filter${r.nextInt(filterCount)}`;
        const vname = pick(r, volumes);
        switch (r.nextInt(4)) {
          case 0:
            yield* sim.FilterDetach(fname, vname, r.nextInt(2) === 0 ? null : `${fname} Extra`);
            break;
          case 1:
            yield* sim.FilterUnload(fname);
            break;
          case 2:
            yield* sim.FilterAttach(fname, vname, r.nextInt(2) === 0 ? null : `${fname} Extra`);
            break;
          default: {
            const volume = sim.volume(vname);
            if (volume !== undefined) yield* sim.join(sim.dismountVolume(volume));
          }
        }
      }
      return STATUS_SUCCESS;
    });
  }
  return { filters, volumes };
}

// ---------------------------------------------------------------------------------------------------
// The filters' callbacks

/** A status a pre-op may complete `major` with: CLEANUP/CLOSE never fail; a create only fails. */
function completionStatus(r: Random, major: number): NTSTATUS {
  if (major === IRP_MJ_CLEANUP || major === IRP_MJ_CLOSE) return STATUS_SUCCESS;
  if (major === IRP_MJ_CREATE) return pick(r, [STATUS_ACCESS_DENIED, STATUS_OBJECT_NAME_NOT_FOUND]);
  return pick(r, [STATUS_SUCCESS, STATUS_ACCESS_DENIED, STATUS_UNSUCCESSFUL, STATUS_INVALID_DEVICE_REQUEST]);
}

/** Edit a copy of the parameters (length or offset), and maybe mark the data dirty so the edit counts (§7). */
function maybeEdit(r: Random, data: FLT_CALLBACK_DATA): void {
  const choice = r.nextInt(6);
  if (choice >= 3) return;
  const p = data.Iopb.Parameters as unknown as Record<string, Record<string, unknown> | undefined>;
  const read = p.Read;
  const write = p.Write;
  const query = p.QueryFileInformation;
  if (read !== undefined) {
    data.Iopb.Parameters = { ...data.Iopb.Parameters, Read: r.nextInt(2) === 0 ? { ...read, Length: r.nextInt(16) } : { ...read, ByteOffset: r.nextInt(8) } } as never;
  } else if (write !== undefined && typeof write.Length === 'number') {
    data.Iopb.Parameters = { ...data.Iopb.Parameters, Write: { ...write, Length: r.nextInt(write.Length + 1) } } as never;
  } else if (query !== undefined) {
    data.Iopb.Parameters = { ...data.Iopb.Parameters, QueryFileInformation: { ...query, Length: 8 + r.nextInt(120) } } as never;
  }
  // choice 0: edit and mark dirty; 1: edit only (ignored by FltMgr); 2: dirty with or without an edit.
  if (choice !== 1) FltSetCallbackDataDirty(data);
}

function* preOperation(
  r: Random,
  pended: Pended[],
  major: number,
  hasPost: boolean,
  data: FLT_CALLBACK_DATA,
  objects: FLT_RELATED_OBJECTS,
  context: { value: unknown },
): Blocking<FLT_PREOP_CALLBACK_STATUS> {
  if (r.nextInt(5) === 0) yield* sleep(r.nextInt(3));
  maybeEdit(r, data);
  const roll = r.nextInt(100);
  if (roll < 30 && hasPost) {
    context.value = { synchronized: false } satisfies Completion;
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
  }
  // SYNCHRONIZE is not for creates (they are synchronized already, §8).
  if (roll < 45 && hasPost && major !== IRP_MJ_CREATE) {
    context.value = { synchronized: true } satisfies Completion;
    return FLT_PREOP_SYNCHRONIZE;
  }
  if (roll < 55) {
    data.IoStatus = { Status: completionStatus(r, major), Information: 0 };
    return FLT_PREOP_COMPLETE;
  }
  if (roll < 75) {
    const p: Pended = { where: 'pre', data, instance: objects.Instance, hasPost, claimed: false };
    if (queueWorker(r, pended, p)) {
      // Sometimes the worker may resume it before this pre-op has returned (§8, legal).
      if (r.nextInt(5) === 0) yield* sleep(1);
      return FLT_PREOP_PENDING;
    }
  }
  return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

function* postOperation(
  r: Random,
  pended: Pended[],
  major: number,
  data: FLT_CALLBACK_DATA,
  objects: FLT_RELATED_OBJECTS,
  context: unknown,
  flags: number,
): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
  // A drain only frees its context and finishes (§4 step 3).
  if ((flags & FLTFL_POST_OPERATION_DRAINING) !== 0) return FLT_POSTOP_FINISHED_PROCESSING;
  // Only a synchronized post-op (SYNCHRONIZE, or any post-create) runs at PASSIVE and may block;
  // the others run as if at DISPATCH_LEVEL (src/io/postOperation.ts).
  const mayBlock = major === IRP_MJ_CREATE || (context as Completion | null)?.synchronized === true;
  if (mayBlock && r.nextInt(4) === 0) yield* sleep(1 + r.nextInt(2));
  // Edits in a post-op reach nobody: every higher post-op sees its own pre-op's view (§7).
  maybeEdit(r, data);
  const failable = major === IRP_MJ_READ || major === IRP_MJ_WRITE || major === IRP_MJ_QUERY_INFORMATION;
  if (failable && NT_SUCCESS(data.IoStatus.Status) && r.nextInt(10) === 0) data.IoStatus = { Status: STATUS_ACCESS_DENIED, Information: 0 };
  if (r.nextInt(6) === 0) {
    const p: Pended = { where: 'post', data, instance: objects.Instance, hasPost: true, claimed: false };
    if (queueWorker(r, pended, p)) {
      if (mayBlock && r.nextInt(4) === 0) yield* sleep(1);
      return FLT_POSTOP_MORE_PROCESSING_REQUIRED;
    }
  }
  return FLT_POSTOP_FINISHED_PROCESSING;
}

/**
 * Hand a pended operation to a worker: a deferred-I/O work item, or a generic one on the instance
 * or the filter. False if every queue refused (the instance or filter is going away).
 */
function queueWorker(r: Random, pended: Pended[], p: Pended): boolean {
  const delay = r.nextInt(4);
  const work = function* (): Blocking<void> {
    yield* sleep(delay);
    yield* resume(r, pended, p);
  };
  let status: NTSTATUS;
  if (r.nextInt(2) === 0) {
    status = FltQueueDeferredIoWorkItem(FltAllocateDeferredIoWorkItem(), p.data, () => work(), 'DelayedWorkQueue', null);
  } else {
    status = FltQueueGenericWorkItem(FltAllocateGenericWorkItem(), p.instance, () => work(), 'DelayedWorkQueue', null);
  }
  if (!NT_SUCCESS(status)) status = FltQueueGenericWorkItem(FltAllocateGenericWorkItem(), p.instance.filter, () => work(), 'DelayedWorkQueue', null);
  if (!NT_SUCCESS(status)) return false;
  pended.push(p);
  return true;
}

/** Resume a pended operation once, whoever gets to it first (its worker or its instance's teardown). */
function* resume(r: Random, pended: Pended[], p: Pended): Blocking<void> {
  if (p.claimed) return;
  p.claimed = true;
  pended.splice(pended.indexOf(p), 1);
  if (p.where === 'post') {
    yield* FltCompletePendedPostOperation(p.data);
    return;
  }
  maybeEdit(r, p.data);
  const major = p.data.Iopb.MajorFunction;
  const roll = r.nextInt(10);
  if (roll < 4 && p.hasPost) {
    yield* FltCompletePendedPreOperation(p.data, FLT_PREOP_SUCCESS_WITH_CALLBACK, { synchronized: false } satisfies Completion);
  } else if (roll < 6) {
    p.data.IoStatus = { Status: completionStatus(r, major), Information: 0 };
    yield* FltCompletePendedPreOperation(p.data, FLT_PREOP_COMPLETE, null);
  } else {
    yield* FltCompletePendedPreOperation(p.data, FLT_PREOP_SUCCESS_NO_CALLBACK, null);
  }
}

// ---------------------------------------------------------------------------------------------------
// Applications

const ACCESS = [FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_READ | FILE_GENERIC_WRITE, FILE_GENERIC_READ | DELETE];
const DISPOSITIONS = [FILE_OPEN, FILE_OPEN, FILE_OPEN_IF, FILE_CREATE, FILE_OVERWRITE_IF];

interface OpenHandle {
  readonly handle: string;
  readonly synchronous: boolean;
}

/** An application thread: opens, requests and closes on `handles` (its own, or a pool it shares). */
function* application(sim: Simulation, r: Random, paths: readonly string[], requests: number, handles: OpenHandle[]): Blocking<NTSTATUS> {
  for (let i = 0; i < requests; i++) {
    if (r.nextInt(3) === 0) yield* sleep(r.nextInt(3));
    if (handles.length === 0 || r.nextInt(4) === 0) {
      const synchronous = r.nextInt(3) !== 0;
      const path = pick(r, paths);
      const open = yield* sim.io.NtCreateFile(path, {
        DesiredAccess: pick(r, ACCESS),
        ShareAccess: r.nextInt(8),
        CreateDisposition: pick(r, DISPOSITIONS),
        CreateOptions: (synchronous ? FILE_SYNCHRONOUS_IO_NONALERT : 0) | (path.endsWith('dir') || r.nextInt(2) === 0 ? 0 : FILE_NON_DIRECTORY_FILE),
      });
      if (open.handle !== null) handles.push({ handle: open.handle, synchronous });
      continue;
    }
    const at = r.nextInt(handles.length);
    const { handle, synchronous } = handles[at]!;
    const offset = synchronous && r.nextInt(2) === 0 ? undefined : r.nextInt(48);
    switch (r.nextInt(9)) {
      case 0:
      case 1:
        yield* sim.io.NtReadFile(handle, r.nextInt(32), offset);
        break;
      case 2:
        yield* sim.io.NtWriteFile(handle, 'y'.repeat(r.nextInt(16)), offset);
        break;
      case 3:
        yield* sim.io.NtQueryInformationFile(handle, pick(r, [FILE_INFORMATION_CLASS.FileStandardInformation, FILE_INFORMATION_CLASS.FileBasicInformation, FILE_INFORMATION_CLASS.FilePositionInformation]), 64);
        break;
      case 4:
        if (r.nextInt(2) === 0) yield* sim.io.NtSetInformationFile(handle, FILE_INFORMATION_CLASS.FileEndOfFileInformation, { EndOfFile: r.nextInt(40) });
        else yield* sim.io.NtSetInformationFile(handle, FILE_INFORMATION_CLASS.FileDispositionInformation, { DeleteFile: r.nextInt(2) === 0 });
        break;
      case 5:
        yield* sim.io.NtQueryVolumeInformationFile(handle, FS_INFORMATION_CLASS.FileFsVolumeInformation, 128);
        break;
      case 6:
        yield* sim.io.NtFlushBuffersFile(handle);
        break;
      case 7:
        yield* sim.io.NtQueryDirectoryFile(handle, FILE_INFORMATION_CLASS.FileDirectoryInformation, 512, { RestartScan: r.nextInt(2) === 0 });
        break;
      default:
        handles.splice(at, 1);
        yield* sim.io.NtClose(handle);
    }
  }
  // Close what is left; with a shared pool, whichever thread gets to a handle first closes it.
  for (let open = handles.pop(); open !== undefined; open = handles.pop()) yield* sim.io.NtClose(open.handle);
  return STATUS_SUCCESS;
}
