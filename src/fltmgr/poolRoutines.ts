/**
 * Pool a filter allocates for data (§20.7): ExAllocatePoolWithTag / ExAllocatePoolZero /
 * ExFreePoolWithTag / ExFreePool, and FltAllocatePoolAlignedWithTag / FltFreePoolAlignedWithTag,
 * whose blocks are aligned to the volume's sector as non-cached I/O needs.
 *
 * Alignment in the model: an Ex* block of a page or more is page aligned (4096), a smaller one 16
 * bytes aligned, as the x64 pool hands them out; an aligned block is aligned to the volume's sector
 * size. Non-cached I/O into a block aligned to less than the sector is NONCACHED_BUFFER_MISALIGNED.
 * A size no pool could satisfy (not a whole number, or more than 256 MiB) returns NULL, as an
 * allocation failure does. The Ex* routines take no object that leads to the simulation, so they
 * are generators (`yield*`) that reach it through the kernel, as KeInitializeEvent does.
 */
import { kernelCall, type Blocking } from '../kernel/effects.js';
import type { Kernel } from '../kernel/kernel.js';
import type { SimThread } from '../kernel/thread.js';
import { poolTagText } from '../wdk/buffers.js';
import type { FilterManager } from './filterManager.js';
import type { FilterObject } from './filterObject.js';
import type { InstanceObject } from './instanceObject.js';
import type { PoolBlock } from './memoryObjects.js';
import { UsageError } from '../kernel/errors.js';
import { badArgument, kindOf, sizeArgument, ulongArgument } from '../kernel/arguments.js';
import { instanceArgument } from './objectArguments.js';

const PAGE_SIZE = 4096;
const SMALL_BLOCK_ALIGNMENT = 16;
const MAX_BLOCK = 256 * 1024 * 1024;

/** A size the pool can give: more than MAX_BLOCK is NULL (out of pool), not a whole number a TypeScript mistake. */
function validSize(routine: string, NumberOfBytes: unknown): NumberOfBytes is number {
  return sizeArgument(routine, 'NumberOfBytes', NumberOfBytes) <= MAX_BLOCK;
}

/** A pool tag: a ULONG, or up to four characters as C writes 'Tag1'. */
function tagArgument(routine: string, Tag: unknown): number | string {
  if (typeof Tag === 'string' && Tag.length >= 1 && Tag.length <= 4) return Tag;
  if (typeof Tag === 'number') return ulongArgument(routine, 'Tag', Tag);
  throw badArgument(routine, `Tag is ${kindOf(Tag)}, not a ULONG or a string of one to four characters`);
}

/** The Filter Manager of the simulation a kernel call runs in (for routines that reach it only through the kernel). */
export function fltMgrOfKernel(kernel: Kernel): FilterManager {
  const fltMgr = kernel.owners.get('FilterManager');
  if (fltMgr === undefined) throw new UsageError('NO_SIMULATION', 'pool routines need a simulation with a Filter Manager');
  return fltMgr as FilterManager;
}

/** The filter whose callback or work item is running on this thread: the block's owner in the log. */
export function callerFilter(fltMgr: FilterManager, thread: SimThread): FilterObject | null {
  const id = thread.callbackFilters.at(-1);
  return id === undefined ? null : (fltMgr.filters.find((f) => f.id === id) ?? null);
}

function allocateEx(routine: string, PoolType: number, NumberOfBytes: number, Tag: number | string): Blocking<Uint8Array | null> {
  ulongArgument(routine, 'PoolType', PoolType);
  tagArgument(routine, Tag);
  return kernelCall((kernel, thread) => {
    if (!validSize(routine, NumberOfBytes)) return null;
    const fltMgr = fltMgrOfKernel(kernel);
    const alignment = NumberOfBytes >= PAGE_SIZE ? PAGE_SIZE : SMALL_BLOCK_ALIGNMENT;
    return fltMgr.memory.allocate(routine, callerFilter(fltMgr, thread), NumberOfBytes, poolTagText(Tag), false, alignment).Buffer;
  });
}

/** ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag): the bytes are zero here (the model has no stale memory), or NULL. */
export function ExAllocatePoolWithTag(PoolType: number, NumberOfBytes: number, Tag: number | string): Blocking<Uint8Array | null> {
  return allocateEx('ExAllocatePoolWithTag', PoolType, NumberOfBytes, Tag);
}

/** ExAllocatePoolZero(PoolType, NumberOfBytes, Tag): zeroed pool, or NULL. */
export function ExAllocatePoolZero(PoolType: number, NumberOfBytes: number, Tag: number | string): Blocking<Uint8Array | null> {
  return allocateEx('ExAllocatePoolZero', PoolType, NumberOfBytes, Tag);
}

/** Check a free: the block must be one of this allocator's, not freed, and (when a tag is given) carry that tag. */
function checkFree(fltMgr: FilterManager, routine: string, P: unknown, Tag: number | string | null, aligned: boolean): PoolBlock {
  const block = P instanceof Uint8Array ? fltMgr.memory.blockOf(P) : undefined;
  const object = fltMgr.kernel.current?.id ?? 'sim';
  if (block === undefined) throw fltMgr.kernel.violation('BUFFER_INVALID', object, `${routine} on memory no pool routine allocated (§20.7)`);
  if (block.state === 'Freed') throw fltMgr.kernel.violation('BUFFER_USED_AFTER_FREE', block.id, `${routine} on ${block}, which was already freed`);
  if (block.aligned !== aligned) {
    const allocator = block.aligned ? 'FltAllocatePoolAlignedWithTag (free it with FltFreePoolAlignedWithTag)' : 'ExAllocatePool* (free it with ExFreePoolWithTag)';
    throw fltMgr.kernel.violation('BUFFER_INVALID', block.id, `${routine} on ${block}, which came from ${allocator} (§20.7)`);
  }
  if (Tag !== null && poolTagText(Tag) !== block.tag) throw fltMgr.kernel.violation('BUFFER_INVALID', block.id, `${routine} on ${block} with tag '${poolTagText(Tag)}'`);
  return block;
}

/** ExFreePoolWithTag(P, Tag). */
export function ExFreePoolWithTag(P: Uint8Array, Tag: number | string): Blocking<void> {
  tagArgument('ExFreePoolWithTag', Tag);
  return kernelCall((kernel) => {
    const fltMgr = fltMgrOfKernel(kernel);
    fltMgr.memory.free(checkFree(fltMgr, 'ExFreePoolWithTag', P, Tag, false), 'ExFreePoolWithTag');
  });
}

/** ExFreePool(P). */
export function ExFreePool(P: Uint8Array): Blocking<void> {
  return kernelCall((kernel) => {
    const fltMgr = fltMgrOfKernel(kernel);
    fltMgr.memory.free(checkFree(fltMgr, 'ExFreePool', P, null, false), 'ExFreePool');
  });
}

/**
 * FltAllocatePoolAlignedWithTag(Instance, PoolType, NumberOfBytes, Tag): a block aligned to the
 * instance's volume sector (§20.7); NumberOfBytes 0 gives the smallest aligned block (one sector).
 */
export function FltAllocatePoolAlignedWithTag(Instance: InstanceObject, PoolType: number, NumberOfBytes: number, Tag: number | string): Uint8Array | null {
  const routine = 'FltAllocatePoolAlignedWithTag';
  instanceArgument(routine, Instance);
  ulongArgument(routine, 'PoolType', PoolType);
  tagArgument(routine, Tag);
  if (!validSize(routine, NumberOfBytes)) return null;
  const fltMgr = Instance.filter.fltMgr;
  const sector = Instance.volume.sectorSize;
  return fltMgr.memory.allocate('FltAllocatePoolAlignedWithTag', Instance.filter, NumberOfBytes === 0 ? sector : NumberOfBytes, poolTagText(Tag), true, sector).Buffer;
}

/** FltFreePoolAlignedWithTag(Instance, Buffer, Tag): only for blocks FltAllocatePoolAlignedWithTag returned. */
export function FltFreePoolAlignedWithTag(Instance: InstanceObject, Buffer: Uint8Array, Tag: number | string): void {
  instanceArgument('FltFreePoolAlignedWithTag', Instance);
  tagArgument('FltFreePoolAlignedWithTag', Tag);
  const fltMgr = Instance.filter.fltMgr;
  fltMgr.memory.free(checkFree(fltMgr, 'FltFreePoolAlignedWithTag', Buffer, Tag, true), 'FltFreePoolAlignedWithTag');
}
