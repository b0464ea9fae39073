/**
 * Allocating, referencing, releasing and deleting contexts (§15.3, §15.5–§15.7):
 * FltAllocateContext, FltReferenceContext, FltReleaseContext, FltDeleteContext, FltGetContexts,
 * FltReleaseContexts. The per-kind set/get/delete routines are in contextSetGet.ts.
 */
import { integerArgument, recordArgument, ulongArgument } from '../kernel/arguments.js';
import { filterArgument, relatedObjectsArgument } from './objectArguments.js';
import { contextArgument, requireBelowDispatch } from './contextArguments.js';
import {
  FLT_FILE_CONTEXT,
  FLT_INSTANCE_CONTEXT,
  FLT_STREAM_CONTEXT,
  FLT_STREAMHANDLE_CONTEXT,
  FLT_VOLUME_CONTEXT,
  MAX_CONTEXT_SIZE,
  NonPagedPool,
  NonPagedPoolNx,
  PagedPool,
  contextTypeName,
} from '../wdk/contextConstants.js';
import {
  STATUS_FLT_CONTEXT_ALLOCATION_NOT_FOUND,
  STATUS_FLT_DELETING_OBJECT,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_INVALID_BUFFER_SIZE,
  STATUS_INVALID_PARAMETER,
  STATUS_SUCCESS,
  type NTSTATUS,
} from '../wdk/ntstatus.js';
import type { ContextObject } from './contextObject.js';
import { entryFor, isContextType } from './contextRegistration.js';
import { lookupContext } from './contextSetGet.js';
import type { FilterManager } from './filterManager.js';
import { FilterObject } from './filterObject.js';
import type { FLT_RELATED_OBJECTS } from './registration.js';
import { fail } from './routineSupport.js';

export interface AllocateContextResult<T extends object> {
  readonly status: NTSTATUS;
  /** Referenced once on success (the caller's reference): release it with FltReleaseContext. */
  readonly context: ContextObject<T> | null;
}

/**
 * FltAllocateContext(Filter, ContextType, ContextSize, PoolType): a context with one reference,
 * linked to nothing (§15.3). The registration entry that serves it supplies its cleanup callback.
 */
export function FltAllocateContext<T extends object = Record<string, unknown>>(
  Filter: FilterObject,
  ContextType: number,
  ContextSize: number,
  PoolType: number,
): AllocateContextResult<T> {
  const routine = 'FltAllocateContext';
  filterArgument(routine, Filter);
  ulongArgument(routine, 'ContextType', ContextType);
  integerArgument(routine, 'ContextSize', ContextSize, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a SIZE_T (a whole number)');
  ulongArgument(routine, 'PoolType', PoolType);
  const fltMgr = Filter.fltMgr;
  requireBelowDispatch(fltMgr, routine, Filter.id);
  const refuse = (status: NTSTATUS, detail: string): AllocateContextResult<T> => ({ status: fail(fltMgr, Filter, routine, status, detail), context: null });
  if (!isContextType(ContextType)) return refuse(STATUS_INVALID_PARAMETER, `ContextType 0x${ContextType.toString(16)} is not one context type`);
  if (!Number.isInteger(ContextSize) || ContextSize <= 0) return refuse(STATUS_INVALID_PARAMETER, `ContextSize ${ContextSize} (must be greater than zero)`);
  if (ContextSize > MAX_CONTEXT_SIZE) return refuse(STATUS_INVALID_BUFFER_SIZE, `ContextSize ${ContextSize} is larger than MAXUSHORT`);
  if (PoolType !== NonPagedPool && PoolType !== PagedPool && PoolType !== NonPagedPoolNx) return refuse(STATUS_INVALID_PARAMETER, `PoolType ${PoolType}`);
  // §15.1: volume contexts come from nonpaged pool.
  if (ContextType === FLT_VOLUME_CONTEXT && PoolType === PagedPool) return refuse(STATUS_INVALID_PARAMETER, 'a volume context must come from nonpaged pool');
  if (Filter.state === 'Unregistering' || Filter.state === 'Unregistered' || Filter.state === 'Unloaded') {
    return refuse(STATUS_FLT_DELETING_OBJECT, `${Filter.name} is ${Filter.state}`);
  }
  const entry = entryFor(Filter.registration.ContextRegistration, ContextType, ContextSize);
  if (entry === null) {
    return refuse(STATUS_FLT_CONTEXT_ALLOCATION_NOT_FOUND, `no ContextRegistration entry of ${Filter.name} serves ${contextTypeName(ContextType)} of ${ContextSize} bytes`);
  }
  if (entry.ContextAllocateCallback != null && entry.ContextAllocateCallback(PoolType, ContextSize, ContextType) == null) {
    return refuse(STATUS_INSUFFICIENT_RESOURCES, 'ContextAllocateCallback returned NULL');
  }
  return { status: STATUS_SUCCESS, context: fltMgr.contexts.create(Filter, ContextType, ContextSize, PoolType, entry) as ContextObject<T> };
}

/** FltReferenceContext(Context): one more reference (≤ DISPATCH_LEVEL). */
export function FltReferenceContext(Context: ContextObject<object>): void {
  const context = contextArgument('FltReferenceContext', Context);
  context.filter.fltMgr.contexts.reference(context, 'FltReferenceContext');
}

/** FltReleaseContext(Context): one reference fewer; at zero the cleanup callback runs and the context is freed (§15.6). */
export function FltReleaseContext(Context: ContextObject<object>): void {
  const context = contextArgument('FltReleaseContext', Context);
  context.filter.fltMgr.contexts.release(context, 'FltReleaseContext');
}

/**
 * FltDeleteContext(Context): unlink a context the caller holds a reference on; the caller's
 * reference stays valid and must still be released (§15.7). A context that is not linked (never
 * set, or already deleted or replaced) is left as it is.
 */
export function FltDeleteContext(Context: ContextObject<object>): void {
  const context = contextArgument('FltDeleteContext', Context);
  const fltMgr = context.filter.fltMgr;
  requireBelowDispatch(fltMgr, 'FltDeleteContext', context.id);
  fltMgr.contexts.requireReferenced(context, 'FltDeleteContext');
  if (context.state === 'Linked' && context.references < 2) {
    // The only reference is the object's: the caller holds none, as the routine requires.
    throw fltMgr.kernel.violation('CONTEXT_DOUBLE_RELEASE', context.id, `FltDeleteContext on ${context} without a reference of the caller's own (count ${context.references} is the object's)`);
  }
  fltMgr.contexts.unlink(context, 'FltDeleteContext', false);
}

/** FLT_RELATED_CONTEXTS: the contexts FltGetContexts found; members it did not find are null. */
export interface FLT_RELATED_CONTEXTS {
  VolumeContext: ContextObject<object> | null;
  InstanceContext: ContextObject<object> | null;
  FileContext: ContextObject<object> | null;
  StreamContext: ContextObject<object> | null;
  StreamHandleContext: ContextObject<object> | null;
  TransactionContext: ContextObject<object> | null;
}

/**
 * FltGetContexts(FltObjects, DesiredContexts): the filter's contexts for the objects of the
 * operation, each referenced once; members not asked for or not found are null (§15.5).
 */
export function FltGetContexts(FltObjects: FLT_RELATED_OBJECTS, DesiredContexts: number): FLT_RELATED_CONTEXTS {
  const { Filter, Volume, Instance, FileObject } = relatedObjectsArgument('FltGetContexts', FltObjects);
  ulongArgument('FltGetContexts', 'DesiredContexts', DesiredContexts);
  const fltMgr = Filter.fltMgr;
  requireBelowDispatch(fltMgr, 'FltGetContexts', Instance.id);
  const by = 'FltGetContexts';
  const want = (type: number): boolean => (DesiredContexts & type) !== 0;
  const quiet = { routine: by, quiet: true } as const;
  return {
    VolumeContext: want(FLT_VOLUME_CONTEXT) ? lookupContext(FLT_VOLUME_CONTEXT, { filter: Filter, volume: Volume }, quiet).context : null,
    InstanceContext: want(FLT_INSTANCE_CONTEXT) ? lookupContext(FLT_INSTANCE_CONTEXT, { instance: Instance }, quiet).context : null,
    FileContext: want(FLT_FILE_CONTEXT) && FileObject !== null ? lookupContext(FLT_FILE_CONTEXT, { instance: Instance, fileObject: FileObject }, quiet).context : null,
    StreamContext: want(FLT_STREAM_CONTEXT) && FileObject !== null ? lookupContext(FLT_STREAM_CONTEXT, { instance: Instance, fileObject: FileObject }, quiet).context : null,
    StreamHandleContext:
      want(FLT_STREAMHANDLE_CONTEXT) && FileObject !== null ? lookupContext(FLT_STREAMHANDLE_CONTEXT, { instance: Instance, fileObject: FileObject }, quiet).context : null,
    // Transactions are not modelled: FLT_RELATED_OBJECTS carries none, so there is never one to find.
    TransactionContext: null,
  };
}

/** FltReleaseContexts(Contexts): release every non-null member and set it to null (§15.5). */
export function FltReleaseContexts(Contexts: FLT_RELATED_CONTEXTS): void {
  recordArgument('FltReleaseContexts', 'Contexts', Contexts);
  for (const key of ['VolumeContext', 'InstanceContext', 'FileContext', 'StreamContext', 'StreamHandleContext', 'TransactionContext'] as const) {
    const context = Contexts[key];
    if (context === null) continue;
    const c = contextArgument('FltReleaseContexts', context);
    c.filter.fltMgr.contexts.release(c, 'FltReleaseContexts');
    Contexts[key] = null;
  }
}
