/**
 * Host inputs as recorded calls (docs/embedding.md, "Host inputs"). Whatever a host does to the
 * simulation between steps — start an application's I/O, mount a volume, stop a service, or
 * anything its scenario defines — is an action: a name and a JSON argument. `sim.act(name, args)`
 * performs it and the drive record keeps `{ act, args }` at the step where it happened, so a
 * restore performs it again at the same point and save → restore → continue is exact.
 *
 * Closures cannot be saved, so the code of an action lives where a restore finds it again: the
 * built-in actions below, or the registered scenario's `actions`.
 */
import { UsageError } from '../kernel/errors.js';
import type { Blocking } from '../kernel/effects.js';
import type { VolumeObject, VolumeSpec } from '../fltmgr/volumeObject.js';
import type { JsonValue } from '../kernel/jsonValue.js';
import type { Simulation } from '../simulation.js';
import { FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_OPEN_IF, FILE_SYNCHRONOUS_IO_NONALERT } from '../wdk/createConstants.js';

/** A host input: performed on `sim` with the JSON `args` it was recorded with. */
export type HostActionFunction = (sim: Simulation, args: JsonValue) => void;

/**
 * One application I/O of `fltsim.applicationIo`, applied to the file the sequence opened:
 * `create` opens (FILE_OPEN_IF, read and write access) and must come first.
 */
export type ApplicationIoStep =
  | { readonly op: 'create'; readonly path: string }
  | { readonly op: 'read'; readonly length: number; readonly offset?: number }
  | { readonly op: 'write'; readonly data: string; readonly offset?: number }
  | { readonly op: 'close' };

function bad(action: string, message: string): UsageError {
  return new UsageError('BAD_ACTION_ARGUMENT', `action ${action}: ${message}`);
}

function objectArg(action: string, args: JsonValue): { readonly [key: string]: JsonValue } {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) throw bad(action, 'needs an object argument');
  return args as { readonly [key: string]: JsonValue };
}

function stringField(action: string, args: { readonly [key: string]: JsonValue }, name: string): string {
  const v = args[name];
  if (typeof v !== 'string' || v.length === 0) throw bad(action, `${name} must be a non-empty string`);
  return v;
}

function ioSteps(args: { readonly [key: string]: JsonValue }): ApplicationIoStep[] {
  const ops = args['ops'];
  if (!Array.isArray(ops) || ops.length === 0) throw bad('fltsim.applicationIo', 'ops must be a non-empty array');
  return ops.map((raw: JsonValue, i: number): ApplicationIoStep => {
    const o = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as { readonly [key: string]: JsonValue }) : {};
    const where = `ops[${i}]`;
    const offset = o['offset'];
    if (offset !== undefined && (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0)) throw bad('fltsim.applicationIo', `${where}.offset must be a whole number`);
    switch (o['op']) {
      case 'create':
        if (i !== 0) throw bad('fltsim.applicationIo', `${where}: create must be the first op`);
        return { op: 'create', path: stringField('fltsim.applicationIo', o, 'path') };
      case 'read': {
        const length = o['length'];
        if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0 || length > 1 << 20) throw bad('fltsim.applicationIo', `${where}.length must be a whole number up to 1 MiB`);
        return offset === undefined ? { op: 'read', length } : { op: 'read', length, offset };
      }
      case 'write': {
        const data = o['data'];
        if (typeof data !== 'string') throw bad('fltsim.applicationIo', `${where}.data must be a string`);
        return offset === undefined ? { op: 'write', data } : { op: 'write', data, offset };
      }
      case 'close':
        return { op: 'close' };
      default:
        throw bad('fltsim.applicationIo', `${where}.op must be create, read, write or close`);
    }
  });
}

/** The volume an action's `{ volume }` names (its device or DOS name), or UNKNOWN_VOLUME. */
function namedVolume(sim: Simulation, action: string, args: JsonValue): VolumeObject {
  const name = stringField(action, objectArg(action, args), 'volume');
  const volume = sim.volume(name);
  if (volume === undefined) throw new UsageError('UNKNOWN_VOLUME', `action ${action}: no mounted volume named '${name}'`);
  return volume;
}

/** fltsim.applicationIo's thread: the steps in order, stopping at a failed create (a module-level generator, not a generator expression: docs/exploration.md, "Memory"). */
function* applicationIo(sim: Simulation, steps: readonly ApplicationIoStep[]): Blocking<unknown> {
  let handle: string | null = null;
  for (const step of steps) {
    if (step.op === 'create') {
      const r = yield* sim.io.NtCreateFile(step.path, {
        DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE,
        CreateDisposition: FILE_OPEN_IF,
        CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT,
      });
      handle = r.handle;
      if (handle === null) return r.status;
    } else if (handle === null) {
      break;
    } else if (step.op === 'read') {
      yield* sim.io.NtReadFile(handle, step.length, step.offset);
    } else if (step.op === 'write') {
      yield* sim.io.NtWriteFile(handle, step.data, step.offset);
    } else {
      yield* sim.io.NtClose(handle);
      handle = null;
    }
  }
  return 0;
}

/**
 * The actions every simulation knows:
 * - `fltsim.applicationIo` `{ name?, ops: ApplicationIoStep[] }`: an application thread opens a
 *   file and issues the ops in order (synchronous I/O, one handle); the sequence starts with create.
 * - `fltsim.completeRequest` `{ id, at?, status?, information? }`: complete a request held for the
 *   host (`fileSystemCompletion: 'host'`), at a tick, with a fault status, or cut short.
 * - `fltsim.mountVolume` `VolumeSpec`: mount a volume now.
 * - `fltsim.dismountVolume` `{ volume }`: start dismounting the named volume.
 * - `fltsim.ejectVolume` `{ volume }`: the PnP manager ejects the named volume (query-remove, then remove or cancel).
 * - `fltsim.surpriseRemoveVolume` `{ volume }`: the named volume's device goes without warning.
 * - `fltsim.shutdownSystem` `null`: IRP_MJ_SHUTDOWN to every mounted volume.
 * - `fltsim.serviceStop` `{ filter }`: a mandatory unload (`sc stop`) on a new thread.
 * - `fltsim.filterUnload` `{ filter }`: a non-mandatory unload (`fltmc unload`) on a new thread.
 */
export const BUILT_IN_ACTIONS: Readonly<Record<string, HostActionFunction>> = {
  'fltsim.applicationIo'(sim, args) {
    const o = objectArg('fltsim.applicationIo', args);
    const steps = ioSteps(o);
    if (steps[0]!.op !== 'create') throw bad('fltsim.applicationIo', 'ops[0] must be create');
    const name = typeof o['name'] === 'string' ? o['name'] : 'application I/O';
    sim.spawn(name, () => applicationIo(sim, steps));
  },
  'fltsim.completeRequest'(sim, args) {
    const o = objectArg('fltsim.completeRequest', args);
    const id = stringField('fltsim.completeRequest', o, 'id');
    const completion: { at?: number; status?: number; information?: number } = {};
    for (const key of ['at', 'status', 'information'] as const) {
      const v = o[key];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number') throw bad('fltsim.completeRequest', `${key} must be a number`);
      completion[key] = v;
    }
    sim.completeHeldRequest(id, completion);
  },
  'fltsim.mountVolume'(sim, args) {
    const o = objectArg('fltsim.mountVolume', args);
    stringField('fltsim.mountVolume', o, 'name');
    sim.mountVolume(o as unknown as VolumeSpec);
  },
  'fltsim.dismountVolume'(sim, args) {
    const name = stringField('fltsim.dismountVolume', objectArg('fltsim.dismountVolume', args), 'volume');
    const volume = sim.volume(name);
    if (volume === undefined) throw new UsageError('UNKNOWN_VOLUME', `action fltsim.dismountVolume: no mounted volume named '${name}'`);
    sim.dismountVolume(volume);
  },
  'fltsim.ejectVolume'(sim, args) {
    sim.ejectVolume(namedVolume(sim, 'fltsim.ejectVolume', args));
  },
  'fltsim.surpriseRemoveVolume'(sim, args) {
    sim.surpriseRemoveVolume(namedVolume(sim, 'fltsim.surpriseRemoveVolume', args));
  },
  'fltsim.shutdownSystem'(sim) {
    sim.shutdownSystem();
  },
  'fltsim.serviceStop'(sim, args) {
    const filter = stringField('fltsim.serviceStop', objectArg('fltsim.serviceStop', args), 'filter');
    sim.spawn(`sc stop ${filter}`, () => sim.ServiceStop(filter));
  },
  'fltsim.filterUnload'(sim, args) {
    const filter = stringField('fltsim.filterUnload', objectArg('fltsim.filterUnload', args), 'filter');
    sim.spawn(`fltmc unload ${filter}`, () => sim.FilterUnload(filter));
  },
};
