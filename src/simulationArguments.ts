/**
 * The arguments of the simulation's own methods (sim.mountVolume, sim.loadDriver, sim.spawn, …),
 * checked before they reach the model: each is a UsageError BAD_ARGUMENT naming the method and the
 * field (kernel/arguments.ts), never a TypeError from the Filter Manager reading a spec later.
 */
import {
  booleanArgument,
  functionArgument,
  integerArgument,
  oneOfArgument,
  optionalRecordArgument,
  optionalStringArgument,
  recordArgument,
  stringArgument,
  ulongArgument,
} from './kernel/arguments.js';
import type { InstancesKey } from './fltmgr/registration.js';
import type { LegacyFilterSpec, VolumeSpec } from './fltmgr/volumeObject.js';

const optional = <T>(value: unknown, check: (v: unknown) => T): T | undefined => (value === undefined ? undefined : check(value));

export function volumeSpecArgument(routine: string, value: unknown): VolumeSpec {
  const spec = recordArgument<VolumeSpec>(routine, 'spec', value);
  stringArgument(routine, 'spec.name', spec.name);
  optional(spec.dosName, (v) => stringArgument(routine, 'spec.dosName', v));
  optional(spec.fsType, (v) => oneOfArgument(routine, 'spec.fsType', v, ['NTFS', 'FAT', 'ReFS'] as const));
  optional(spec.readOnly, (v) => booleanArgument(routine, 'spec.readOnly', v));
  optional(spec.deviceType, (v) => oneOfArgument(routine, 'spec.deviceType', v, ['FILE_DEVICE_DISK_FILE_SYSTEM', 'FILE_DEVICE_NETWORK_FILE_SYSTEM', 'FILE_DEVICE_CD_ROM_FILE_SYSTEM'] as const));
  optional(spec.sectorSize, (v) => integerArgument(routine, 'spec.sectorSize', v, 1, 65536, 'a sector size in bytes (1 to 65536)'));
  optional(spec.shortNames, (v) => booleanArgument(routine, 'spec.shortNames', v));
  return spec;
}

/** The registry Instances key: DefaultInstance a string, each instance an Altitude string and optional ULONG Flags (a malformed altitude is FltRegisterFilter's STATUS_INVALID_PARAMETER). */
export function instancesKeyArgument(routine: string, value: unknown): InstancesKey | null {
  const key = optionalRecordArgument<InstancesKey>(routine, 'spec.instances', value);
  if (key === null) return null;
  stringArgument(routine, 'instances.DefaultInstance', key.DefaultInstance);
  const instances = recordArgument<Record<string, unknown>>(routine, 'instances.Instances', key.Instances);
  for (const name of Object.keys(instances)) {
    const entry = instances[name];
    // Named only when wrong: the name for messages was built for every entry of every load (every filter of every explored schedule).
    if (wellFormedInstance(entry)) continue;
    const at = `instances.Instances[${JSON.stringify(name)}]`;
    const e = recordArgument<{ Altitude: unknown; Flags?: unknown }>(routine, at, entry);
    stringArgument(routine, `${at}.Altitude`, e.Altitude);
    optional(e.Flags, (v) => ulongArgument(routine, `${at}.Flags`, v));
  }
  return key;
}

/** What instancesKeyArgument's checks accept of an entry, asked without building a message: a record with a string Altitude and no Flags or ULONG Flags. */
function wellFormedInstance(entry: unknown): boolean {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return false;
  const { Altitude, Flags } = entry as { Altitude?: unknown; Flags?: unknown };
  return typeof Altitude === 'string' && (Flags === undefined || (typeof Flags === 'number' && Number.isInteger(Flags) && Flags >= 0 && Flags <= 0xffffffff));
}

export function legacySpecArgument(routine: string, value: unknown): LegacyFilterSpec {
  const spec = recordArgument<LegacyFilterSpec>(routine, 'spec', value);
  stringArgument(routine, 'spec.name', spec.name);
  integerArgument(routine, 'spec.aboveFrame', spec.aboveFrame, -1, Number.MAX_SAFE_INTEGER, 'a frame index (from -1)');
  functionArgument(routine, 'spec.onIrp', spec.onIrp, true);
  return spec;
}

/** `{ token?, process? }` of sim.spawn / sim.createProcess: a SID string (the process is checked by spawn itself). */
export function threadOptionsArgument(routine: string, value: unknown): { readonly token?: string; readonly process?: unknown } {
  const options = optionalRecordArgument<{ token?: unknown; process?: unknown }>(routine, 'options', value) ?? {};
  optional(options.token, (v) => stringArgument(routine, 'options.token', v));
  return options as { readonly token?: string; readonly process?: unknown };
}

export { functionArgument, optionalStringArgument, stringArgument };
