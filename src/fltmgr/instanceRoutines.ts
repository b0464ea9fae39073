/**
 * Attaching and tearing down instances (§3, §4): InstanceSetup, FltAttachVolume[AtAltitude],
 * FltDetachVolume with InstanceQueryTeardown, and the teardown sequence
 * TeardownStart → drain → wait → TeardownComplete.
 */
import { closeDataScanSectionsOf } from './sectionRoutines.js';
import { booleanArgument, optionalStringArgument, stringArgument } from '../kernel/arguments.js';
import { filterArgument, volumeArgument } from './objectArguments.js';
import { preempt, waitFor, type Blocking } from '../kernel/effects.js';
import { normalizeAltitude, parseAltitude } from '../wdk/altitude.js';
import { FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT, FLTFL_INSTANCE_TEARDOWN_MANUAL } from '../wdk/fltConstants.js';
import {
  NT_SUCCESS,
  STATUS_FLT_DELETING_OBJECT,
  STATUS_FLT_DO_NOT_DETACH,
  STATUS_FLT_FILTER_NOT_READY,
  STATUS_FLT_INSTANCE_ALTITUDE_COLLISION,
  STATUS_FLT_INSTANCE_NAME_COLLISION,
  STATUS_FLT_INSTANCE_NOT_FOUND,
  STATUS_INVALID_PARAMETER,
  STATUS_OBJECT_NAME_COLLISION,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_SUCCESS,
  type NTSTATUS,
} from '../wdk/ntstatus.js';
import type { FilterManager } from './filterManager.js';
import type { FilterObject } from './filterObject.js';
import { waitForRundown } from './gates.js';
import type { InstanceObject } from './instanceObject.js';
import { drainPostOperations, hasWaitingPostOperation } from '../io/drain.js';
import { swappedOperationsOf } from '../io/buffers.js';
import { freeIfUnreferenced, referenceObject } from './references.js';
import { isDrained } from '../streams/outstanding.js';
import { ignoreReferences } from './rundown.js';
import { checkStatusResult, fail, isVeto, requireThread } from './routineSupport.js';
import type { VolumeObject } from './volumeObject.js';

export interface AttachResult {
  readonly status: NTSTATUS;
  /** Present on success when the caller asked for it; referenced (release with FltObjectDereference). */
  readonly instance: InstanceObject | null;
}

/** Why an attach cannot start, or null if it can. Altitude collisions are reported per routine (§13 A10). */
function attachRefusal(
  fltMgr: FilterManager,
  routine: string,
  filter: FilterObject,
  volume: VolumeObject,
  name: string,
  altitude: string,
  altitudeCollision: NTSTATUS,
): NTSTATUS | null {
  if (filter.state === 'Registered') return fail(fltMgr, filter, routine, STATUS_FLT_FILTER_NOT_READY, `${filter.name} has not called FltStartFiltering`);
  if (filter.state !== 'Filtering') return fail(fltMgr, filter, routine, STATUS_FLT_DELETING_OBJECT, `${filter.name} is unloading`);
  if (volume.state !== 'Mounted') return fail(fltMgr, filter, routine, STATUS_FLT_DELETING_OBJECT, `${volume} is ${volume.state}`);
  const holder = volume.holderOf(altitude, name.toLowerCase());
  if (holder === null) return null;
  if (holder.by === 'altitude') return fail(fltMgr, filter, routine, altitudeCollision, `altitude ${altitude} on ${volume} is taken by ${holder.instance}`);
  return fail(fltMgr, filter, routine, STATUS_FLT_INSTANCE_NAME_COLLISION, `instance name '${name}' on ${volume} is taken by ${holder.instance}`);
}

/**
 * Create an instance and run InstanceSetup (§3). Success links it into the volume; a warning or error
 * from the callback declines it. Returns the callback's status (STATUS_SUCCESS without a callback).
 */
export function* setupInstance(
  fltMgr: FilterManager,
  filter: FilterObject,
  volume: VolumeObject,
  name: string,
  altitude: string,
  flags: number,
): Blocking<{ status: NTSTATUS; instance: InstanceObject }> {
  const instance = fltMgr.createInstance(filter, volume, name, altitude, flags);
  const callback = filter.registration.InstanceSetupCallback;
  let status: NTSTATUS = STATUS_SUCCESS;
  if (callback !== undefined) {
    const objects = fltMgr.relatedObjects(instance);
    const result: unknown = yield* fltMgr.invoke(filter, () => callback(objects, flags, volume.deviceType, volume.fsType));
    status = checkStatusResult(fltMgr, filter, 'InstanceSetupCallback', result);
  }
  fltMgr.emitFact({ seq: 0, time: 0, object: instance.id, type: 'InstanceSetupReturned', status }, instance);
  if (!NT_SUCCESS(status)) declineInstance(fltMgr, instance);
  return { status, instance };
}

/**
 * A declined setup (§3: any warning or error → not attached): FltMgr frees the instance it built for
 * the call, so it never joins the volume's list or the filter's (no FltEnumerateInstances, no
 * `fltmc instances` shows it), and an instance context set during setup goes with it (§15.8). The
 * machine's Declined is final; the state views drop the instance at this fact, as the fold does.
 */
function declineInstance(fltMgr: FilterManager, instance: InstanceObject): void {
  fltMgr.unlinkInstance(instance);
  const at = instance.filter.instances.indexOf(instance);
  if (at >= 0) instance.filter.instances.splice(at, 1);
  fltMgr.contexts.instanceFreed(instance);
}

/** Attach `filter` to `volume` as the named registry instance, or as a new instance at `altitude`. */
export function* attachInstance(
  fltMgr: FilterManager,
  routine: string,
  filter: FilterObject,
  volume: VolumeObject,
  instanceName: string | null,
  altitudeText: string | null,
  flags: number,
  wantInstance: boolean,
): Blocking<AttachResult> {
  requireThread(fltMgr, routine);
  yield* preempt();
  let name: string;
  let altitude: string;
  let collision: NTSTATUS;
  if (altitudeText === null) {
    name = instanceName ?? filter.registry.DefaultInstance;
    const key = Object.entries(filter.registry.Instances).find(([n]) => n.toLowerCase() === name.toLowerCase());
    if (key === undefined) {
      return { status: fail(fltMgr, filter, routine, STATUS_OBJECT_NAME_NOT_FOUND, `no registry instance '${name}'`), instance: null };
    }
    altitude = normalizeAltitude(key[1].Altitude);
    collision = STATUS_OBJECT_NAME_COLLISION;
  } else {
    if (parseAltitude(altitudeText) === null) {
      return { status: fail(fltMgr, filter, routine, STATUS_INVALID_PARAMETER, `'${altitudeText}' is not an altitude`), instance: null };
    }
    altitude = normalizeAltitude(altitudeText);
    // Windows generates a name when none is given; ours says what it is.
    name = instanceName ?? `${filter.name} Instance ${altitude}`;
    collision = STATUS_FLT_INSTANCE_ALTITUDE_COLLISION;
  }
  const refused = attachRefusal(fltMgr, routine, filter, volume, name, altitude, collision);
  if (refused !== null) return { status: refused, instance: null };
  const { status, instance } = yield* setupInstance(fltMgr, filter, volume, name, altitude, flags);
  if (!NT_SUCCESS(status)) {
    // A declined automatic attachment is an outcome the InstanceSetupReturned fact already shows.
    return { status: routine === 'AutomaticAttach' ? status : fail(fltMgr, filter, routine, status, 'InstanceSetup declined'), instance: null };
  }
  if (!wantInstance) return { status, instance: null };
  const refStatus = referenceObject(fltMgr, instance);
  return NT_SUCCESS(refStatus) ? { status, instance } : { status: refStatus, instance: null };
}

function attachArguments(routine: string, Filter: unknown, Volume: unknown, InstanceName: unknown, RetInstance: unknown): void {
  filterArgument(routine, Filter);
  volumeArgument(routine, Volume);
  optionalStringArgument(routine, 'InstanceName', InstanceName);
  booleanArgument(routine, 'RetInstance', RetInstance);
}

/**
 * FltAttachVolume(Filter, Volume, InstanceName, RetInstance): attach as a registry instance
 * (NULL name → DefaultInstance). With `RetInstance` true the instance comes back referenced.
 */
export function FltAttachVolume(
  Filter: FilterObject,
  Volume: VolumeObject,
  InstanceName: string | null = null,
  RetInstance = false,
): Blocking<AttachResult> {
  attachArguments('FltAttachVolume', Filter, Volume, InstanceName, RetInstance);
  return attachInstance(Filter.fltMgr, 'FltAttachVolume', Filter, Volume, InstanceName, null, FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT, RetInstance);
}

/** FltAttachVolumeAtAltitude(Filter, Volume, Altitude, InstanceName, RetInstance). */
export function FltAttachVolumeAtAltitude(
  Filter: FilterObject,
  Volume: VolumeObject,
  Altitude: string,
  InstanceName: string | null = null,
  RetInstance = false,
): Blocking<AttachResult> {
  attachArguments('FltAttachVolumeAtAltitude', Filter, Volume, InstanceName, RetInstance);
  stringArgument('FltAttachVolumeAtAltitude', 'Altitude', Altitude);
  return attachInstance(Filter.fltMgr, 'FltAttachVolumeAtAltitude', Filter, Volume, InstanceName, Altitude, FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT, RetInstance);
}

/**
 * The teardown sequence of §4 for an instance this thread owns (state Attached or TeardownApproved).
 * New operations stop reaching the instance at TeardownStart; TeardownComplete waits until the
 * instance's pended operations and generated I/O have drained.
 */
export function* teardownInstance(fltMgr: FilterManager, instance: InstanceObject, reason: number): Blocking<void> {
  yield* startTeardown(fltMgr, instance, reason);
  yield* completeTeardown(fltMgr, instance, reason);
}

/** §4 step 2: TeardownStart; from here the instance gets no callbacks for new operations. */
function* startTeardown(fltMgr: FilterManager, instance: InstanceObject, reason: number): Blocking<void> {
  const { filter } = instance;
  fltMgr.emitFact({ seq: 0, time: 0, object: instance.id, type: 'InstanceTeardownStart', reason }, instance);
  const start = filter.registration.InstanceTeardownStartCallback;
  if (start !== undefined) yield* fltMgr.invoke(filter, () => start(fltMgr.relatedObjects(instance), reason));
  fltMgr.emitFact({ seq: 0, time: 0, object: instance.id, type: 'InstanceTeardownStartReturned' }, instance);
}

/** §4 steps 3-6: drain, wait for what the instance owes, TeardownComplete, unlink, free. */
function* completeTeardown(fltMgr: FilterManager, instance: InstanceObject, reason: number): Blocking<void> {
  const { filter } = instance;
  const objects = fltMgr.relatedObjects(instance);
  // Drain, then wait for what the instance owes; a pre-op that was still running at TeardownStart
  // may have asked for a post-op meanwhile, so drain again until nothing is left to drain.
  // References do not hold up TeardownComplete, only freeing (§4 step 6).
  // The gate opening only makes this thread ready: another thread may start a callback on the
  // instance before it runs, so both conditions are checked again when it does.
  for (;;) {
    yield* drainPostOperations(fltMgr, instance);
    // §20.6: an operation whose buffers the instance swapped is cancelled, not drained: wait for it.
    const swapped = swappedOperationsOf(fltMgr, instance)[0];
    if (swapped !== undefined) {
      yield* waitFor(swapped.completed, `${instance.id} teardown waits for ${swapped.id}, whose buffers it swapped (§20.6)`);
      continue;
    }
    yield* waitForRundown(fltMgr, instance, instance.rundown, ignoreReferences, `drain of ${instance.id}`);
    if (!hasWaitingPostOperation(fltMgr, instance) && isDrained(ignoreReferences(instance.rundown.value))) break;
  }
  instance.waitingFor = null;
  fltMgr.emitFact({ seq: 0, time: 0, object: instance.id, type: 'InstanceTeardownComplete', reason }, instance);
  const complete = filter.registration.InstanceTeardownCompleteCallback;
  if (complete !== undefined) yield* fltMgr.invoke(filter, () => complete(objects, reason));
  fltMgr.emitFact({ seq: 0, time: 0, object: instance.id, type: 'InstanceTeardownCompleteReturned' }, instance);
  fltMgr.unlinkInstance(instance);
  // §15.8: the instance's file, stream and stream-handle contexts go with it.
  closeDataScanSectionsOf(fltMgr, instance);
  fltMgr.transactions.instanceTornDown(instance);
  fltMgr.contexts.instanceTornDown(instance);
  if (fltMgr.options.semantics.volumeContextLifetime === 'lastInstance' && !filter.instances.some((i) => i.volume === instance.volume && !i.isGone)) {
    fltMgr.contexts.volumeContextOfFilterEnds(filter, instance.volume);
  }
  freeIfUnreferenced(fltMgr, instance);
}

/**
 * Make sure an instance ends up detached, whoever started its teardown. Unload, dismount and manual
 * detach can race for the same instance: the first to find it Attached tears it down, the others
 * wait for it to finish (or for a setup or veto in progress to resolve) and re-check.
 */
export function* ensureTornDown(fltMgr: FilterManager, instance: InstanceObject, reason: number): Blocking<void> {
  for (;;) {
    switch (instance.state) {
      case 'Attached':
        yield* teardownInstance(fltMgr, instance, reason);
        return;
      case 'Declined':
      case 'Detached':
      case 'Freed':
        return;
      case 'InstanceSetup':
      case 'QueryTeardown':
      case 'TeardownApproved':
      case 'TeardownStart':
      case 'Draining':
      case 'TeardownComplete':
        yield* waitFor(instance.changed, `${instance.id} leaves ${instance.state}`);
        break;
    }
  }
}

/**
 * FltDetachVolume(Filter, Volume, InstanceName): manual detach (§3). NULL name picks the filter's
 * highest instance on the volume. QueryTeardown may veto; without one, manual detach is never
 * allowed (STATUS_FLT_DO_NOT_DETACH, §13 A8).
 */
export function* FltDetachVolume(Filter: FilterObject, Volume: VolumeObject, InstanceName: string | null = null): Blocking<NTSTATUS> {
  filterArgument('FltDetachVolume', Filter);
  volumeArgument('FltDetachVolume', Volume);
  InstanceName = optionalStringArgument('FltDetachVolume', 'InstanceName', InstanceName);
  const fltMgr = Filter.fltMgr;
  const routine = 'FltDetachVolume';
  requireThread(fltMgr, routine);
  yield* preempt();
  const candidates = Volume.instances.filter(
    (i) => i.filter === Filter && (InstanceName === null || i.name.toLowerCase() === InstanceName.toLowerCase()),
  );
  const instance = candidates.find((i) => !i.isGone && i.state !== 'InstanceSetup');
  if (instance === undefined) return fail(fltMgr, Filter, routine, STATUS_FLT_INSTANCE_NOT_FOUND, `no instance '${InstanceName ?? '(highest)'}' on ${Volume}`);
  if (instance.state !== 'Attached') return fail(fltMgr, instance, routine, STATUS_FLT_DELETING_OBJECT, `${instance} is ${instance.state}`);
  const query = Filter.registration.InstanceQueryTeardownCallback;
  if (query === undefined) return fail(fltMgr, instance, routine, STATUS_FLT_DO_NOT_DETACH, `${Filter.name} has no InstanceQueryTeardownCallback`);
  fltMgr.emitFact({ seq: 0, time: 0, object: instance.id, type: 'InstanceQueryTeardown', flags: 0 }, instance);
  const objects = fltMgr.relatedObjects(instance);
  const result: unknown = yield* fltMgr.invoke(Filter, () => query(objects, 0));
  const status = checkStatusResult(fltMgr, Filter, 'InstanceQueryTeardownCallback', result);
  fltMgr.emitFact({ seq: 0, time: 0, object: instance.id, type: 'InstanceQueryTeardownReturned', status }, instance);
  if (isVeto(status)) return fail(fltMgr, instance, routine, status, 'InstanceQueryTeardown vetoed the detach');
  if (fltMgr.kernel.current?.operationCallbacks.some((f) => f.instance === instance.id) === true) {
    // Called from one of the instance's own operation callbacks (MetadataManager detaches in its
    // post-FSCTL after a dismount): this thread holds the instance's rundown protection, so waiting
    // here for the drain would wait on itself. TeardownStart runs now; the drain, the wait and
    // TeardownComplete run on a system worker thread and finish once that callback has returned.
    yield* startTeardown(fltMgr, instance, FLTFL_INSTANCE_TEARDOWN_MANUAL);
    fltMgr.kernel.spawn(`Teardown(${instance.id})`, manualTeardownThread(fltMgr, instance));
    return STATUS_SUCCESS;
  }
  yield* teardownInstance(fltMgr, instance, FLTFL_INSTANCE_TEARDOWN_MANUAL);
  return STATUS_SUCCESS;
}

/** The system worker thread that finishes a manual teardown begun from the instance's own callback (a module-level generator, not a generator expression: docs/exploration.md, "Memory"). */
function* manualTeardownThread(fltMgr: FilterManager, instance: InstanceObject): Blocking<number> {
  yield* completeTeardown(fltMgr, instance, FLTFL_INSTANCE_TEARDOWN_MANUAL);
  return 0;
}
