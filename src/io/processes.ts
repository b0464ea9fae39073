/**
 * Processes and the threads they own (§23.1): PEPROCESS and PETHREAD as filters see them, and the
 * table that knows which process each simulated thread belongs to.
 *
 * Two processes exist from the simulation's start, without a creation fact, as the root directory
 * of a volume does: the System process (P0, PID 4), which owns every kernel thread (DriverEntry,
 * workers, completions, FltMgr's own), and the default application process (P1), which owns the
 * threads `sim.spawn` starts without naming a process. `sim.createProcess` adds more, each a
 * ProcessCreate fact; such a process exits (ProcessExit) when its last thread has.
 * PIDs and TIDs are deterministic: System 4, then 1000, 1004, … by creation; a thread's TID is 4 × its number.
 */
import { type Actor } from 'xstate';
import { SYSTEM_PROCESS, type Kernel } from '../kernel/kernel.js';
import { DEFAULT_USER_SID, SYSTEM_SID } from '../kernel/sids.js';
import type { SimThread } from '../kernel/thread.js';
import { processMachine, type ProcessState } from '../machines/process.js';

export const SYSTEM_PID = 4;
export const DEFAULT_APPLICATION_PROCESS = 'P1';
export const FIRST_APPLICATION_PID = 1000;
export const DEFAULT_APPLICATION_NAME = 'application.exe';

/** PEPROCESS. */
export class ProcessObject {
  constructor(
    readonly id: string,
    /** The PID (PsGetProcessId). */
    readonly UniqueProcessId: number,
    readonly ImageFileName: string,
    /** The SID of the process token: its threads' token unless a thread is given another. */
    readonly token: string,
    /** @internal */ readonly actor: Actor<typeof processMachine>,
  ) {}

  get state(): ProcessState {
    return this.actor.getSnapshot().value as ProcessState;
  }

  toString(): string {
    return `${this.id}(${this.ImageFileName}:${this.UniqueProcessId})`;
  }
}

/** PETHREAD: a simulated thread as FLT_CALLBACK_DATA.Thread names it. */
export class ThreadObject {
  constructor(
    /** The simulated thread's id (`T3`). */
    readonly id: string,
    /** CLIENT_ID: the owning process's PID and the thread's TID. */
    readonly Cid: { readonly UniqueProcess: number; readonly UniqueThread: number },
    readonly process: ProcessObject,
  ) {}

  toString(): string {
    return this.id;
  }
}

export class ProcessTable {
  /** Every process, in creation order (P0, P1 first). */
  readonly processes = new Map<string, ProcessObject>();
  private readonly threadObjects = new Map<string, ThreadObject>();
  /** Threads of each explicitly created process not yet exited. */
  private readonly liveThreads = new Map<string, number>();

  constructor(private readonly kernel: Kernel) {
    this.add(SYSTEM_PROCESS, SYSTEM_PID, 'System', SYSTEM_SID);
    const id = kernel.nextId('P');
    this.add(id, FIRST_APPLICATION_PID, DEFAULT_APPLICATION_NAME, DEFAULT_USER_SID);
    // Through a const: V8 allocates a function literal assigned straight to a property in the old
    // generation, and from there it kept each simulation alive through young-generation collections
    // (docs/exploration.md, "Memory").
    const exited = (thread: SimThread): void => this.threadExited(thread);
    kernel.onThreadExit = exited;
  }

  private add(id: string, pid: number, name: string, token: string): ProcessObject {
    const actor = this.kernel.startMachine(processMachine);
    this.kernel.attachActor(id, actor);
    const process = new ProcessObject(id, pid, name, token, actor);
    this.processes.set(id, process);
    return process;
  }

  get system(): ProcessObject {
    return this.processes.get(SYSTEM_PROCESS)!;
  }

  get defaultApplication(): ProcessObject {
    return this.processes.get(DEFAULT_APPLICATION_PROCESS)!;
  }

  /** A new process, Running; threads join it with `sim.spawn(…, { process })`. */
  create(name: string, token: string): ProcessObject {
    const id = this.kernel.nextId('P');
    const pid = FIRST_APPLICATION_PID + 4 * (this.processes.size - 1);
    this.kernel.emitFact({ seq: 0, time: 0, object: id, type: 'ProcessCreate', name, pid, parent: this.kernel.current?.process ?? null, token });
    return this.add(id, pid, name, token);
  }

  /** Count a thread about to be spawned into an explicitly created process. */
  threadStarting(process: ProcessObject): void {
    this.liveThreads.set(process.id, (this.liveThreads.get(process.id) ?? 0) + 1);
  }

  private threadExited(thread: SimThread): void {
    // Not recording, a long run keeps only live objects: an exited thread's PETHREAD goes with it.
    if (!this.kernel.keepsHistory) this.threadObjects.delete(thread.id);
    const left = this.liveThreads.get(thread.process);
    if (left === undefined) return;
    this.liveThreads.set(thread.process, left - 1);
    if (left - 1 === 0) {
      this.kernel.emitFact({ seq: 0, time: 0, object: thread.process, type: 'ProcessExit', status: typeof thread.result === 'number' ? thread.result >>> 0 : 0 });
    }
  }

  /** The PETHREAD of a simulated thread (one object per thread). */
  threadObject(thread: SimThread): ThreadObject {
    let t = this.threadObjects.get(thread.id);
    if (t === undefined) {
      const process = this.processes.get(thread.process)!;
      t = new ThreadObject(thread.id, { UniqueProcess: process.UniqueProcessId, UniqueThread: 4 * Number(thread.id.slice(1)) }, process);
      this.threadObjects.set(thread.id, t);
    }
    return t;
  }
}
