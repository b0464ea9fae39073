/**
 * KEVENT and its routines (§18.2): KeInitializeEvent, KeSetEvent, KeResetEvent, KeClearEvent,
 * KeReadStateEvent. A NotificationEvent stays signaled and releases every waiter; a
 * SynchronizationEvent releases one wait and resets itself (logged as EventAutoReset).
 *
 * Each routine is a scheduling point (a `preempt` before it acts), except KeReadStateEvent and
 * KeInitializeEvent, which no other thread can race on a fresh object.
 */
import { type AnyMachineSnapshot } from 'xstate';
import { kernelCall, preempt, type Blocking } from '../kernel/effects.js';
import { UsageError } from '../kernel/errors.js';
import type { EventType } from '../kernel/facts.js';
import { keventMachine } from '../machines/kevent.js';
import { checkIrql } from './irql.js';
import { booleanArgument, longArgument } from '../kernel/arguments.js';
import { bound, KernelObject, requireKernelObject, type Binding } from './kernelObject.js';

export type EVENT_TYPE = EventType;
export const NotificationEvent: EVENT_TYPE = 'NotificationEvent';
export const SynchronizationEvent: EVENT_TYPE = 'SynchronizationEvent';
/** KeSetEvent's Increment, for callers that pass the WDK constant. */
export const IO_NO_INCREMENT = 0;

export class KEVENT extends KernelObject {
  /** @internal */ eventType: EVENT_TYPE = NotificationEvent;
  /** @internal Threads that have set it, in the order they first did: the expected signallers in a wait-for report. */
  readonly setBy: string[] = [];
}

/**
 * The event's state as its machine has it: what the routines ask, and what the waitable beside it
 * (the dispatcher header the scheduler reads to release and consume waits) reads too, so the two
 * cannot disagree. The facts move it (KeInitializeEvent, KeSetEvent, KeResetEvent, KeClearEvent,
 * EventAutoReset).
 */
function isSignaled(b: Binding): boolean {
  return (b.actor.getSnapshot() as AnyMachineSnapshot).matches('Signaled');
}

/** KeInitializeEvent(Event, Type, State). Re-initializing an event nobody waits on is allowed, as drivers reuse events. */
export function* KeInitializeEvent(Event: KEVENT, Type: EVENT_TYPE, State: boolean): Blocking<void> {
  booleanArgument('KeInitializeEvent', 'State', State);
  yield* requireKernelObject('KeInitializeEvent', 'Event', Event, KEVENT);
  return yield* kernelCall((kernel, thread) => {
    if (Type !== NotificationEvent && Type !== SynchronizationEvent) {
      throw new UsageError('BAD_ARGUMENT', `KeInitializeEvent: Type must be NotificationEvent or SynchronizationEvent, got ${String(Type)}`, kernel.place(thread.id));
    }
    let b = Event.binding;
    if (b === null) {
      const id = kernel.nextId('E');
      const actor = kernel.startMachine(keventMachine);
      kernel.attachActor(id, actor);
      const waitable = kernel.createWaitable(Event.name ?? id, Type === NotificationEvent ? 'notification' : 'synchronization', id);
      b = { kernel, id, actor, waitable };
      Event.binding = b;
      kernel.kernelObjects.set(id, Event);
      // Through a const, not assigned as a literal (V8 puts those in the old generation; docs/exploration.md, "Memory").
      const consumed = (by: string): void => {
        kernel.emitFact({ seq: 0, time: 0, object: id, type: 'EventAutoReset', thread: by });
      };
      waitable.onConsumed = consumed;
      // The dispatcher header reads the machine: KeInitializeEvent, KeSetEvent, KeResetEvent, KeClearEvent and EventAutoReset move it.
      const binding = b;
      waitable.readSignalFrom(() => isSignaled(binding));
    } else {
      bound(kernel, thread, Event, 'KeInitializeEvent');
    }
    // The waitable's kind is fixed at creation; re-initializing with another type is refused.
    const kind = Type === NotificationEvent ? 'notification' : 'synchronization';
    if (b.waitable.kind !== kind) throw new UsageError('BAD_ARGUMENT', `KeInitializeEvent: ${b.id} is a ${Event.eventType}; re-initialize it as the same type`, kernel.place(b.id));
    Event.eventType = Type;
    kernel.emitFact({ seq: 0, time: 0, object: b.id, type: 'KeInitializeEvent', name: Event.name ?? b.id, eventType: Type, signaled: State });
  });
}

/**
 * KeSetEvent(Event, Increment, Wait): signal it and release what it satisfies; returns the previous
 * state (true = it was signaled). `Wait` (a KeWait* follows at once) changes nothing in the model.
 */
export function* KeSetEvent(Event: KEVENT, Increment: number, Wait: boolean): Blocking<boolean> {
  longArgument('KeSetEvent', 'Increment', Increment);
  booleanArgument('KeSetEvent', 'Wait', Wait);
  yield* requireKernelObject('KeSetEvent', 'Event', Event, KEVENT);
  yield* preempt();
  return yield* kernelCall((kernel, thread) => {
    checkIrql(kernel, thread, 'KeSetEvent');
    const b = bound(kernel, thread, Event, 'KeSetEvent');
    const previous = isSignaled(b);
    if (!Event.setBy.includes(thread.id)) Event.setBy.push(thread.id);
    kernel.emitFact({ seq: 0, time: 0, object: b.id, type: 'KeSetEvent', thread: thread.id, previous });
    kernel.signal(b.waitable);
    return previous;
  });
}

/** KeResetEvent(Event): clear it; returns the previous state. */
export function* KeResetEvent(Event: KEVENT): Blocking<boolean> {
  yield* requireKernelObject('KeResetEvent', 'Event', Event, KEVENT);
  yield* preempt();
  return yield* kernelCall((kernel, thread) => {
    checkIrql(kernel, thread, 'KeResetEvent');
    const b = bound(kernel, thread, Event, 'KeResetEvent');
    const previous = isSignaled(b);
    kernel.emitFact({ seq: 0, time: 0, object: b.id, type: 'KeResetEvent', thread: thread.id, previous });
    return previous;
  });
}

/** KeClearEvent(Event): clear it, returning nothing. */
export function* KeClearEvent(Event: KEVENT): Blocking<void> {
  yield* requireKernelObject('KeClearEvent', 'Event', Event, KEVENT);
  yield* preempt();
  yield* kernelCall((kernel, thread) => {
    checkIrql(kernel, thread, 'KeClearEvent');
    const b = bound(kernel, thread, Event, 'KeClearEvent');
    kernel.emitFact({ seq: 0, time: 0, object: b.id, type: 'KeClearEvent', thread: thread.id });
  });
}

/** KeReadStateEvent(Event): the current state, without changing it (true = signaled). */
export function* KeReadStateEvent(Event: KEVENT): Blocking<boolean> {
  yield* requireKernelObject('KeReadStateEvent', 'Event', Event, KEVENT);
  return yield* kernelCall((kernel, thread) => isSignaled(bound(kernel, thread, Event, 'KeReadStateEvent')));
}
