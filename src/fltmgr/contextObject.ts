/**
 * PFLT_CONTEXT: a block FltMgr allocated for a filter (§15). Lifecycle in src/machines/context.ts;
 * the reference count is data, changed only through facts (src/fltmgr/contextTable.ts).
 *
 * What the filter keeps in its context lives in `Data` (in C, the bytes after FltMgr's header that
 * the filter casts to its own structure). As in C the contents start undefined: a filter sets its
 * fields after FltAllocateContext. Touching `Data` once the context is freed is the verifier's
 * CONTEXT_USED_AFTER_FREE, as a use of freed pool would be.
 */
import type { Actor } from 'xstate';
import type { contextMachine, ContextState } from '../machines/context.js';
import { contextTypeName } from '../wdk/contextConstants.js';
import type { FilterObject } from './filterObject.js';
import type { InstanceObject } from './instanceObject.js';
import type { FLT_CONTEXT_REGISTRATION } from './registration.js';

/** Where a linked context hangs: its key (one context per key, §15.1) and the object it names. */
export interface ContextLink {
  readonly key: string;
  /** The object id (V…, I…, O…) or stream (`V1:stream#64`) the context is attached to. */
  readonly target: string;
  readonly instance: InstanceObject | null;
}

export class ContextObject<T extends object = Record<string, unknown>> {
  /** References held now: the caller's, the object's while linked, every Get's. */
  references = 1;
  /**
   * Where it hangs while linked: the key and the object, which routines and reports name. Whether
   * it is linked is the machine's Linked state, which the routines ask (`state`).
   */
  link: ContextLink | null = null;
  readonly #data: T;

  constructor(
    readonly id: string,
    readonly filter: FilterObject,
    readonly ContextType: number,
    readonly Size: number,
    readonly PoolType: number,
    /** The registration entry that served the allocation (its cleanup and free callbacks). */
    readonly registration: FLT_CONTEXT_REGISTRATION,
    /** @internal */ readonly actor: Actor<typeof contextMachine>,
    /** Reports a use after free; the table supplies it so the object needs no kernel. */
    private readonly usedAfterFree: (context: ContextObject<object>, what: string) => Error,
  ) {
    this.#data = {} as T;
  }

  get state(): ContextState {
    return this.actor.getSnapshot().value as ContextState;
  }

  /** The filter-defined part of the context. */
  get Data(): T {
    if (this.state === 'Freed') throw this.usedAfterFree(this as ContextObject<object>, 'read its Data');
    return this.#data;
  }

  toString(): string {
    return `${this.id}(${contextTypeName(this.ContextType)} of ${this.filter.name})`;
  }
}

/** The opaque pointer filters hold. */
export type PFLT_CONTEXT<T extends object = Record<string, unknown>> = ContextObject<T>;
