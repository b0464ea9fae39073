/**
 * Pool blocks and MDLs (§20.3–§20.7): the memory a filter (or FltMgr for it) allocates to hold an
 * operation's data, with the table of live ones. Lifecycles in src/machines/poolBlock.ts and
 * src/machines/mdl.ts; every change is a fact first.
 *
 * A pool block hands out a `Uint8Array`: the bytes a pointer to it would address. Routines that take
 * the pointer back (ExFreePoolWithTag, FltFreePoolAlignedWithTag, IoAllocateMdl) find the block by
 * the array's identity. An MDL's system address is a view of the bytes it describes, never a copy.
 */
import { type Actor } from 'xstate';
import { isRetained, mdlMachine, mdlState, type MdlState } from '../machines/mdl.js';
import { poolBlockMachine, type PoolBlockState } from '../machines/poolBlock.js';
import type { MDL } from '../wdk/buffers.js';
import type { Kernel } from '../kernel/kernel.js';
import type { FilterObject } from './filterObject.js';

/** A block of pool: `Buffer` is what the allocating routine returned. */
export class PoolBlock {
  constructor(
    readonly id: string,
    readonly owner: FilterObject | null,
    readonly tag: string,
    readonly Buffer: Uint8Array,
    /** Allocated with FltAllocatePoolAlignedWithTag (freed only with FltFreePoolAlignedWithTag). */
    readonly aligned: boolean,
    /** The address alignment the block has, in bytes. */
    readonly alignment: number,
    /** @internal */ readonly actor: Actor<typeof poolBlockMachine>,
  ) {}

  get state(): PoolBlockState {
    return this.actor.getSnapshot().value as PoolBlockState;
  }

  toString(): string {
    return `${this.id}(pool '${this.tag}', ${this.Buffer.length} bytes)`;
  }
}

/** An MDL: `ByteCount` bytes starting at the buffer it was built for; `view` is its system address. */
export class MdlObject implements MDL {
  /** No chains: IoAllocateMdl's SecondaryBuffer (chaining to an IRP) is not modelled. */
  readonly Next: MDL | null = null;

  constructor(
    readonly id: string,
    readonly owner: FilterObject | null,
    readonly view: Uint8Array,
    /** The pool block it describes, when it describes one. */
    readonly block: PoolBlock | null,
    /** The operation FltMgr built it for (FltLockUserBuffer), freed when that operation completes. */
    readonly operation: string | null,
    /** @internal */ readonly actor: Actor<typeof mdlMachine>,
    /** Routines handed only the MDL (MmGetSystemAddressForMdlSafe, IoFreeMdl) report through it. */
    /** @internal */ readonly kernel: Kernel,
  ) {}

  get ByteCount(): number {
    return this.view.length;
  }

  get state(): MdlState {
    return mdlState(this.actor.getSnapshot());
  }

  /** A swapping post-op retained it (FltRetainSwappedBufferMdlAddress): the machine's part of Locked or Freed. */
  get retained(): boolean {
    return isRetained(this.actor.getSnapshot());
  }

  toString(): string {
    return `${this.id}(MDL, ${this.view.length} bytes)`;
  }
}

export class MemoryTable {
  /** Blocks not yet freed, by id, in allocation order. */
  readonly blocks = new Map<string, PoolBlock>();
  /** MDLs not yet freed, by id, in allocation order. */
  readonly mdls = new Map<string, MdlObject>();
  /**
   * MDLs a pre-op swapped into an operation whose post-op is not done yet (src/io/buffers.ts). Their
   * machines stay live after a free: the post-op may still retain them, and FltMgr asks at its end.
   */
  readonly swapped = new Set<MdlObject>();
  /** Every block ever handed out, by the array it handed out (a freed one too: a second free is named). */
  readonly #byBuffer = new WeakMap<Uint8Array, PoolBlock>();

  constructor(private readonly kernel: Kernel) {}

  allocate(routine: string, owner: FilterObject | null, bytes: number, tag: string, aligned: boolean, alignment: number): PoolBlock {
    const kernel = this.kernel;
    const id = kernel.nextId('S');
    kernel.emitFact({ seq: 0, time: 0, object: id, type: 'PoolAllocate', routine, owner: owner?.id ?? null, tag, bytes, aligned, alignment });
    const actor = kernel.startMachine(poolBlockMachine);
    kernel.attachActor(id, actor);
    const block = new PoolBlock(id, owner, tag, new Uint8Array(bytes), aligned, alignment, actor);
    this.blocks.set(id, block);
    this.#byBuffer.set(block.Buffer, block);
    return block;
  }

  blockOf(buffer: Uint8Array): PoolBlock | undefined {
    return this.#byBuffer.get(buffer);
  }

  free(block: PoolBlock, routine: string): void {
    this.kernel.emitFact({ seq: 0, time: 0, object: block.id, type: 'PoolFree', routine });
    this.blocks.delete(block.id);
    this.kernel.retireActor(block.id);
  }

  /** An MDL for `view`, which starts at `base` (the buffer the caller named; its pool block is recorded). */
  allocateMdl(routine: string, owner: FilterObject | null, base: Uint8Array, view: Uint8Array, operation: string | null): MdlObject {
    const kernel = this.kernel;
    const id = kernel.nextId('A');
    const block = this.blockOf(base) ?? null;
    kernel.emitFact({ seq: 0, time: 0, object: id, type: 'IoAllocateMdl', routine, owner: owner?.id ?? null, buffer: block?.id ?? null, bytes: view.length, operation });
    const actor = kernel.startMachine(mdlMachine);
    kernel.attachActor(id, actor);
    const mdl = new MdlObject(id, owner, view, block, operation, actor, kernel);
    this.mdls.set(id, mdl);
    return mdl;
  }

  lock(mdl: MdlObject, routine: string): void {
    if (mdl.state === 'Allocated') this.kernel.emitFact({ seq: 0, time: 0, object: mdl.id, type: 'MdlLocked', routine });
  }

  freeMdl(mdl: MdlObject, by: 'FltMgr' | 'filter'): void {
    this.kernel.emitFact({ seq: 0, time: 0, object: mdl.id, type: 'IoFreeMdl', by });
    this.mdls.delete(mdl.id);
    if (!this.swapped.has(mdl)) this.kernel.retireActor(mdl.id);
  }

  /** The swapping post-op is done with `mdl`: a freed one's machine retires now. */
  swapFinished(mdl: MdlObject): void {
    this.swapped.delete(mdl);
    if (mdl.state === 'Freed') this.kernel.retireActor(mdl.id);
  }
}

/** The MDL object behind an `MDL` a routine was handed, or null for anything fltsim did not make. */
export function mdlObject(mdl: unknown): MdlObject | null {
  return mdl instanceof MdlObject ? mdl : null;
}
