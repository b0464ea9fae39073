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
import { sleep } from '../../kernel/effects.js';
import { Random } from '../../kernel/random.js';
import type { SimulationOptions, Simulation } from '../../simulation.js';
import type { FLT_OPERATION_REGISTRATION } from '../../fltmgr/registration.js';
import type { FileSystemCompletion } from '../../fltmgr/filterManager.js';
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
} from '../../wdk/irp.js';
import { STATUS_ACCESS_DENIED, STATUS_SUCCESS } from '../../wdk/ntstatus.js';
import { between, pick } from './draws.js';
import { installFilter, type TestFilter } from './filterBuilder.js';
import { application, type OpenHandle } from './randomApplication.js';
import { postOperation, preOperation, resume, type Pended } from './randomFilterCallbacks.js';

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

/**
 * Build a random system in `sim` (created with `randomIoSimulationOptions(seed)`) and queue the
 * application and operator threads; the caller runs it.
 */
export function randomIoWorkload(sim: Simulation, seed: number, options: RandomIoWorkloadOptions = {}): RandomIoSystem {
  const r = Random.fromSeed(seed).split('io-workload');
  const frames = sim.fltMgr.frames.length;

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
