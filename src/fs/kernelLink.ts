/**
 * What the file system tells the rest of the simulation, and nothing more: facts about the objects
 * it keeps for waiting requests (byte-range locks, §21.10), and which of the requests it parked it
 * now lets go. The file system stays synchronous: a request it cannot finish now comes back from
 * `dispatch` as `{ Status: STATUS_PENDING, parked: true }`; the I/O path parks it cancellably
 * (src/io/fileSystemStage.ts) and, after every later dispatch or cancel, completes the requests
 * listed in `released` on I/O completion threads the scheduler runs.
 *
 * A file system built without a kernel (the file-system unit tests) numbers its objects itself and
 * records no facts; the machines it asks for an object's state (`bornWithMachine`) still run, here,
 * on the same facts, so the file system behaves the same with a kernel and without one.
 */
import { type AnyActorRef, type AnyStateMachine } from 'xstate';
import { FltSimError } from '../kernel/errors.js';
import type { FactBody } from '../kernel/facts.js';
import type { Kernel } from '../kernel/kernel.js';
import { startMachine } from '../kernel/machineTable.js';
import type { FsCompletion } from './types.js';

/** A parked request the file system finished: the I/O path completes operation `operation` with `completion`. */
export interface ReleasedRequest {
  readonly operation: string;
  /** How it completes, or null: the file system is to run it again now (an operation whose oplock break is over, §21.8). */
  readonly completion: FsCompletion | null;
}

export class FsKernelLink {
  private localIds = 0;
  /** Without a kernel: the machines of the objects born with one, by id, until retired. */
  private readonly localMachines = new Map<string, AnyActorRef>();
  /** The fact type a local machine refused last (checked right after the send, as the kernel checks its own). */
  private rejected: string | null = null;
  /** Parked requests finished since the I/O path last took them, oldest first. */
  readonly released: ReleasedRequest[] = [];

  /** What every request touches of the whole (`<footprintId>/*`, fileFootprint.ts). */
  private readonly allFiles: string;

  /** `footprintId`: what partial-order reduction calls this file system's state (`fs:<volume name>`). */
  constructor(
    private readonly kernel: Kernel | null,
    private readonly footprintId = '',
  ) {
    this.allFiles = `${footprintId}/*`;
  }

  /**
   * The file system's state is no object's machine and its changes are no facts: every call into
   * it tells the footprint recorder (src/kernel/footprint.ts), if exploration installed one,
   * whether it looked (read) or may have changed something (write) — of the whole file system
   * here, of one file in touchedFile (fileFootprint.ts).
   */
  touched(write: boolean): void {
    const recorder = this.kernel?.footprintRecorder;
    if (recorder === null || recorder === undefined) return;
    if (write) {
      recorder.write(this.footprintId);
      recorder.write(this.allFiles);
    } else {
      recorder.read(this.footprintId);
      recorder.read(this.allFiles);
    }
  }

  /**
   * The volume's own part only (fileFootprint.ts): its flags, the holds, the parked requests let go,
   * the lists of oplocks, notify structures and byte-range locks — not any file's record.
   */
  touchedVolume(write: boolean): void {
    const recorder = this.kernel?.footprintRecorder;
    if (recorder === null || recorder === undefined) return;
    if (write) recorder.write(this.footprintId);
    else recorder.read(this.footprintId);
  }

  /** Exploration records footprints (the file system then works out which file a request confines itself to). */
  get recording(): boolean {
    return (this.kernel?.footprintRecorder ?? null) !== null;
  }

  /**
   * A request confined to file `fileId` (fileFootprint.ts): it reads the volume's own part and reads
   * or writes the file's; a write also updates the whole, which commutes with other files' writes.
   */
  touchedFile(fileId: number, write: boolean): void {
    const recorder = this.kernel?.footprintRecorder;
    if (recorder === null || recorder === undefined) return;
    recorder.read(this.footprintId);
    const file = `${this.footprintId}/${fileId}`;
    if (write) {
      recorder.write(file);
      recorder.update(this.allFiles);
    } else recorder.read(file);
  }

  /** A new object (`r…`, `w…`, `o…`) with its machine, moved out of its first state by `first` in the same step. */
  born(prefix: 'r' | 'w' | 'o', machine: AnyStateMachine, first: FactBody): string {
    const kernel = this.kernel;
    if (kernel === null) return `${prefix}${++this.localIds}`;
    const id = kernel.nextId(prefix);
    kernel.attachActor(id, kernel.startMachine(machine));
    kernel.emit(id, first);
    return id;
  }

  /**
   * `born`, and the object's machine, which the file system asks for the object's state (the
   * kernel's actor for it, or without a kernel one run here). The machine stays readable after
   * the object is retired.
   */
  bornWithMachine(prefix: 'w' | 'o', machine: AnyStateMachine, first: FactBody): { readonly id: string; readonly machine: AnyActorRef } {
    const kernel = this.kernel;
    if (kernel !== null) {
      const id = kernel.nextId(prefix);
      const actor = kernel.startMachine(machine);
      kernel.attachActor(id, actor);
      kernel.emit(id, first);
      return { id, machine: actor };
    }
    const id = `${prefix}${++this.localIds}`;
    const actor = startMachine(machine, (event) => {
      this.rejected = event.type;
    });
    this.localMachines.set(id, actor);
    this.sendLocal(id, first);
    return { id, machine: actor };
  }

  emit(object: string, body: FactBody): void {
    if (this.kernel !== null) this.kernel.emit(object, body);
    else this.sendLocal(object, body);
  }

  /** The object left the live state (released, abandoned). */
  retire(object: string): void {
    this.kernel?.retireActor(object);
    this.localMachines.delete(object);
  }

  private sendLocal(object: string, body: FactBody): void {
    const actor = this.localMachines.get(object);
    if (actor === undefined) return;
    actor.send({ object, ...body });
    const type = this.rejected;
    this.rejected = null;
    if (type !== null) throw new FltSimError(`internal: ${object} in state ${JSON.stringify(actor.getSnapshot().value)} cannot take ${type}`, { object });
  }

  release(operation: string, completion: FsCompletion | null): void {
    this.touchedVolume(true);
    this.released.push({ operation, completion });
  }
}
