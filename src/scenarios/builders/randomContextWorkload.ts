/**
 * Random filters that use contexts the way real ones do (§15), for property tests: instance and
 * volume contexts set in InstanceSetup; stream and stream-handle contexts set in post-create with
 * KEEP_IF_EXISTS or REPLACE_IF_EXISTS (with and without OldContext), deleted now and then; pre-read
 * and pre-write get them (one by one or with FltGetContexts) and may hold a reference across a
 * blocking wait — while applications open, read and close files and operators detach, dismount and
 * unload the filters.
 *
 * The filters are correct: every reference they take is released on every path, so on a correct
 * simulator every run ends idle with no verifier finding, and every context is freed once its
 * filter has unloaded. All randomness comes from the workload's stream split from the seed.
 */
import { sleep, type Blocking } from '../../kernel/effects.js';
import { Random } from '../../kernel/random.js';
import type { Simulation, SimulationOptions } from '../../simulation.js';
import type { FLT_REGISTRATION, FLT_RELATED_OBJECTS } from '../../fltmgr/registration.js';
import type { ContextObject } from '../../fltmgr/contextObject.js';
import { FltAllocateContext, FltGetContexts, FltReleaseContext, FltReleaseContexts } from '../../fltmgr/contextRoutines.js';
import {
  FltDeleteStreamContext,
  FltGetInstanceContext,
  FltGetStreamContext,
  FltGetStreamHandleContext,
  FltSetInstanceContext,
  FltSetStreamContext,
  FltSetStreamHandleContext,
  FltSetVolumeContext,
} from '../../fltmgr/contextKinds.js';
import type { PFLT_CONTEXT_OUT } from '../../fltmgr/contextSetGet.js';
import {
  FLT_ALL_CONTEXTS,
  FLT_INSTANCE_CONTEXT,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_SET_CONTEXT_REPLACE_IF_EXISTS,
  FLT_STREAM_CONTEXT,
  FLT_STREAMHANDLE_CONTEXT,
  FLT_VOLUME_CONTEXT,
  NonPagedPool,
  PagedPool,
} from '../../wdk/contextConstants.js';
import { FLT_POSTOP_FINISHED_PROCESSING, FLT_PREOP_SUCCESS_NO_CALLBACK, FLT_PREOP_SUCCESS_WITH_CALLBACK } from '../../wdk/fltConstants.js';
import { FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_OPEN_IF, FILE_SHARE_READ, FILE_SHARE_WRITE, FILE_SYNCHRONOUS_IO_NONALERT } from '../../wdk/createConstants.js';
import { IRP_MJ_CREATE, IRP_MJ_READ, IRP_MJ_WRITE } from '../../wdk/irp.js';
import { NT_SUCCESS, STATUS_SUCCESS } from '../../wdk/ntstatus.js';
import { between, pick } from './draws.js';
import { installFilter, type TestFilter } from './filterBuilder.js';

export interface RandomContextWorkloadOptions {
  readonly filters?: readonly [number, number];
  readonly applications?: readonly [number, number];
  readonly opensPerApplication?: readonly [number, number];
  /** Detach, dismount or unload while the applications run. */
  readonly operatorActions?: readonly [number, number];
}

export function randomContextSimulationOptions(seed: number): SimulationOptions {
  return { seed, strategy: 'random', onViolation: 'record' };
}

const FILES = ['\\a.txt', '\\b.txt', '\\c.txt'];

/** Build the system in `sim` and queue its threads; the caller runs it. Returns the filters. */
export function randomContextWorkload(sim: Simulation, seed: number, options: RandomContextWorkloadOptions = {}): readonly TestFilter[] {
  const r = Random.fromSeed(seed).split('context-workload');
  const volume = sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:', fsType: r.nextInt(4) === 0 ? 'FAT' : 'NTFS' });
  for (const file of FILES) sim.fileSystem('C:').writeFile(file, 'context');

  const filters: TestFilter[] = [];
  const filterCount = between(r, options.filters ?? [1, 3]);
  for (let f = 0; f < filterCount; f++) {
    filters.push(installFilter(sim, { name: `ctx${f}`, altitude: String(300000 + 1000 * f), registration: contextFilter(r.split(`filter${f}`)) }));
  }

  const apps = between(r, options.applications ?? [1, 3]);
  for (let a = 0; a < apps; a++) {
    const ar = r.split(`app${a}`);
    const opens = between(ar, options.opensPerApplication ?? [1, 4]);
    sim.spawn(`app${a}`, function* () {
      for (let i = 0; i < opens; i++) {
        const open = yield* sim.io.NtCreateFile(`C:${pick(ar, FILES)}`, {
          DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE,
          ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE,
          CreateDisposition: FILE_OPEN_IF,
          CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT,
        });
        if (open.handle === null || open.handle === undefined) continue;
        if (ar.nextInt(2) === 0) yield* sim.io.NtReadFile(open.handle, 4, 0);
        else yield* sim.io.NtWriteFile(open.handle, 'w', 0);
        if (ar.nextInt(3) === 0) yield* sleep(ar.nextInt(3));
        yield* sim.io.NtClose(open.handle);
      }
      return 0;
    });
  }

  const actions = between(r, options.operatorActions ?? [0, 2]);
  for (let k = 0; k < actions; k++) {
    const or = r.split(`operator${k}`);
    const kind = or.nextInt(4);
    const target = `ctx${or.nextInt(filterCount)}`;
    sim.spawn(`operator${k}`, function* () {
      yield* sleep(or.nextInt(6));
      if (kind === 0) yield* sim.FilterDetach(target, 'C:');
      else if (kind === 1) yield* sim.join(sim.dismountVolume(volume));
      else yield* sim.FilterUnload(target);
      return 0;
    }, { token: 'S-1-5-18' });
  }
  return filters;
}

type Ctx = ContextObject<Record<string, unknown>>;

/** One filter's callbacks; every choice is drawn from `r` when the callback runs. */
function contextFilter(r: Random): FLT_REGISTRATION {
  const pool = (): number => (r.nextInt(2) === 0 ? PagedPool : NonPagedPool);
  const setNew = function* (objects: FLT_RELATED_OBJECTS, type: number, set: (c: Ctx, op: number, old: PFLT_CONTEXT_OUT | null) => Blocking<number>): Blocking<void> {
    const { context } = FltAllocateContext(objects.Filter, type, 8, type === FLT_VOLUME_CONTEXT ? NonPagedPool : pool());
    if (context === null) return;
    const op = r.nextInt(2) === 0 ? FLT_SET_CONTEXT_KEEP_IF_EXISTS : FLT_SET_CONTEXT_REPLACE_IF_EXISTS;
    const old: PFLT_CONTEXT_OUT | null = r.nextInt(2) === 0 ? { value: null } : null;
    yield* set(context, op, old);
    FltReleaseContext(context);
    if (old?.value != null) FltReleaseContext(old.value);
  };
  /** Use the contexts of an operation, perhaps holding them across a wait (a scheduling point). */
  const useContexts = function* (objects: FLT_RELATED_OBJECTS): Blocking<void> {
    const held: Ctx[] = [];
    if (r.nextInt(2) === 0) {
      const all = FltGetContexts(objects, FLT_ALL_CONTEXTS);
      if (r.nextInt(2) === 0) yield* sleep(r.nextInt(3));
      FltReleaseContexts(all);
      return;
    }
    for (const got of [
      yield* FltGetStreamContext(objects.Instance, objects.FileObject!),
      yield* FltGetStreamHandleContext(objects.Instance, objects.FileObject!),
      yield* FltGetInstanceContext(objects.Instance),
    ]) {
      if (got.context !== null) held.push(got.context);
    }
    if (r.nextInt(2) === 0) yield* sleep(r.nextInt(3));
    for (const c of held) FltReleaseContext(c);
  };
  const cleanup = (c: Ctx): void => {
    // The filter frees what its context points to: here, a field it set.
    delete c.Data['owner'];
  };
  return {
    ContextRegistration: [FLT_VOLUME_CONTEXT, FLT_INSTANCE_CONTEXT, FLT_STREAM_CONTEXT, FLT_STREAMHANDLE_CONTEXT].map((ContextType) => ({
      ContextType,
      Size: 8,
      PoolTag: 0x78744352,
      ContextCleanupCallback: cleanup,
    })),
    InstanceSetupCallback: function* (objects) {
      yield* setNew(objects, FLT_INSTANCE_CONTEXT, (c, op, old) => FltSetInstanceContext(objects.Instance, op, c, old));
      if (r.nextInt(2) === 0) yield* setNew(objects, FLT_VOLUME_CONTEXT, (c, op, old) => FltSetVolumeContext(objects.Volume, op, c, old));
      return STATUS_SUCCESS;
    },
    InstanceQueryTeardownCallback: () => STATUS_SUCCESS,
    InstanceTeardownStartCallback: function* (objects) {
      const got = yield* FltGetInstanceContext(objects.Instance);
      if (got.context !== null) FltReleaseContext(got.context);
    },
    OperationRegistration: [
      {
        MajorFunction: IRP_MJ_CREATE,
        PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
        PostOperation: function* (Data, objects) {
          if (!NT_SUCCESS(Data.IoStatus.Status) || objects.FileObject === null) return FLT_POSTOP_FINISHED_PROCESSING;
          const fo = objects.FileObject;
          yield* setNew(objects, FLT_STREAM_CONTEXT, (c, op, old) => FltSetStreamContext(objects.Instance, fo, op, c, old));
          if (r.nextInt(2) === 0) yield* setNew(objects, FLT_STREAMHANDLE_CONTEXT, (c, op, old) => FltSetStreamHandleContext(objects.Instance, fo, op, c, old));
          if (r.nextInt(5) === 0) {
            const old: PFLT_CONTEXT_OUT = { value: null };
            if ((yield* FltDeleteStreamContext(objects.Instance, fo, r.nextInt(2) === 0 ? old : null)) === STATUS_SUCCESS && old.value !== null) FltReleaseContext(old.value);
          }
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      },
      ...[IRP_MJ_READ, IRP_MJ_WRITE].map((MajorFunction) => ({
        MajorFunction,
        PreOperation: function* (_Data: unknown, objects: FLT_RELATED_OBJECTS) {
          yield* useContexts(objects);
          return FLT_PREOP_SUCCESS_NO_CALLBACK;
        },
      })),
    ],
  };
}
