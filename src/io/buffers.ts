/**
 * The data of an operation on its way through the stack (§20): where FLT_PARAMETERS keeps the
 * buffer and the MDL of a read, a write or a directory query, what the file system transfers to or
 * from (the MDL's bytes when there is one, else the buffer: "if both are present, use the MDL"), and
 * what a buffer swap (§20.6) leaves to FltMgr: the inserted MDL to free after the swapping
 * instance's post-op, unless it retained it.
 *
 * The checks here are where Windows would corrupt memory or bugcheck: a buffer a filter passed down
 * that is shorter than the transfer, a freed or unlocked MDL, a non-cached transfer into a buffer not
 * aligned to the sector. The requester's own buffer shorter than a Length a filter raised is the file
 * system's STATUS_INVALID_USER_BUFFER: its probe of the buffer fails [model: on Windows the probe
 * fails only at an unmapped page, and a shorter overrun corrupts the requester's memory].
 */
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import { mdlObject, type MdlObject, type PoolBlock } from '../fltmgr/memoryObjects.js';
import type { FsCompletion } from '../fs/types.js';
import { encodeDirectoryEntries } from '../wdk/directoryBytes.js';
import { encodeFileNotifyInformation } from '../wdk/directoryNotify.js';
import { IRP_MJ_READ, IRP_MJ_WRITE, IRP_NOCACHE, irpMajorName } from '../wdk/irp.js';
import type { FltParameters } from '../wdk/parameters.js';
import type { CompletionNode, IoOperation } from './ioOperation.js';

/** Where one operation's data buffer lives in its FLT_PARAMETERS member. */
export interface DataMember {
  /** The object holding the fields: Parameters.Read, .Write, or .DirectoryControl.QueryDirectory. */
  readonly holder: Record<string, unknown>;
  readonly bufferKey: 'ReadBuffer' | 'WriteBuffer' | 'DirectoryBuffer';
  readonly name: 'Read' | 'Write' | 'QueryDirectory' | 'NotifyDirectory';
}

function own(record: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

export function dataMemberOf(parameters: FltParameters): DataMember | null {
  const p = parameters as unknown as Record<string, unknown>;
  const read = own(p, 'Read');
  if (read !== null && typeof read === 'object') return { holder: read as Record<string, unknown>, bufferKey: 'ReadBuffer', name: 'Read' };
  const write = own(p, 'Write');
  if (write !== null && typeof write === 'object') return { holder: write as Record<string, unknown>, bufferKey: 'WriteBuffer', name: 'Write' };
  const control = own(p, 'DirectoryControl');
  const query = control !== null && typeof control === 'object' ? own(control as Record<string, unknown>, 'QueryDirectory') : undefined;
  if (query !== null && typeof query === 'object') return { holder: query as Record<string, unknown>, bufferKey: 'DirectoryBuffer', name: 'QueryDirectory' };
  const notify = control !== null && typeof control === 'object' ? own(control as Record<string, unknown>, 'NotifyDirectory') : undefined;
  if (notify !== null && typeof notify === 'object') return { holder: notify as Record<string, unknown>, bufferKey: 'DirectoryBuffer', name: 'NotifyDirectory' };
  return null;
}

/** The bytes a transfer uses, and the pool block they belong to (for the alignment rule). */
export interface Transfer {
  readonly bytes: Uint8Array;
  readonly block: PoolBlock | null;
  readonly mdl: MdlObject | null;
}

/**
 * The buffer the file system reads or fills for these parameters, or null when they carry none
 * (then the data travels in the operation's output, as for a filter's own callback data without a
 * buffer). A value that is not a buffer or an MDL fltsim made is the filter's mistake, named.
 */
export function transferOf(fltMgr: FilterManager, op: IoOperation, parameters: FltParameters): Transfer | null {
  const member = dataMemberOf(parameters);
  if (member === null) return null;
  const rawMdl = own(member.holder, 'MdlAddress');
  if (rawMdl !== undefined && rawMdl !== null) {
    const mdl = mdlObject(rawMdl);
    if (mdl === null) throw fltMgr.kernel.violation('BUFFER_INVALID', op.id, `${op.id}: ${member.name}.MdlAddress is not an MDL (IoAllocateMdl or FltLockUserBuffer make one), §20.1`);
    if (mdl.state === 'Freed') throw fltMgr.kernel.violation('BUFFER_USED_AFTER_FREE', mdl.id, `${op.id}: ${member.name}.MdlAddress is ${mdl}, which was freed (§20.6)`);
    if (mdl.state !== 'Locked') throw fltMgr.kernel.violation('MDL_NOT_LOCKED', mdl.id, `${op.id}: ${member.name}.MdlAddress is ${mdl}, whose pages were never locked (MmBuildMdlForNonPagedPool or FltLockUserBuffer), §20.4`);
    return { bytes: mdl.view, block: mdl.block, mdl };
  }
  const buffer = own(member.holder, member.bufferKey);
  if (buffer === undefined || buffer === null) return null;
  if (!(buffer instanceof Uint8Array)) throw fltMgr.kernel.violation('BUFFER_INVALID', op.id, `${op.id}: ${member.name}.${member.bufferKey} is not a buffer (a Uint8Array), §20.1`);
  const block = fltMgr.memory.blockOf(buffer) ?? null;
  if (block !== null && block.state === 'Freed') throw fltMgr.kernel.violation('BUFFER_USED_AFTER_FREE', block.id, `${op.id}: ${member.name}.${member.bufferKey} is ${block}, which was freed`);
  return { bytes: buffer, block, mdl: null };
}

/**
 * Before the file system runs: the transfer it will make, checked. Its Length must fit the buffer;
 * a non-cached read or write moves whole sectors by DMA, so its buffer must be sector aligned
 * (§20.7): a pool block with a smaller alignment is the filter's mistake.
 */
export function checkedTransfer(fltMgr: FilterManager, op: IoOperation): Transfer | null | 'invalidUserBuffer' {
  const iopb = op.currentIopb;
  const transfer = transferOf(fltMgr, op, iopb.Parameters);
  if (transfer === null) return null;
  const member = dataMemberOf(iopb.Parameters)!;
  const length = member.holder['Length'];
  if (typeof length === 'number' && length > transfer.bytes.length) {
    // The requester's own buffer: the file system probes it for Length bytes and fails the request
    // (neither I/O, §20.1). A buffer a filter put there instead is the filter's mistake.
    if (isRequesterBuffer(fltMgr, op, transfer.bytes)) return 'invalidUserBuffer';
    const what = transfer.mdl !== null ? `${transfer.mdl}` : transfer.block !== null ? `${transfer.block}` : `a ${transfer.bytes.length}-byte buffer`;
    throw fltMgr.kernel.violation('BUFFER_TOO_SHORT', op.id, `${op.id} ${irpMajorName(op.major)}: ${member.name}.Length is ${length} but the buffer the file system would use is ${what} (§20.1)`);
  }
  const sector = op.volume.sectorSize;
  const dataTransfer = op.major === IRP_MJ_READ || op.major === IRP_MJ_WRITE;
  if (dataTransfer && (iopb.IrpFlags & IRP_NOCACHE) !== 0 && transfer.block !== null && transfer.block.alignment < sector) {
    throw fltMgr.kernel.violation(
      'NONCACHED_BUFFER_MISALIGNED',
      transfer.block.id,
      `${op.id} ${irpMajorName(op.major)} is non-cached (IRP_NOCACHE) but its buffer ${transfer.block} is aligned to ${transfer.block.alignment} bytes, not to the ${sector}-byte sector: allocate it with FltAllocatePoolAlignedWithTag (§20.7)`,
    );
  }
  return transfer;
}

/** Is `bytes` the memory of the buffer the operation was issued with (the requester's, or an MDL over it)? */
function isRequesterBuffer(fltMgr: FilterManager, op: IoOperation, bytes: Uint8Array): boolean {
  const issued = transferOf(fltMgr, op, op.issuerIopb.Parameters);
  return issued !== null && issued.bytes.buffer === bytes.buffer && issued.bytes.byteOffset === bytes.byteOffset;
}

/** After the file system returned: a read's data or a directory query's entries land in the transfer buffer. */
export function deliverData(transfer: Transfer | null, result: FsCompletion): void {
  if (transfer === null || result.output === undefined) return;
  const output = result.output;
  if (output.kind === 'data') {
    transfer.bytes.set(output.data.subarray(0, Math.min(output.data.length, transfer.bytes.length)));
  } else if (output.kind === 'directory') {
    const bytes = encodeDirectoryEntries(output.FileInformationClass, output.entries, Math.min(result.Information, transfer.bytes.length));
    transfer.bytes.set(bytes);
  } else if (output.kind === 'notify') {
    transfer.bytes.set(encodeFileNotifyInformation(output.changes, Math.min(result.Information, transfer.bytes.length)));
  }
}

// ---------------------------------------------------------------------------------- buffer swapping

/** What a pre-op's dirty edits replaced (§20.6): a buffer, or an MDL that FltLockUserBuffer did not make. */
export function swappedFields(before: FltParameters, after: FltParameters): string[] {
  const a = dataMemberOf(before);
  const b = dataMemberOf(after);
  if (a === null || b === null) return [];
  const fields: string[] = [];
  if (own(a.holder, a.bufferKey) !== own(b.holder, b.bufferKey)) fields.push(`${b.name}.${b.bufferKey}`);
  const oldMdl = own(a.holder, 'MdlAddress') ?? null;
  const newMdl = own(b.holder, 'MdlAddress') ?? null;
  if (oldMdl !== newMdl && !(newMdl !== null && mdlObject(newMdl)?.operation !== null && mdlObject(newMdl)?.operation !== undefined)) fields.push(`${b.name}.MdlAddress`);
  return fields;
}

/** The MDL a swapping pre-op put in MdlAddress, if it put one there. */
export function insertedMdl(before: FltParameters, after: FltParameters): MdlObject | null {
  const a = dataMemberOf(before);
  const b = dataMemberOf(after);
  if (a === null || b === null) return null;
  const newMdl = own(b.holder, 'MdlAddress') ?? null;
  return newMdl !== null && newMdl !== (own(a.holder, 'MdlAddress') ?? null) ? mdlObject(newMdl) : null;
}

type InstanceNode = Extract<CompletionNode, { kind: 'instance' }>;

/**
 * The swapping instance's post-op is done (returned FINISHED_PROCESSING, or its pended post-op was
 * completed): FltMgr frees the MDL the pre-op inserted, unless the post-op called
 * FltRetainSwappedBufferMdlAddress (§20.6). Freeing it twice is the filter's mistake: it must not
 * free the MDL it inserted.
 */
export function finishSwap(fltMgr: FilterManager, op: IoOperation, node: InstanceNode): void {
  const swap = node.swap;
  if (swap === undefined || swap === null || swap.mdl === null) return;
  const mdl = swap.mdl;
  fltMgr.memory.swapFinished(mdl);
  // The MDL's machine says whether the post-op retained it (before or after freeing it itself).
  if (mdl.retained) return;
  if (mdl.state === 'Freed') {
    throw fltMgr.kernel.violation('BUFFER_USED_AFTER_FREE', mdl.id, `${node.instance.filter.name} freed ${mdl}, the MDL its pre-op swapped into ${op.id}; FltMgr frees it after the post-op unless the post-op calls FltRetainSwappedBufferMdlAddress (§20.6)`);
  }
  fltMgr.memory.freeMdl(mdl, 'FltMgr');
}

/** Operations still waiting for `instance`'s post-op after it swapped their buffers: never drained (§20.6). */
export function swappedOperationsOf(fltMgr: FilterManager, instance: InstanceObject): IoOperation[] {
  const out: IoOperation[] = [];
  for (const op of fltMgr.operations) {
    if (op.completion.some((n) => n.kind === 'instance' && n.instance === instance && op.slotState(n) === 'waiting' && n.swap !== undefined && n.swap !== null)) out.push(op);
  }
  return out;
}
