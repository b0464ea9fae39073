/**
 * FltReadFile and FltWriteFile (§11.4, §11.5): generated reads and writes below the initiating
 * instance, synchronous (no callback) or asynchronous (with one).
 *
 * Offsets, per the current DDI text (§13 A2 default): an explicit ByteOffset is used as given; on a
 * synchronous file object a missing offset (or FILE_USE_FILE_POINTER_POSITION) means
 * CurrentByteOffset, which the file system then advances; on an asynchronous file object the
 * offset is mandatory. FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET saves CurrentByteOffset before
 * the I/O and restores it at completion, so lower post-ops see the moved value and the caller does
 * not. Unlike ZwReadFile, nothing serialises these against other I/O on the file object.
 */
import type { Blocking } from '../kernel/effects.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import { fail, requireThread } from '../fltmgr/routineSupport.js';
import type { FileObject } from '../io/fileObject.js';
import { updateFileObject } from '../io/fileObjectLifecycle.js';
import { startOperation } from '../io/startOperation.js';
import { BYTE_OFFSET_USE_FILE_POINTER_POSITION, FO_SYNCHRONOUS_IO } from '../wdk/fileConstants.js';
import {
  FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET,
  FLTFL_IO_OPERATION_NON_CACHED,
  FLTFL_IO_OPERATION_PAGING,
  FLTFL_IO_OPERATION_SYNCHRONOUS_PAGING,
} from '../wdk/fltConstants.js';
import { IRP_MJ_READ, IRP_MJ_WRITE, IRP_NOCACHE, IRP_PAGING_IO, IRP_SYNCHRONOUS_PAGING_IO } from '../wdk/irp.js';
import { STATUS_INVALID_PARAMETER, STATUS_PENDING, STATUS_SUCCESS, type NTSTATUS } from '../wdk/ntstatus.js';
import type { PFLT_COMPLETED_ASYNC_IO_CALLBACK } from './callbackDataRoutines.js';
import { checkFileObject, checkInitiator, performAsynchronous, performSynchronous } from './generatedIo.js';
import { SYSTEM_SID } from '../kernel/sids.js';
import { bufferArgument, callbackArgument, fileObjectArgument, instanceArgument, offsetArgument, ulongArgument } from './routineArguments.js';

export interface ReadResult {
  readonly status: NTSTATUS;
  /** Bytes read (synchronous calls; ignored for asynchronous ones, as in the WDK). */
  readonly BytesRead: number;
}

export interface WriteResult {
  readonly status: NTSTATUS;
  readonly BytesWritten: number;
}

/**
 * FltReadFile(InitiatingInstance, FileObject, ByteOffset, Length, Buffer, Flags, CallbackRoutine,
 * CallbackContext): the bytes land in Buffer (at completion, for an asynchronous read).
 */
export function* FltReadFile(
  InitiatingInstance: InstanceObject,
  FileObject: FileObject,
  ByteOffset: number | null,
  Length: number,
  Buffer: Uint8Array,
  Flags = 0,
  CallbackRoutine: PFLT_COMPLETED_ASYNC_IO_CALLBACK | null = null,
  CallbackContext: unknown = null,
): Blocking<ReadResult> {
  const r = yield* readOrWrite('FltReadFile', IRP_MJ_READ, InitiatingInstance, FileObject, ByteOffset, Length, Buffer, Flags, CallbackRoutine, CallbackContext);
  return { status: r.status, BytesRead: r.bytes };
}

/** FltWriteFile(InitiatingInstance, FileObject, ByteOffset, Length, Buffer, Flags, CallbackRoutine, CallbackContext). ByteOffset -1 appends. */
export function* FltWriteFile(
  InitiatingInstance: InstanceObject,
  FileObject: FileObject,
  ByteOffset: number | null,
  Length: number,
  Buffer: Uint8Array,
  Flags = 0,
  CallbackRoutine: PFLT_COMPLETED_ASYNC_IO_CALLBACK | null = null,
  CallbackContext: unknown = null,
): Blocking<WriteResult> {
  const r = yield* readOrWrite('FltWriteFile', IRP_MJ_WRITE, InitiatingInstance, FileObject, ByteOffset, Length, Buffer, Flags, CallbackRoutine, CallbackContext);
  return { status: r.status, BytesWritten: r.bytes };
}

function* readOrWrite(
  routine: string,
  major: number,
  instance: InstanceObject,
  fo: FileObject,
  ByteOffset: number | null,
  Length: number,
  Buffer: Uint8Array,
  Flags: number,
  callback: PFLT_COMPLETED_ASYNC_IO_CALLBACK | null,
  context: unknown,
): Blocking<{ status: NTSTATUS; bytes: number }> {
  instanceArgument(routine, 'InitiatingInstance', instance);
  const fltMgr = instance.filter.fltMgr;
  fileObjectArgument(routine, fo);
  ByteOffset = offsetArgument(routine, 'ByteOffset', ByteOffset);
  ulongArgument(routine, 'Length', Length);
  bufferArgument(routine, 'Buffer', Buffer);
  ulongArgument(routine, 'Flags', Flags);
  callbackArgument(routine, 'CallbackRoutine', callback);
  requireThread(fltMgr, routine);
  const refused = checkInitiator(fltMgr, instance, routine) ?? checkFileObject(fltMgr, instance, fo, routine);
  if (refused !== null) return { status: refused, bytes: 0 };
  if (!(Buffer instanceof Uint8Array)) return { status: fail(fltMgr, instance, routine, STATUS_INVALID_PARAMETER, 'Buffer is not a buffer (a Uint8Array)'), bytes: 0 };
  if (Buffer.length < Length) return { status: fail(fltMgr, instance, routine, STATUS_INVALID_PARAMETER, `Buffer holds ${Buffer.length} bytes, Length is ${Length}`), bytes: 0 };
  if ((Flags & FLTFL_IO_OPERATION_SYNCHRONOUS_PAGING) !== 0 && (Flags & FLTFL_IO_OPERATION_PAGING) === 0) {
    return { status: fail(fltMgr, instance, routine, STATUS_INVALID_PARAMETER, 'FLTFL_IO_OPERATION_SYNCHRONOUS_PAGING requires FLTFL_IO_OPERATION_PAGING'), bytes: 0 };
  }
  const synchronousFile = (fo.Flags & FO_SYNCHRONOUS_IO) !== 0;
  const usePointer = ByteOffset === null || ByteOffset === BYTE_OFFSET_USE_FILE_POINTER_POSITION;
  // -1 is FILE_WRITE_TO_END_OF_FILE for a write; any other negative offset is refused, as NtReadFile/NtWriteFile do.
  if (ByteOffset !== null && ByteOffset < 0 && !usePointer && !(major === IRP_MJ_WRITE && ByteOffset === -1)) {
    return { status: fail(fltMgr, instance, routine, STATUS_INVALID_PARAMETER, `ByteOffset ${ByteOffset} is negative`), bytes: 0 };
  }
  if (usePointer && !synchronousFile) {
    return { status: fail(fltMgr, instance, routine, STATUS_INVALID_PARAMETER, `${fo} is not a synchronous file object: ByteOffset is required`), bytes: 0 };
  }
  const offset = usePointer ? fo.CurrentByteOffset : (ByteOffset as number);
  const irpFlags =
    ((Flags & FLTFL_IO_OPERATION_NON_CACHED) !== 0 ? IRP_NOCACHE : 0) |
    ((Flags & FLTFL_IO_OPERATION_PAGING) !== 0 ? IRP_PAGING_IO : 0) |
    ((Flags & FLTFL_IO_OPERATION_SYNCHRONOUS_PAGING) !== 0 ? IRP_SYNCHRONOUS_PAGING_IO : 0);
  const write = major === IRP_MJ_WRITE;
  const payload = write ? Buffer.slice(0, Length) : undefined;
  const op = startOperation(fltMgr, {
    volume: fo.volume,
    fileObject: fo,
    MajorFunction: major,
    IrpFlags: irpFlags,
    // The caller's buffer itself (§20.1): lower filters see it, and a read lands in it at completion.
    Parameters: write ? { Write: { Length, Key: 0, ByteOffset: offset, WriteBuffer: Buffer, MdlAddress: null } } : { Read: { Length, Key: 0, ByteOffset: offset, ReadBuffer: Buffer, MdlAddress: null } },
    RequestorMode: 'KernelMode',
    requestorSid: fltMgr.kernel.current?.token ?? SYSTEM_SID,
    initiator: instance,
    ...(payload === undefined ? {} : { buffer: payload }),
  });
  const restore =
    synchronousFile && ((Flags & FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET) !== 0 || (!usePointer && !fltMgr.options.semantics.explicitOffsetUpdatesPosition));
  const saved = fo.CurrentByteOffset;
  if (restore) op.onComplete.push(() => updateFileObject(fltMgr, fo, saved, fo.Flags));
  if (callback === null) {
    yield* performSynchronous(fltMgr, op);
    return { status: op.data.IoStatus.Status, bytes: op.data.IoStatus.Information };
  }
  const inline = fltMgr.options.semantics.asyncReadWriteReturn === 'perform';
  const outcome = yield* performAsynchronous(fltMgr, op, { routine: callback, context }, inline);
  return { status: outcome === 'pending' ? STATUS_PENDING : STATUS_SUCCESS, bytes: 0 };
}
