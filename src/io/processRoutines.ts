/**
 * The process routines filters call with an object in hand (§23.1): IoThreadToProcess,
 * PsGetProcessId, PsGetThreadId. Those that read the current thread (PsGetCurrentProcess,
 * PsGetCurrentProcessId, PsGetCurrentThreadId) are methods of Simulation, as routines without an
 * object argument are.
 */
import { UsageError } from '../kernel/errors.js';
import { ProcessObject, ThreadObject } from './processes.js';

/** IoThreadToProcess(Thread): the process that owns the thread (scanner compares it with its own user process). */
export function IoThreadToProcess(Thread: ThreadObject): ProcessObject {
  if (!(Thread instanceof ThreadObject)) throw new UsageError('BAD_ARGUMENT', 'IoThreadToProcess: Thread is not a PETHREAD (FLT_CALLBACK_DATA.Thread)');
  return Thread.process;
}

/** PsGetProcessId(Process): its PID. */
export function PsGetProcessId(Process: ProcessObject): number {
  if (!(Process instanceof ProcessObject)) throw new UsageError('BAD_ARGUMENT', 'PsGetProcessId: Process is not a PEPROCESS');
  return Process.UniqueProcessId;
}

/** PsGetThreadId(Thread): its TID. */
export function PsGetThreadId(Thread: ThreadObject): number {
  if (!(Thread instanceof ThreadObject)) throw new UsageError('BAD_ARGUMENT', 'PsGetThreadId: Thread is not a PETHREAD');
  return Thread.Cid.UniqueThread;
}
