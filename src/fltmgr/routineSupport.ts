/** Small pieces every routine file uses: failure facts, callback-result checks, thread checks. */
import { checkIrql } from '../sync/irql.js';
import { UsageError } from '../kernel/errors.js';
import type { SimThread } from '../kernel/thread.js';
import { ntStatusName, type NTSTATUS } from '../wdk/ntstatus.js';
import type { FilterManager, FltObject } from './filterManager.js';
import type { FilterObject } from './filterObject.js';

/** Record that a routine failed with `status` and return it (modelled failures are NTSTATUS values). */
export function fail(fltMgr: FilterManager, object: FltObject | string, routine: string, status: NTSTATUS, detail: string): NTSTATUS {
  fltMgr.emit(object, { type: 'RoutineFailed', routine, status, detail });
  return status;
}

/** A callback's NTSTATUS result must be a 32-bit number; anything else is a bug in the simulated filter. */
export function checkStatusResult(fltMgr: FilterManager, filter: FilterObject, callback: string, value: unknown): NTSTATUS {
  if (typeof value === 'number' && Number.isInteger(value) && value >= -0x80000000 && value <= 0xffffffff) return value >>> 0;
  throw fltMgr.kernel.violation(
    'CALLBACK_RETURN_INVALID',
    filter.id,
    `${callback} of filter ${filter.name} returned ${describe(value)}, not an NTSTATUS`,
  );
}

/** A callback result that is not an NTSTATUS (FLT_PREOP_* / FLT_POSTOP_*), for error messages. */
export function describeResult(value: unknown): string {
  return typeof value === 'number' ? String(value) : describe(value);
}

export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return ntStatusName(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Blocking routines run on a simulated thread; calling one from plain code is a usage error. */
export function requireThread(fltMgr: FilterManager, routine: string): SimThread {
  const t = fltMgr.kernel.current;
  if (t === null) {
    throw new UsageError(
      'NOT_ON_A_THREAD',
      `${routine} blocks, so it must run on a simulated thread: call it with yield* inside DriverEntry, a callback, or sim.spawn()`,
      fltMgr.kernel.place(),
    );
  }
  checkIrql(fltMgr.kernel, t, routine);
  return t;
}

/** Warnings and errors veto (FilterUnloadCallback, InstanceQueryTeardown); success and informational do not. */
export function isVeto(status: NTSTATUS): boolean {
  return status >>> 30 >= 2;
}
