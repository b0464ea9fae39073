/**
 * What a KEVENT and the lock objects share: the caller allocates the object (`new KEVENT()`, as a
 * driver declares one in its globals or a context) and an initialize routine binds it to the
 * simulation whose thread runs that routine. From then on the object carries its simulation, id,
 * machine and the waitable threads block on (whose id is the object's, so a ThreadWait names it).
 */
import type { AnyActorRef, AnyMachineSnapshot } from 'xstate';
import { objectArgument, type ClassOf } from '../kernel/arguments.js';
import { kernelCall, type Blocking } from '../kernel/effects.js';
import type { Kernel } from '../kernel/kernel.js';
import type { SimThread } from '../kernel/thread.js';
import { UsageError } from '../kernel/errors.js';
import type { Waitable } from '../kernel/waitable.js';

export interface Binding {
  /** @internal */ readonly kernel: Kernel;
  readonly id: string;
  /** @internal */ readonly actor: AnyActorRef;
  readonly waitable: Waitable;
}

export abstract class KernelObject {
  /** @internal Set by the initialize routine. */
  binding: Binding | null = null;
  /**
   * @internal Deleted (ExDeleteResourceLite, FltDeletePushLock): its machine is in Deleted, and the
   * object may not be used again until re-initialized (which binds a new machine).
   */
  get deleted(): boolean {
    return this.binding !== null && (this.binding.actor.getSnapshot() as AnyMachineSnapshot).matches('Deleted');
  }

  /** `name` labels the object in traces and reports; the id (E…, K…) is given at initialization. */
  constructor(readonly name: string | null = null) {}

  /** The id given at initialization, or null before. */
  get id(): string | null {
    return this.binding?.id ?? null;
  }
}

/**
 * The object's binding, checked: initialized, not deleted, and in this simulation. An object used
 * uninitialized or after deletion is the verifier's OBJECT_NOT_INITIALIZED (Driver Verifier 0x1002).
 */
export function bound(kernel: Kernel, thread: SimThread, object: KernelObject, routine: string): Binding {
  objectArgument(routine, 'the object', object, KernelObject, 'a kernel object (KEVENT, a lock, a queue)', { kernel, object: thread.id });
  const b = object.binding;
  if (b === null || object.deleted) {
    const what = b === null ? 'never initialized' : `deleted (${b.id})`;
    throw kernel.violation('OBJECT_NOT_INITIALIZED', b?.id ?? thread.id, `${routine} by ${thread.name} on ${object.constructor.name}${object.name === null ? '' : ` '${object.name}'`}, which is ${what}`);
  }
  if (b.kernel !== kernel) {
    throw new UsageError('FOREIGN_OBJECT', `${routine}: ${b.id} belongs to another simulation`, kernel.place(thread.id));
  }
  return b;
}

/** A label for reports: `E2 'scan done'`. */
export function describe(object: KernelObject): string {
  return `${object.binding?.id ?? '?'}${object.name === null ? '' : ` '${object.name}'`}`;
}

/**
 * The first step of every routine on a caller-allocated kernel object: the argument is a `Class`
 * (a KEVENT passed for a FAST_MUTEX is a UsageError BAD_ARGUMENT; NULL is NULL_POINTER, recorded on
 * the calling thread). Not a scheduling point.
 */
export function requireKernelObject<T extends KernelObject>(routine: string, name: string, value: T, Class: ClassOf<T>): Blocking<T> {
  return kernelCall((kernel, thread) => objectArgument(routine, name, value, Class, `a ${Class.name}`, { kernel, object: thread.id }));
}
