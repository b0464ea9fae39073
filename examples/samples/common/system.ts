/**
 * What the sample scenarios share: the machine they run on (one NTFS volume C: with a few files),
 * scenario arguments read the way the samples read their registry parameters, and the two
 * workload threads every port is explored against: applications doing ordinary I/O, and `fltmc`
 * unloading the filter once DriverEntry has returned.
 */
import {
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_OPEN_IF,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  SYSTEM_SID,
  sleep,
  UsageError,
  type Blocking,
  type NTSTATUS,
  type ScenarioArgs,
  type Simulation,
  type ThreadHandle,
  type VolumeSpec,
} from '../../../src/index.js';

export const VOLUME = '\\Device\\HarddiskVolume1';

/** Mount C: (NTFS unless `volume` says otherwise) and seed `files` (path → contents). */
export function machine(sim: Simulation, files: Readonly<Record<string, string>>, volume: Omit<VolumeSpec, 'name' | 'dosName'> = {}): void {
  sim.mountVolume({ name: VOLUME, dosName: 'C:', ...volume });
  for (const [path, contents] of Object.entries(files)) sim.fileSystem('C:').writeFile(path, contents);
}

/** An integer scenario argument (a registry DWORD) with its default. */
export function dwordArg(args: ScenarioArgs, name: string, fallback: number, min = 0): number {
  const v = args[name];
  if (v === undefined || v === null) return fallback;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError('BAD_SCENARIO_ARGUMENT', `scenario argument ${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** A yes/no scenario argument: absent → fallback; 'yes'/'no', 'true'/'false', '1'/'0' or a boolean. */
export function flagArg(args: ScenarioArgs, name: string, fallback: boolean): boolean {
  const v = args[name];
  if (v === undefined || v === null) return fallback;
  if (v === true || v === 'yes' || v === 'true' || v === '1' || v === 1) return true;
  if (v === false || v === 'no' || v === 'false' || v === '0' || v === 0) return false;
  throw new UsageError('BAD_SCENARIO_ARGUMENT', `scenario argument ${name} must be yes or no, got ${JSON.stringify(v)}`);
}

/** The usual open of an application: read and write, shared, synchronous. */
export function* openForWrite(sim: Simulation, path: string, CreateOptions = 0): Blocking<string | null> {
  const r = yield* sim.io.NtCreateFile(path, {
    DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE,
    ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE,
    CreateDisposition: FILE_OPEN_IF,
    CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT | CreateOptions,
  });
  return r.handle;
}

/**
 * `fltmc unload <name>` once DriverEntry has returned (an unload before FltStartFiltering is
 * refused with STATUS_FLT_FILTER_NOT_READY), after `delay` ticks.
 */
export function unloadAfter(sim: Simulation, entry: ThreadHandle, name: string, delay: number): ThreadHandle {
  return sim.spawn(`fltmc unload ${name}`, function* (): Blocking<NTSTATUS> {
    yield* sim.join(entry);
    yield* sleep(delay);
    return yield* sim.FilterUnload(name);
  }, { token: SYSTEM_SID });
}
