/**
 * The ECP routines (§22.2) under their WDK names: allocate and free lists and ECPs, insert, find,
 * remove and walk them, attach a list to a create, acknowledge. A list or ECP used after it was
 * freed is the verifier's ECP_USED_AFTER_FREE; freeing an ECP still in a list is ECP_FREED_IN_LIST.
 */
import { badArgument, functionArgument, kindOf, objectArgument, optionalObjectArgument, sizeArgument, stringArgument, ulongArgument } from '../kernel/arguments.js';
import { filterArgument } from './objectArguments.js';
import type { FLT_CALLBACK_DATA } from '../io/ioOperation.js';
import { operationOfData } from '../io/callbackDataRef.js';
import { IRP_MJ_CREATE } from '../wdk/irp.js';
import { STATUS_INVALID_PARAMETER, STATUS_NOT_FOUND, STATUS_SUCCESS, type NTSTATUS } from '../wdk/ntstatus.js';
import { EcpListObject, EcpObject } from './ecpObjects.js';
import type { FilterObject } from './filterObject.js';
import { fail } from './routineSupport.js';

function liveList(routine: string, list: EcpListObject): EcpListObject {
  objectArgument(routine, 'EcpList', list, EcpListObject, 'a PECP_LIST from FltAllocateExtraCreateParameterList');
  if (list.state === 'Freed') throw list.filter.fltMgr.kernel.violation('ECP_USED_AFTER_FREE', list.id, `${routine} on ${list}, which was freed`);
  return list;
}

function liveEcp(routine: string, ecp: EcpObject): EcpObject {
  objectArgument(routine, 'EcpContext', ecp, EcpObject, 'an ECP context from FltAllocateExtraCreateParameter');
  if (ecp.state === 'Freed') throw ecp.filter.fltMgr.kernel.violation('ECP_USED_AFTER_FREE', ecp.id, `${routine} on ${ecp}, which was freed`);
  return ecp;
}

/** SizeOfContext a whole number (a negative one is Windows' STATUS_INVALID_PARAMETER below), Flags and PoolTag ULONGs. */
function integerLike(routine: string, SizeOfContext: unknown, Flags: unknown, PoolTag: unknown): void {
  if (typeof SizeOfContext !== 'number' || !Number.isSafeInteger(SizeOfContext)) sizeArgument(routine, 'SizeOfContext', SizeOfContext);
  ulongArgument(routine, 'Flags', Flags);
  ulongArgument(routine, 'PoolTag', PoolTag);
}

/** FltAllocateExtraCreateParameterList(Filter, Flags, &EcpList): an empty list the caller frees. */
export function FltAllocateExtraCreateParameterList(Filter: FilterObject, Flags = 0): { readonly status: NTSTATUS; readonly EcpList: EcpListObject } {
  filterArgument('FltAllocateExtraCreateParameterList', Filter);
  ulongArgument('FltAllocateExtraCreateParameterList', 'Flags', Flags);
  return { status: STATUS_SUCCESS, EcpList: Filter.fltMgr.ecps.createList(Filter) };
}

/** FltFreeExtraCreateParameterList(Filter, EcpList): frees the list and every ECP still in it (their cleanup callbacks run). */
export function FltFreeExtraCreateParameterList(Filter: FilterObject, EcpList: EcpListObject): void {
  filterArgument('FltFreeExtraCreateParameterList', Filter);
  Filter.fltMgr.ecps.freeList(liveList('FltFreeExtraCreateParameterList', EcpList));
}

/** FltAllocateExtraCreateParameter(Filter, EcpType, SizeOfContext, Flags, CleanupCallback, PoolTag, &EcpContext). */
export function FltAllocateExtraCreateParameter<T extends object = Record<string, unknown>>(
  Filter: FilterObject,
  EcpType: string,
  SizeOfContext: number,
  Flags = 0,
  CleanupCallback: ((EcpContext: EcpObject, EcpType: string) => void) | null = null,
  PoolTag = 0,
): { readonly status: NTSTATUS; readonly EcpContext: EcpObject<T> | null } {
  filterArgument('FltAllocateExtraCreateParameter', Filter);
  stringArgument('FltAllocateExtraCreateParameter', 'EcpType', EcpType);
  integerLike('FltAllocateExtraCreateParameter', SizeOfContext, Flags, PoolTag);
  CleanupCallback = functionArgument('FltAllocateExtraCreateParameter', 'CleanupCallback', CleanupCallback, true);
  if (EcpType.length === 0 || !Number.isInteger(SizeOfContext) || SizeOfContext < 0) {
    return { status: fail(Filter.fltMgr, Filter, 'FltAllocateExtraCreateParameter', STATUS_INVALID_PARAMETER, `EcpType '${EcpType}', size ${SizeOfContext}`), EcpContext: null };
  }
  return { status: STATUS_SUCCESS, EcpContext: Filter.fltMgr.ecps.createEcp(Filter, EcpType, SizeOfContext, CleanupCallback) as EcpObject<T> };
}

/** FltFreeExtraCreateParameter(Filter, EcpContext): an ECP that is in no list (remove it first). */
export function FltFreeExtraCreateParameter(Filter: FilterObject, EcpContext: EcpObject): void {
  filterArgument('FltFreeExtraCreateParameter', Filter);
  const ecp = liveEcp('FltFreeExtraCreateParameter', EcpContext);
  if (ecp.list !== null) throw Filter.fltMgr.kernel.violation('ECP_FREED_IN_LIST', ecp.id, `FltFreeExtraCreateParameter on ${ecp}, still in ${ecp.list}`);
  Filter.fltMgr.ecps.freeEcp(ecp, false);
}

/** FltInsertExtraCreateParameter(Filter, EcpList, EcpContext): one ECP per GUID per list; a second → STATUS_INVALID_PARAMETER. */
export function FltInsertExtraCreateParameter(Filter: FilterObject, EcpList: EcpListObject, EcpContext: EcpObject): NTSTATUS {
  filterArgument('FltInsertExtraCreateParameter', Filter);
  const list = liveList('FltInsertExtraCreateParameter', EcpList);
  const ecp = liveEcp('FltInsertExtraCreateParameter', EcpContext);
  if (ecp.list !== null) return fail(Filter.fltMgr, ecp.id, 'FltInsertExtraCreateParameter', STATUS_INVALID_PARAMETER, `${ecp} is already in ${ecp.list}`);
  if (list.ecps.some((e) => e.EcpType === ecp.EcpType)) return fail(Filter.fltMgr, ecp.id, 'FltInsertExtraCreateParameter', STATUS_INVALID_PARAMETER, `${list} already holds an ECP {${ecp.EcpType}}`);
  Filter.fltMgr.kernel.emitFact({ seq: 0, time: 0, object: ecp.id, type: 'FltInsertExtraCreateParameter', list: list.id });
  list.ecps.push(ecp);
  ecp.list = list;
  return STATUS_SUCCESS;
}

export interface FindEcpResult {
  readonly status: NTSTATUS;
  readonly EcpContext: EcpObject | null;
  readonly EcpContextSize: number;
}

/** FltFindExtraCreateParameter(Filter, EcpList, EcpType, &EcpContext, &EcpContextSize): STATUS_NOT_FOUND if absent. */
export function FltFindExtraCreateParameter(Filter: FilterObject, EcpList: EcpListObject, EcpType: string): FindEcpResult {
  filterArgument('FltFindExtraCreateParameter', Filter);
  const list = liveList('FltFindExtraCreateParameter', EcpList);
  stringArgument('FltFindExtraCreateParameter', 'EcpType', EcpType);
  const ecp = list.ecps.find((e) => e.EcpType === EcpType);
  if (ecp === undefined) return { status: fail(Filter.fltMgr, list.id, 'FltFindExtraCreateParameter', STATUS_NOT_FOUND, `no ECP {${EcpType}}`), EcpContext: null, EcpContextSize: 0 };
  return { status: STATUS_SUCCESS, EcpContext: ecp, EcpContextSize: ecp.Size };
}

/** FltRemoveExtraCreateParameter(Filter, EcpList, EcpType, &EcpContext, &EcpContextSize): the ECP leaves the list; the caller frees it. */
export function FltRemoveExtraCreateParameter(Filter: FilterObject, EcpList: EcpListObject, EcpType: string): FindEcpResult {
  filterArgument('FltRemoveExtraCreateParameter', Filter);
  const found = FltFindExtraCreateParameter(Filter, EcpList, EcpType);
  const ecp = found.EcpContext;
  if (ecp === null) return found;
  Filter.fltMgr.kernel.emitFact({ seq: 0, time: 0, object: ecp.id, type: 'FltRemoveExtraCreateParameter', list: EcpList.id });
  EcpList.ecps.splice(EcpList.ecps.indexOf(ecp), 1);
  ecp.list = null;
  return found;
}

/** FltGetNextExtraCreateParameter(Filter, EcpList, CurrentEcpContext, &NextEcpType, &NextEcpContext, &NextEcpContextSize): STATUS_NOT_FOUND after the last. */
export function FltGetNextExtraCreateParameter(
  Filter: FilterObject,
  EcpList: EcpListObject,
  CurrentEcpContext: EcpObject | null,
): { readonly status: NTSTATUS; readonly NextEcpType: string | null; readonly NextEcpContext: EcpObject | null; readonly NextEcpContextSize: number } {
  filterArgument('FltGetNextExtraCreateParameter', Filter);
  const list = liveList('FltGetNextExtraCreateParameter', EcpList);
  CurrentEcpContext = optionalObjectArgument('FltGetNextExtraCreateParameter', 'CurrentEcpContext', CurrentEcpContext, EcpObject, 'an ECP context');
  const next = CurrentEcpContext === null ? list.ecps[0] : list.ecps[list.ecps.indexOf(CurrentEcpContext) + 1];
  if (next === undefined || (CurrentEcpContext !== null && !list.ecps.includes(CurrentEcpContext))) {
    return { status: STATUS_NOT_FOUND, NextEcpType: null, NextEcpContext: null, NextEcpContextSize: 0 };
  }
  void Filter;
  return { status: STATUS_SUCCESS, NextEcpType: next.EcpType, NextEcpContext: next, NextEcpContextSize: next.Size };
}

function createOf(routine: string, Data: FLT_CALLBACK_DATA) {
  const op = operationOfData(Data);
  if (op === null) throw badArgument(routine, `Data is ${kindOf(Data)}, not a FLT_CALLBACK_DATA of this simulation`);
  return op;
}

/** FltGetEcpListFromCallbackData(Filter, Data, &EcpList): the create's list, or NULL when it carries none; creates only. */
export function FltGetEcpListFromCallbackData(Filter: FilterObject, Data: FLT_CALLBACK_DATA): { readonly status: NTSTATUS; readonly EcpList: EcpListObject | null } {
  filterArgument('FltGetEcpListFromCallbackData', Filter);
  const op = createOf('FltGetEcpListFromCallbackData', Data);
  if (op.major !== IRP_MJ_CREATE) return { status: fail(Filter.fltMgr, op.id, 'FltGetEcpListFromCallbackData', STATUS_INVALID_PARAMETER, 'not a create'), EcpList: null };
  return { status: STATUS_SUCCESS, EcpList: op.ecpList };
}

/** FltSetEcpListIntoCallbackData(Filter, Data, EcpList): attach a list to a create that has none (then FltSetCallbackDataDirty). */
export function FltSetEcpListIntoCallbackData(Filter: FilterObject, Data: FLT_CALLBACK_DATA, EcpList: EcpListObject): NTSTATUS {
  filterArgument('FltSetEcpListIntoCallbackData', Filter);
  const op = createOf('FltSetEcpListIntoCallbackData', Data);
  const list = liveList('FltSetEcpListIntoCallbackData', EcpList);
  if (op.major !== IRP_MJ_CREATE) return fail(Filter.fltMgr, op.id, 'FltSetEcpListIntoCallbackData', STATUS_INVALID_PARAMETER, 'not a create');
  if (op.ecpList !== null) return fail(Filter.fltMgr, op.id, 'FltSetEcpListIntoCallbackData', STATUS_INVALID_PARAMETER, `the create already carries ${op.ecpList}`);
  op.ecpList = list;
  return STATUS_SUCCESS;
}

/** FltAcknowledgeEcp(Filter, EcpContext): the receiver marks the ECP processed. */
export function FltAcknowledgeEcp(Filter: FilterObject, EcpContext: EcpObject): void {
  filterArgument('FltAcknowledgeEcp', Filter);
  const ecp = liveEcp('FltAcknowledgeEcp', EcpContext);
  if (ecp.state === 'Inserted') Filter.fltMgr.kernel.emitFact({ seq: 0, time: 0, object: ecp.id, type: 'FltAcknowledgeEcp', filter: Filter.id });
}

/** FltIsEcpAcknowledged(Filter, EcpContext). */
export function FltIsEcpAcknowledged(Filter: FilterObject, EcpContext: EcpObject): boolean {
  filterArgument('FltIsEcpAcknowledged', Filter);
  void Filter;
  return liveEcp('FltIsEcpAcknowledged', EcpContext).state === 'Acknowledged';
}

/** FltIsEcpFromUserMode(Filter, EcpContext): FALSE: applications cannot attach ECPs in the model. */
export function FltIsEcpFromUserMode(Filter: FilterObject, EcpContext: EcpObject): boolean {
  filterArgument('FltIsEcpFromUserMode', Filter);
  void Filter;
  liveEcp('FltIsEcpFromUserMode', EcpContext);
  return false;
}

/** FltPrepareToReuseEcp(Filter, EcpContext): clear the acknowledgement before reusing the list in another create. */
export function FltPrepareToReuseEcp(Filter: FilterObject, EcpContext: EcpObject): void {
  filterArgument('FltPrepareToReuseEcp', Filter);
  const ecp = liveEcp('FltPrepareToReuseEcp', EcpContext);
  if (ecp.state === 'Acknowledged') Filter.fltMgr.kernel.emitFact({ seq: 0, time: 0, object: ecp.id, type: 'FltPrepareToReuseEcp' });
}
