/**
 * The fold of simulated threads and the dispatcher objects they wait on (§18): thread states and
 * waits, KEVENTs and locks with their owners. Event and lock states come from the same machines
 * the live objects use; thread states are recomputed here from the facts.
 * One part of foldLog (src/projection/fold.ts), which hands it the facts `isThreadFact` accepts.
 */
import type { Draft } from 'immer';
import { assertNever, type Fact, type FactOf } from '../kernel/facts.js';
import { keventMachine } from '../machines/kevent.js';
import { LOCK_MACHINES } from '../machines/locks.js';
import { SYSTEM_PROCESS } from '../kernel/kernel.js';
import { idRecord, type SimState } from './simState.js';
import type { Advance, Born } from './fold.js';

const THREAD_FACTS = [
  'ClockAdvance',
  'ThreadCreate',
  'ThreadWait',
  'ThreadWaitObjects',
  'ThreadWake',
  'KeWait',
  'KeWaitReturned',
  'ApcRegion',
  'KeInitializeEvent',
  'KeSetEvent',
  'KeResetEvent',
  'KeClearEvent',
  'EventAutoReset',
  'LockInitialize',
  'LockAcquire',
  'LockRelease',
  'LockDelete',
  'ThreadSleep',
  'ThreadExit',
] as const;
const THREAD_FACT_SET: ReadonlySet<string> = new Set(THREAD_FACTS);

export type ThreadFact = FactOf<(typeof THREAD_FACTS)[number]>;

export function isThreadFact(fact: Fact): fact is ThreadFact {
  return THREAD_FACT_SET.has(fact.type);
}

export function applyThreadFact(d: Draft<SimState>, fact: ThreadFact, born: Born, advance: Advance, sleepers?: Map<string, number>): void {
  const id = fact.object;
  switch (fact.type) {
    case 'ClockAdvance':
      if (sleepers !== undefined) {
        // An index of sleeping threads keeps long runs linear (scanning every thread is quadratic).
        for (const [thread, until] of sleepers) {
          if (until > fact.to) continue;
          sleepers.delete(thread);
          const t = d.threads[thread]!;
          if (t.state === 'sleeping') t.state = 'ready';
        }
        return;
      }
      for (const t of Object.values(d.threads)) if (t.state === 'sleeping' && (t as { wakeAt?: number }).wakeAt! <= fact.to) t.state = 'ready';
      return;
    case 'ThreadCreate':
      d.threads[id] = { name: fact.name, process: fact.process ?? SYSTEM_PROCESS, state: 'ready', waitingOn: null, waitReason: null, waitUntil: null, criticalRegion: 0, guardedRegion: 0, result: null, error: null };
      return;
    case 'ThreadWait':
      Object.assign(d.threads[id]!, { state: 'blocked', waitingOn: fact.on, waitReason: fact.reason });
      return;
    case 'ThreadWaitObjects':
      Object.assign(d.threads[id]!, { state: 'blocked', waitingOn: fact.on.join(','), waitReason: fact.reason, waitUntil: fact.until });
      return;
    case 'ThreadWake':
      Object.assign(d.threads[id]!, { state: 'ready', waitingOn: null, waitReason: null, waitUntil: null });
      return;
    case 'KeWait':
    case 'KeWaitReturned':
      return;
    case 'ApcRegion':
      Object.assign(d.threads[id]!, { criticalRegion: fact.criticalRegion, guardedRegion: fact.guardedRegion });
      return;
    case 'KeInitializeEvent': {
      const existing = d.events[id];
      if (existing === undefined) born(id, keventMachine);
      const state = advance(fact) as never;
      if (existing === undefined) d.events[id] = { name: fact.name, eventType: fact.eventType, state, setBy: [] };
      else Object.assign(existing, { name: fact.name, eventType: fact.eventType, state });
      return;
    }
    case 'KeSetEvent': {
      const e = d.events[id]!;
      e.state = advance(fact) as never;
      if (!e.setBy.includes(fact.thread)) e.setBy.push(fact.thread);
      return;
    }
    case 'KeResetEvent':
    case 'KeClearEvent':
    case 'EventAutoReset':
      d.events[id]!.state = advance(fact) as never;
      return;
    case 'LockInitialize': {
      if (d.locks[id] === undefined || d.locks[id]!.state === 'Deleted') born(id, LOCK_MACHINES[fact.lockType]);
      d.locks[id] = { name: fact.name, lockType: fact.lockType, state: advance(fact) as never, owners: idRecord() };
      return;
    }
    case 'LockAcquire': {
      const l = d.locks[id]!;
      l.state = advance(fact) as never;
      l.owners[fact.thread] = (l.owners[fact.thread] ?? 0) + 1;
      return;
    }
    case 'LockRelease': {
      const l = d.locks[id]!;
      l.state = advance(fact) as never;
      const count = (l.owners[fact.thread] ?? 0) - 1;
      if (count > 0) l.owners[fact.thread] = count;
      else delete l.owners[fact.thread];
      return;
    }
    case 'LockDelete':
      d.locks[id]!.state = advance(fact) as never;
      return;
    case 'ThreadSleep':
      // wakeAt is kept only while folding and removed before the state is handed out.
      Object.assign(d.threads[id]!, { state: 'sleeping', wakeAt: fact.until });
      sleepers?.set(id, fact.until);
      return;
    case 'ThreadExit': {
      const t = d.threads[id]!;
      t.state = 'exited';
      t.waitingOn = null;
      t.waitReason = null;
      t.waitUntil = null;
      t.result = fact.result;
      t.error = fact.error;
      return;
    }
    default:
      assertNever(fact, 'thread fact');
  }
}
