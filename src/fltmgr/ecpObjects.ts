/**
 * ECP lists (PECP_LIST) and ECP contexts (§22.2), with the table of live ones. Lifecycles in
 * src/machines/ecp.ts; every change is a fact first. The originator owns a list and frees it; the
 * OS never does, and a create leaves it unchanged (§22.2 "Lifetime").
 */
import { type Actor } from 'xstate';
import { ecpListMachine, ecpMachine, type EcpListState, type EcpState } from '../machines/ecp.js';
import type { FilterManager } from './filterManager.js';
import type { FilterObject } from './filterObject.js';

/** PECP_LIST: ECPs by GUID, one per GUID, in insertion order. */
export class EcpListObject {
  readonly ecps: EcpObject[] = [];

  constructor(
    readonly id: string,
    readonly filter: FilterObject,
    /** @internal */ readonly actor: Actor<typeof ecpListMachine>,
  ) {}

  get state(): EcpListState {
    return this.actor.getSnapshot().value as EcpListState;
  }

  toString(): string {
    return `${this.id}(ECP list of ${this.filter.name})`;
  }
}

/** An ECP context: its GUID (EcpType), size, and the filter-defined data in `Data`. */
export class EcpObject<T extends object = Record<string, unknown>> {
  list: EcpListObject | null = null;
  readonly Data = {} as T;

  constructor(
    readonly id: string,
    readonly filter: FilterObject,
    readonly EcpType: string,
    readonly Size: number,
    /** Runs when the ECP is freed (with its list or alone). */
    readonly CleanupCallback: ((EcpContext: EcpObject, EcpType: string) => void) | null,
    /** @internal */ readonly actor: Actor<typeof ecpMachine>,
  ) {}

  get state(): EcpState {
    return this.actor.getSnapshot().value as EcpState;
  }

  toString(): string {
    return `${this.id}(ECP {${this.EcpType}})`;
  }
}

export class EcpTable {
  readonly lists = new Map<string, EcpListObject>();
  readonly ecps = new Map<string, EcpObject>();

  constructor(private readonly fltMgr: FilterManager) {}

  createList(filter: FilterObject): EcpListObject {
    const kernel = this.fltMgr.kernel;
    const id = kernel.nextId('G');
    kernel.emitFact({ seq: 0, time: 0, object: id, type: 'FltAllocateExtraCreateParameterList', filter: filter.id });
    const actor = kernel.startMachine(ecpListMachine);
    kernel.attachActor(id, actor);
    const list = new EcpListObject(id, filter, actor);
    this.lists.set(id, list);
    return list;
  }

  createEcp(filter: FilterObject, guid: string, size: number, cleanup: EcpObject['CleanupCallback']): EcpObject {
    const kernel = this.fltMgr.kernel;
    const id = kernel.nextId('X');
    kernel.emitFact({ seq: 0, time: 0, object: id, type: 'FltAllocateExtraCreateParameter', filter: filter.id, guid, size });
    const actor = kernel.startMachine(ecpMachine);
    kernel.attachActor(id, actor);
    const ecp = new EcpObject(id, filter, guid, size, cleanup, actor);
    this.ecps.set(id, ecp);
    return ecp;
  }

  freeEcp(ecp: EcpObject, withList: boolean): void {
    ecp.CleanupCallback?.(ecp, ecp.EcpType);
    this.fltMgr.kernel.emitFact({ seq: 0, time: 0, object: ecp.id, type: 'FltFreeExtraCreateParameter', withList });
    ecp.list = null;
    this.ecps.delete(ecp.id);
  }

  freeList(list: EcpListObject): void {
    for (const ecp of list.ecps.splice(0)) this.freeEcp(ecp, true);
    this.fltMgr.kernel.emitFact({ seq: 0, time: 0, object: list.id, type: 'FltFreeExtraCreateParameterList' });
    this.lists.delete(list.id);
  }
}
