/**
 * FltRegisterFilter's FLT_REGISTRATION, checked for what only a TypeScript caller can get wrong
 * before the routine's own checks (version, name provider, context registration, instances key:
 * STATUS_INVALID_PARAMETER and friends, as Windows answers): every field of its type, every
 * callback a function, every table an array of entries. A wrong one is a UsageError BAD_ARGUMENT
 * naming the field, never a TypeError when FltMgr later reads it.
 */
import { arrayArgument, functionArgument, integerArgument, recordArgument, ulongArgument } from '../kernel/arguments.js';
import type { FLT_REGISTRATION } from './registration.js';

const ROUTINE = 'FltRegisterFilter';

const CALLBACKS = [
  'FilterUnloadCallback',
  'InstanceSetupCallback',
  'InstanceQueryTeardownCallback',
  'InstanceTeardownStartCallback',
  'InstanceTeardownCompleteCallback',
] as const;

const optional = <T>(value: unknown, check: (v: unknown) => T): T | undefined => (value === undefined ? undefined : check(value));

/** The tables' longest length: more entries than IRP_MJ codes (or context types) times a handful is a mistake, not a registration. */
const MAX_ENTRIES = 4096;

export function registrationArgument(value: unknown): FLT_REGISTRATION {
  const r = recordArgument<Record<string, unknown>>(ROUTINE, 'Registration', value);
  optional(r['Version'], (v) => ulongArgument(ROUTINE, 'Registration.Version', v));
  optional(r['Flags'], (v) => ulongArgument(ROUTINE, 'Registration.Flags', v));
  for (const name of CALLBACKS) functionArgument(ROUTINE, `Registration.${name}`, r[name], true);
  optional(r['OperationRegistration'], (v) =>
    arrayArgument(ROUTINE, 'Registration.OperationRegistration', v, MAX_ENTRIES, (entry, i) => {
      const e = recordArgument<Record<string, unknown>>(ROUTINE, `OperationRegistration[${i}]`, entry);
      integerArgument(ROUTINE, `OperationRegistration[${i}].MajorFunction`, e['MajorFunction'], 0, 0xff, 'an IRP_MJ_* code (a UCHAR)');
      optional(e['Flags'], (f) => ulongArgument(ROUTINE, `OperationRegistration[${i}].Flags`, f));
      functionArgument(ROUTINE, `OperationRegistration[${i}].PreOperation`, e['PreOperation'], true);
      functionArgument(ROUTINE, `OperationRegistration[${i}].PostOperation`, e['PostOperation'], true);
      return e;
    }),
  );
  optional(r['ContextRegistration'], (v) =>
    arrayArgument(ROUTINE, 'Registration.ContextRegistration', v, MAX_ENTRIES, (entry, i) => {
      const e = recordArgument<Record<string, unknown>>(ROUTINE, `ContextRegistration[${i}]`, entry);
      integerArgument(ROUTINE, `ContextRegistration[${i}].ContextType`, e['ContextType'], 0, 0xffff, 'an FLT_*_CONTEXT type (a USHORT)');
      optional(e['Size'], (s) => integerArgument(ROUTINE, `ContextRegistration[${i}].Size`, s, -1, Number.MAX_SAFE_INTEGER, 'a SIZE_T or FLT_VARIABLE_SIZED_CONTEXTS'));
      optional(e['PoolTag'], (t) => ulongArgument(ROUTINE, `ContextRegistration[${i}].PoolTag`, t));
      optional(e['Flags'], (f) => ulongArgument(ROUTINE, `ContextRegistration[${i}].Flags`, f));
      for (const name of ['ContextCleanupCallback', 'ContextAllocateCallback', 'ContextFreeCallback']) functionArgument(ROUTINE, `ContextRegistration[${i}].${name}`, e[name], true);
      return e;
    }),
  );
  return r as FLT_REGISTRATION;
}
