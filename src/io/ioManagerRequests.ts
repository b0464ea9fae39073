/**
 * How the I/O manager sends one request on an open handle and waits for it (the system service's
 * side of NtReadFile & co.): it references the file object, serialises synchronous file objects,
 * fills in CurrentByteOffset, tries the fast path first where Windows would, and lists the request
 * in flight so the cancel routines find it. A driver's own device gets the IRP directly (§23.6).
 */
import { waitFor, type Blocking } from '../kernel/effects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import { BYTE_OFFSET_USE_FILE_POINTER_POSITION, FO_SYNCHRONOUS_IO } from '../wdk/fileConstants.js';
import { STATUS_FLT_DISALLOW_FAST_IO, STATUS_INVALID_HANDLE, STATUS_INVALID_PARAMETER } from '../wdk/ntstatus.js';
import { type FltParameters, type FsctlInput } from '../wdk/parameters.js';
import { driveToCompletion } from './dispatch.js';
import type { AppRequest } from './appRequests.js';
import type { FileObject } from './fileObject.js';
import { dereferenceFileObject } from './closeFile.js';
import { startOperation } from './startOperation.js';
import { triesFastIoFirst } from './fastIoPath.js';
import type { Waitable } from '../kernel/waitable.js';
import { DEFAULT_USER_SID } from '../kernel/sids.js';
import { notifySectionConflicts } from '../fltmgr/sectionConflicts.js';
import { deviceRequest } from './deviceIo.js';
import type { IoResult } from './ioManagerTypes.js';

export class ApplicationRequests {
  private readonly serialization = new Map<string, { busy: boolean; released: Waitable }>();

  /** `handles` and `inFlight` are the I/O manager's: the open handles it sends on, the requests it lists for the cancel routines. */
  constructor(
    private readonly fltMgr: FilterManager,
    private readonly handles: ReadonlyMap<string, FileObject>,
    private readonly inFlight: AppRequest[],
  ) {}

  /** Run `body` with the request listed in flight (for the cancel routines), issued by the current thread. */
  *tracked<T>(request: Omit<AppRequest, 'thread' | 'process'>, body: Blocking<T>): Blocking<T> {
    const thread = this.fltMgr.kernel.current;
    const entry: AppRequest = { ...request, thread: thread?.id ?? null, process: thread?.process ?? null };
    this.inFlight.push(entry);
    try {
      return yield* body;
    } finally {
      const at = this.inFlight.indexOf(entry);
      if (at >= 0) this.inFlight.splice(at, 1);
    }
  }

  /** Build, send and wait for one operation on an open handle. */
  *send(
    handle: string,
    MajorFunction: number,
    parameters: (fo: FileObject) => FltParameters,
    extra: { readonly MinorFunction?: number; readonly OperationFlags?: number; readonly IrpFlags?: number; readonly buffer?: Uint8Array } = {},
  ): Blocking<IoResult> {
    const deviceFile = this.fltMgr.devices.handles.get(handle);
    if (deviceFile !== undefined) {
      // A driver's own device: the IRP goes to its driver, not down a volume's stack (§23.6).
      const Parameters = parameters(deviceFile as unknown as FileObject) as Readonly<Record<string, unknown>>;
      const SystemBuffer = (Parameters as { FileSystemControl?: { InputBuffer?: FsctlInput | null } }).FileSystemControl?.InputBuffer ?? extra.buffer ?? null;
      return { ...(yield* deviceRequest(this.fltMgr, deviceFile, MajorFunction, extra.MinorFunction ?? 0, Parameters, SystemBuffer as Readonly<Record<string, unknown>> | Uint8Array | null)), output: null };
    }
    const fo = this.handles.get(handle);
    if (fo === undefined) return { status: STATUS_INVALID_HANDLE, information: 0, output: null };
    // The system service references the object through the handle before it waits for the file
    // object's lock, so a close on another thread cannot send IRP_MJ_CLOSE under it.
    fo.pointerCount++;
    yield* this.acquire(fo);
    try {
      const Parameters = parameters(fo);
      const read = (Parameters as { Read?: { ByteOffset: number } }).Read ?? (Parameters as { Write?: { ByteOffset: number } }).Write;
      if (read !== undefined && read.ByteOffset === BYTE_OFFSET_USE_FILE_POINTER_POSITION) {
        // An asynchronous file object has no current position to use.
        return { status: STATUS_INVALID_PARAMETER, information: 0, output: null };
      }
      const spec = {
        volume: fo.volume,
        fileObject: fo,
        MajorFunction,
        MinorFunction: extra.MinorFunction ?? 0,
        OperationFlags: extra.OperationFlags ?? 0,
        IrpFlags: extra.IrpFlags ?? 0,
        Parameters,
        // These calls model an application calling the native API: the requestor is user mode.
        RequestorMode: 'UserMode' as const,
        requestorSid: this.fltMgr.kernel.current?.token ?? DEFAULT_USER_SID,
        initiator: fo.targetedInstance,
        markGenerated: false,
        ...(extra.buffer === undefined ? {} : { buffer: extra.buffer }),
      };
      if (triesFastIoFirst(this.fltMgr, fo, MajorFunction, Parameters, spec.IrpFlags)) {
        // The fast path first (src/io/fastIoPath.ts); refused, the same request goes again as an IRP.
        const fast = startOperation(this.fltMgr, { ...spec, fastIo: true });
        yield* notifySectionConflicts(this.fltMgr, fo, fast);
        yield* driveToCompletion(this.fltMgr, fast);
        if (fast.data.IoStatus.Status !== STATUS_FLT_DISALLOW_FAST_IO) return { status: fast.data.IoStatus.Status, information: fast.data.IoStatus.Information, output: fast.output };
      }
      const op = startOperation(this.fltMgr, spec);
      yield* notifySectionConflicts(this.fltMgr, fo, op);
      yield* this.tracked({ op, handle, overlapped: null }, driveToCompletion(this.fltMgr, op));
      return { status: op.data.IoStatus.Status, information: op.data.IoStatus.Information, output: op.output };
    } finally {
      this.release(fo);
      yield* dereferenceFileObject(this.fltMgr, fo);
    }
  }

  /** The I/O manager fills in CurrentByteOffset for synchronous file objects when no offset is given. */
  offsetFor(fo: FileObject, ByteOffset: number | undefined): number {
    if (ByteOffset !== undefined) return ByteOffset;
    return (fo.Flags & FO_SYNCHRONOUS_IO) !== 0 ? fo.CurrentByteOffset : BYTE_OFFSET_USE_FILE_POINTER_POSITION;
  }

  /** The I/O manager serialises I/O on a synchronous file object (one request at a time). */
  private *acquire(fo: FileObject): Blocking<void> {
    if ((fo.Flags & FO_SYNCHRONOUS_IO) === 0) return;
    let lock = this.serialization.get(fo.id);
    if (lock === undefined) {
      lock = { busy: false, released: this.fltMgr.kernel.createWaitable(`${fo.id} synchronous I/O lock`, 'pulse') };
      this.serialization.set(fo.id, lock);
    }
    while (lock.busy) yield* waitFor(lock.released, `${fo.id} busy with another synchronous request`);
    lock.busy = true;
  }

  private release(fo: FileObject): void {
    const lock = this.serialization.get(fo.id);
    if (lock === undefined || !lock.busy) return;
    lock.busy = false;
    if (lock.released.waiters.length > 0) this.fltMgr.kernel.signal(lock.released);
  }
}
