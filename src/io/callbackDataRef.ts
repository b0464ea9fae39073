/**
 * Which callback data a routine was handed. Filters pass `Data` back into Flt routines; it is either
 * the operation's own FLT_CALLBACK_DATA (one object for the whole operation, §7), or the copy a
 * draining post-operation received at instance teardown (§4, §14 invariant 20). The copy must stay
 * linked to its operation: every routine that takes `Data` answers a draining copy as Windows does
 * (a status, or a verifier rule), never with an error of ours.
 */
import { UsageError } from '../kernel/errors.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import { operationOf, type FLT_CALLBACK_DATA, type IoOperation } from './ioOperation.js';

const DRAINING_COPY = Symbol('fltsim.drainingCopy');

interface DrainingLink {
  readonly op: IoOperation;
  readonly instance: InstanceObject;
}

/** Link the copy a draining post-op receives to its operation and the instance being torn down. */
export function markDrainingCopy(copy: FLT_CALLBACK_DATA, op: IoOperation, instance: InstanceObject): void {
  const link: DrainingLink = { op, instance };
  Object.defineProperty(copy, DRAINING_COPY, { value: link, enumerable: false });
}

export type CallbackDataRef =
  | { readonly kind: 'operation'; readonly op: IoOperation }
  | { readonly kind: 'drainingCopy'; readonly op: IoOperation; readonly instance: InstanceObject };

/**
 * The operation `Data` belongs to, a draining copy's included; null for anything a simulation did
 * not hand out. For routines that only read the operation (its requestor, its ECP list, its file's
 * name), which answer a draining copy as they answer the operation's own data.
 */
export function operationOfData(Data: FLT_CALLBACK_DATA): IoOperation | null {
  if (Data === null || typeof Data !== 'object') return null;
  const link = (Data as unknown as Record<symbol, DrainingLink | undefined>)[DRAINING_COPY];
  return link !== undefined ? link.op : operationOf(Data);
}

/**
 * Resolve `Data` for `routine`. Data that no simulation handed out is a UsageError (there is no
 * simulation to log it in); a draining copy comes back as such, for the routine to refuse.
 */
export function callbackDataRef(Data: FLT_CALLBACK_DATA, routine: string): CallbackDataRef {
  if (typeof Data !== 'object' || Data === null) throw new UsageError('NOT_CALLBACK_DATA', `${routine}: Data is ${Data === null ? 'NULL' : typeof Data}, not callback data a simulation handed out`);
  const link = (Data as unknown as Record<symbol, DrainingLink | undefined>)[DRAINING_COPY];
  if (link !== undefined) return { kind: 'drainingCopy', op: link.op, instance: link.instance };
  const op = operationOf(Data);
  if (op === null) throw new UsageError('NOT_CALLBACK_DATA', `${routine}: Data is not callback data a simulation handed out (use the Data a callback received, or FltAllocateCallbackData)`);
  return { kind: 'operation', op };
}
