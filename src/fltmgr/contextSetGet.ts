/**
 * FltSet/Get/Delete{Volume,Instance,File,Stream,StreamHandle,Transaction}Context (§15.4, §15.5, §15.7), one
 * engine for every kind: find where the context hangs (its key), then apply the table of §15.4.
 *
 * Get, set and delete are scheduling points (the routines take FltMgr's per-object context lock, and
 * another thread may run between a filter's get and its set — the race KEEP_IF_EXISTS exists for,
 * §15.4): the caller's arguments and IRQL are checked first, so a call at DISPATCH_LEVEL is the
 * verifier's finding at the call, then the thread may be preempted, then the table is read and
 * changed in one step. FltReferenceContext / FltReleaseContext stay plain calls (any IRQL ≤
 * DISPATCH_LEVEL, they never wait), and so does FltGetContexts' lookup.
 *
 * `OldContext` stays a parameter, `{ value }` as the caller's `&OldContext`: whether the caller
 * passes one changes what REPLACE and the delete routines do with the old context's reference, so
 * it cannot become a field of the result. Every path writes `value` (NULL when there is nothing to
 * return).
 */
import { preempt, type Blocking } from '../kernel/effects.js';
import { UsageError } from '../kernel/errors.js';
import { FileObject } from '../io/fileObject.js';
import {
  contextTypeName,
  FLT_INSTANCE_CONTEXT,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_SET_CONTEXT_REPLACE_IF_EXISTS,
  FLT_STREAM_CONTEXT,
  FLT_STREAMHANDLE_CONTEXT,
} from '../wdk/contextConstants.js';
import {
  STATUS_FLT_CONTEXT_ALREADY_DEFINED,
  STATUS_FLT_CONTEXT_ALREADY_LINKED,
  STATUS_FLT_DELETING_OBJECT,
  STATUS_INVALID_PARAMETER,
  STATUS_NOT_FOUND,
  STATUS_NOT_SUPPORTED,
  STATUS_SUCCESS,
  type NTSTATUS,
} from '../wdk/ntstatus.js';
import type { ContextLink, ContextObject } from './contextObject.js';
import { contextArgument, requireBelowDispatch } from './contextArguments.js';
import { fileTarget, instanceKey, streamTarget, volumeKey } from './contextTable.js';
import type { FilterManager } from './filterManager.js';
import type { FilterObject } from './filterObject.js';
import { InstanceObject } from './instanceObject.js';
import { fail } from './routineSupport.js';
import { optionalOutArgument } from '../kernel/arguments.js';
import { fileObjectArgument, filterArgument, instanceArgument, volumeArgument } from './objectArguments.js';
import { VolumeObject } from './volumeObject.js';
import { TransactionObject } from './transactionObjects.js';

/** The caller's `PFLT_CONTEXT OldContext` variable. */
export interface PFLT_CONTEXT_OUT {
  value: ContextObject<object> | null;
}

export interface GetContextResult<T extends object> {
  readonly status: NTSTATUS;
  /** Referenced once on success: release it with FltReleaseContext. */
  readonly context: ContextObject<T> | null;
}

/** What a routine names: the volume (with the filter), the instance, or the instance and a file object. */
export type ContextOwner =
  | { readonly filter: FilterObject; readonly volume: VolumeObject }
  | { readonly instance: InstanceObject }
  | { readonly instance: InstanceObject; readonly fileObject: FileObject }
  | { readonly instance: InstanceObject; readonly transaction: TransactionObject };

type Located = { readonly ok: true; readonly filter: FilterObject; readonly link: ContextLink } | { readonly ok: false; readonly status: NTSTATUS };

/** Instance states from TeardownStart on: no new contexts may hang on it (§15.4 "tearing down"). */
const INSTANCE_GOING: ReadonlySet<string> = new Set(['TeardownStart', 'Draining', 'TeardownComplete', 'Detached', 'Declined', 'Freed']);

/** The owner's objects checked (kernel/arguments.ts), and the Filter Manager they lead to. */
function fltMgrOf(owner: ContextOwner, routine: string): FilterManager {
  if ('volume' in owner) {
    const filter = filterArgument(routine, owner.filter);
    volumeArgument(routine, owner.volume, 'Volume', { kernel: filter.fltMgr.kernel, object: filter.id });
    return filter.fltMgr;
  }
  const instance = instanceArgument(routine, owner.instance);
  if ('fileObject' in owner) fileObjectArgument(routine, owner.fileObject, 'FileObject', { kernel: instance.filter.fltMgr.kernel, object: instance.id });
  if ('transaction' in owner && !(owner.transaction instanceof TransactionObject)) throw new UsageError('BAD_ARGUMENT', `${routine}: Transaction is not a PKTRANSACTION`);
  return instance.filter.fltMgr;
}

/** Where a context of `type` for `owner` hangs, or why it cannot (§15.1, §15.4). */
function locate(fltMgr: FilterManager, type: number, owner: ContextOwner, routine: string, forChange: boolean): Located {
  if ('volume' in owner) {
    const { filter, volume } = owner;
    if (!(volume instanceof VolumeObject)) throw new UsageError('BAD_ARGUMENT', `${routine}: Volume is not a PFLT_VOLUME`);
    if (forChange && (volume.state === 'Dismounting' || volume.state === 'Dismounted')) {
      return { ok: false, status: fail(fltMgr, volume, routine, STATUS_FLT_DELETING_OBJECT, `${volume} is ${volume.state}`) };
    }
    return { ok: true, filter, link: { key: volumeKey(filter, volume), target: volume.id, instance: null } };
  }
  const { instance } = owner;
  if (!(instance instanceof InstanceObject)) throw new UsageError('BAD_ARGUMENT', `${routine}: Instance is not a PFLT_INSTANCE`);
  if (instance.state === 'Freed') {
    throw fltMgr.kernel.violation('INSTANCE_USED_AFTER_TEARDOWN', instance.id, `${routine} on ${instance}, which is torn down and freed`);
  }
  if (forChange && INSTANCE_GOING.has(instance.state)) {
    return { ok: false, status: fail(fltMgr, instance, routine, STATUS_FLT_DELETING_OBJECT, `${instance} is ${instance.state}`) };
  }
  if (type === FLT_INSTANCE_CONTEXT) return { ok: true, filter: instance.filter, link: { key: instanceKey('instance', instance, instance.id), target: instance.id, instance } };
  if ('transaction' in owner) {
    // §15.8: FltMgr deletes a transaction's contexts after its outcome; none may be set on it from then on.
    const tx = owner.transaction;
    if (forChange && (tx.state === 'Committed' || tx.state === 'RolledBack' || tx.state === 'Deleted')) {
      return { ok: false, status: fail(fltMgr, tx.id, routine, STATUS_FLT_DELETING_OBJECT, `${tx} has ended`) };
    }
    return { ok: true, filter: instance.filter, link: { key: instanceKey('transaction', instance, tx.id), target: tx.id, instance } };
  }
  if (!('fileObject' in owner) || !(owner.fileObject instanceof FileObject)) {
    throw new UsageError('BAD_ARGUMENT', `${routine}: FileObject is not a PFILE_OBJECT`);
  }
  const fo = owner.fileObject;
  if (fo.volume !== instance.volume) return { ok: false, status: fail(fltMgr, instance, routine, STATUS_INVALID_PARAMETER, `${fo} is on ${fo.volume}, ${instance} on ${instance.volume}`) };
  // Pre-create (not opened yet) and post-close (closed) file objects have no stream to hang a context on.
  const open = fo.volume.fileSystem.openOf(fo.id);
  if (open === null) return { ok: false, status: fail(fltMgr, instance, routine, STATUS_NOT_SUPPORTED, `${fo} is not open (${fo.state}): no stream yet or any more`) };
  if (type === FLT_STREAMHANDLE_CONTEXT) return { ok: true, filter: instance.filter, link: { key: instanceKey('streamHandle', instance, fo.id), target: fo.id, instance } };
  if (open.kind === 'volume') return { ok: false, status: fail(fltMgr, instance, routine, STATUS_NOT_SUPPORTED, `${fo} is a volume open: it has no file stream`) };
  const target = type === FLT_STREAM_CONTEXT ? streamTarget(fo.volume, open.fileId, open.stream) : fileTarget(fo.volume, open.fileId);
  return { ok: true, filter: instance.filter, link: { key: instanceKey(type === FLT_STREAM_CONTEXT ? 'stream' : 'file', instance, target), target, instance } };
}

/** The FltSet*Context table of §15.4. */
export function* setContext(type: number, owner: ContextOwner, Operation: number, NewContext: ContextObject<object>, OldContext: PFLT_CONTEXT_OUT | null, routine: string): Blocking<NTSTATUS> {
  const context = contextArgument(routine, NewContext);
  const fltMgr = fltMgrOf(owner, routine);
  OldContext = optionalOutArgument(routine, 'OldContext', OldContext);
  if (OldContext !== null) OldContext.value = null;
  requireBelowDispatch(fltMgr, routine, context.id);
  yield* preempt();
  fltMgr.contexts.requireReferenced(context, routine);
  const filter = 'volume' in owner ? owner.filter : owner.instance.filter;
  if (context.filter !== filter) {
    throw fltMgr.kernel.violation('CONTEXT_OF_ANOTHER_FILTER', context.id, `${routine} by ${filter.name} with ${context}, which belongs to ${context.filter.name}`);
  }
  if (context.ContextType !== type) {
    // Windows answers STATUS_INVALID_PARAMETER; Filter Verifier names the mistake (recorded, the call returns).
    fltMgr.kernel.reportViolation('CONTEXT_WRONG_TYPE', context.id, `${routine} with ${context}: it needs a ${contextTypeName(type)}`);
    return fail(fltMgr, context.id, routine, STATUS_INVALID_PARAMETER, `${context} is not a ${contextTypeName(type)}`);
  }
  if (Operation !== FLT_SET_CONTEXT_REPLACE_IF_EXISTS && Operation !== FLT_SET_CONTEXT_KEEP_IF_EXISTS) {
    return fail(fltMgr, context.id, routine, STATUS_INVALID_PARAMETER, `Operation ${Operation} is neither REPLACE_IF_EXISTS nor KEEP_IF_EXISTS`);
  }
  const where = locate(fltMgr, type, owner, routine, true);
  if (!where.ok) return where.status;
  if (context.state !== 'Allocated') {
    return fail(fltMgr, context.id, routine, STATUS_FLT_CONTEXT_ALREADY_LINKED, `${context} was set before (${context.state})`);
  }
  const existing = fltMgr.contexts.linkedAt(where.link.key);
  if (existing !== undefined && Operation === FLT_SET_CONTEXT_KEEP_IF_EXISTS) {
    if (OldContext !== null) {
      fltMgr.contexts.reference(existing, routine);
      OldContext.value = existing;
    }
    return fail(fltMgr, context.id, routine, STATUS_FLT_CONTEXT_ALREADY_DEFINED, `${existing.id} is already set on ${where.link.target}; KEEP_IF_EXISTS keeps it`);
  }
  if (existing !== undefined) {
    fltMgr.contexts.unlink(existing, routine, OldContext !== null);
    if (OldContext !== null) OldContext.value = existing;
  }
  fltMgr.contexts.link(context, where.link, routine);
  return STATUS_SUCCESS;
}

/** The FltGet*Context routines (§15.5): checked, a scheduling point, then the lookup. */
export function* getContext<T extends object>(type: number, owner: ContextOwner, routine: string): Blocking<GetContextResult<T>> {
  const fltMgr = fltMgrOf(owner, routine);
  requireBelowDispatch(fltMgr, routine, 'volume' in owner ? owner.volume.id : owner.instance.id);
  yield* preempt();
  return lookupContext<T>(type, owner, { routine });
}

/** The lookup of a get, in the caller's step. `quiet`: FltGetContexts, which reports no failure. */
export function lookupContext<T extends object>(type: number, owner: ContextOwner, how: { readonly routine: string; readonly quiet?: boolean }): GetContextResult<T> {
  const { routine } = how;
  const fltMgr = fltMgrOf(owner, routine);
  requireBelowDispatch(fltMgr, routine, 'volume' in owner ? owner.volume.id : owner.instance.id);
  const where = locate(fltMgr, type, owner, routine, false);
  if (!where.ok) return { status: where.status, context: null };
  const found = fltMgr.contexts.linkedAt(where.link.key);
  if (found === undefined) {
    if (how.quiet === true) return { status: STATUS_NOT_FOUND, context: null };
    const about = 'volume' in owner ? owner.volume : owner.instance;
    return { status: fail(fltMgr, about, routine, STATUS_NOT_FOUND, `no ${contextTypeName(type)} of ${where.filter.name} on ${where.link.target}`), context: null };
  }
  fltMgr.contexts.reference(found, routine);
  return { status: STATUS_SUCCESS, context: found as ContextObject<T> };
}

/** The FltDelete*Context routines (§15.7): no reference needed; OldContext takes over the object's reference. */
export function* deleteContext(type: number, owner: ContextOwner, OldContext: PFLT_CONTEXT_OUT | null, routine: string): Blocking<NTSTATUS> {
  const fltMgr = fltMgrOf(owner, routine);
  OldContext = optionalOutArgument(routine, 'OldContext', OldContext);
  if (OldContext !== null) OldContext.value = null;
  requireBelowDispatch(fltMgr, routine, 'volume' in owner ? owner.volume.id : owner.instance.id);
  yield* preempt();
  const where = locate(fltMgr, type, owner, routine, true);
  if (!where.ok) return where.status;
  const found = fltMgr.contexts.linkedAt(where.link.key);
  if (found === undefined) {
    const about = 'volume' in owner ? owner.volume : owner.instance;
    return fail(fltMgr, about, routine, STATUS_NOT_FOUND, `no ${contextTypeName(type)} of ${where.filter.name} on ${where.link.target}`);
  }
  fltMgr.contexts.unlink(found, routine, OldContext !== null);
  if (OldContext !== null) OldContext.value = found;
  return STATUS_SUCCESS;
}
