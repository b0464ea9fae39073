/**
 * The I/O manager's side of a driver's own device (§23.6; objects in src/io/deviceObjects.ts): an
 * application opens it by name, sends requests on the handle, closes it. Each request is an IRP
 * given to DRIVER_OBJECT.MajorFunction[major] of the device's driver on the requesting thread
 * (IoCallDriver); FltMgr and the volumes' stacks take no part. As for files, IRP_MJ_CLEANUP goes
 * when the last handle closes and IRP_MJ_CLOSE when the last reference goes — a request in flight
 * holds one, so its IRP can reach the driver after the cleanup. NtDeviceIoControlFile tries the
 * driver's FastIoDeviceControl first and sends IRP_MJ_DEVICE_CONTROL only if it returns FALSE.
 */
import { callMaybeBlocking, waitFor, type Blocking } from '../kernel/effects.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import { fileObjectMachine } from '../machines/fileObject.js';
import { FO_HANDLE_CREATED } from '../wdk/fileConstants.js';
import { IRP_MJ_CLEANUP, IRP_MJ_CLOSE, IRP_MJ_CREATE, IRP_MJ_DEVICE_CONTROL } from '../wdk/irp.js';
import { NT_SUCCESS, STATUS_INVALID_DEVICE_REQUEST, STATUS_PENDING, type NTSTATUS } from '../wdk/ntstatus.js';
import { IO_NO_INCREMENT } from '../sync/kevent.js';
import { allocateIrp, DeviceFileObject, IoCompleteRequest, retireDevice, type DEVICE_OBJECT, type IO_STATUS_BLOCK, type IRP } from './deviceObjects.js';

export interface DeviceIoResult {
  readonly status: NTSTATUS;
  readonly information: number;
}

/** The device a path names: a named device that can still be opened, and the rest of the path (its FileName). */
export function deviceOfPath(fltMgr: FilterManager, path: string): { device: DEVICE_OBJECT; remainder: string } | null {
  if (fltMgr.devices.byName.size === 0) return null;
  const lower = path.toLowerCase();
  for (const [name, device] of fltMgr.devices.byName) {
    if (lower === name) return { device, remainder: '' };
    if (lower.startsWith(`${name}\\`)) return { device, remainder: path.slice(name.length) };
  }
  return null;
}

/**
 * Send one IRP to the device's driver on the current thread and wait for its completion: the
 * dispatch routine's return, or — when it returned STATUS_PENDING — its later IoCompleteRequest.
 * A dispatch routine that returns anything else without completing the IRP is IRP_NOT_COMPLETED.
 */
function* callDriver(fltMgr: FilterManager, irp: IRP): Blocking<DeviceIoResult> {
  const device = irp.stack.DeviceObject;
  const dispatch = device.DriverObject.MajorFunction[irp.stack.MajorFunction] ?? null;
  let returned: NTSTATUS;
  if (dispatch === null) {
    // IopInvalidDeviceRequest, what every MajorFunction entry holds until the driver sets it.
    irp.IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    irp.IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    returned = STATUS_INVALID_DEVICE_REQUEST;
  } else {
    returned = (yield* callMaybeBlocking(dispatch(device, irp))) >>> 0;
  }
  if (irp.state !== 'Completed') {
    if (returned !== STATUS_PENDING) {
      throw fltMgr.kernel.violation('IRP_NOT_COMPLETED', device.id, `the dispatch routine of ${device.DriverObject.name} for ${irp.id} returned ${returned.toString(16)} without IoCompleteRequest or STATUS_PENDING`);
    }
    yield* waitFor(irp.completed, `${irp.id} completion`);
  }
  return { status: irp.IoStatus.Status >>> 0, information: irp.IoStatus.Information };
}

/** A file object on `device` referenced by one request, sent `major`, then released (IRP_MJ_CLOSE if that was the last reference). */
export function* deviceRequest(fltMgr: FilterManager, fo: DeviceFileObject, MajorFunction: number, MinorFunction: number, Parameters: Readonly<Record<string, unknown>>, SystemBuffer: IRP['AssociatedIrp']['SystemBuffer']): Blocking<DeviceIoResult> {
  fo.pointerCount++;
  try {
    const irp = allocateIrp(fltMgr, { MajorFunction, MinorFunction, Flags: 0, FileObject: fo, Parameters }, SystemBuffer);
    return yield* callDriver(fltMgr, irp);
  } finally {
    yield* dereferenceDeviceFile(fltMgr, fo);
  }
}

/**
 * IopParseDevice for a device's name: a new file object referencing the device, IRP_MJ_CREATE to
 * the driver; on success a handle, on failure the file object goes (and its device reference).
 */
export function* openDevice(fltMgr: FilterManager, device: DEVICE_OBJECT, FileName: string, Parameters: Readonly<Record<string, unknown>>): Blocking<{ status: NTSTATUS; information: number; handle: string | null }> {
  const kernel = fltMgr.kernel;
  const id = kernel.nextId('O');
  kernel.emitFact({ seq: 0, time: 0, object: id, type: 'FileObjectCreate', volume: device.id, fileName: FileName, relatedFileObject: null, targetedInstance: null });
  const actor = kernel.startMachine(fileObjectMachine);
  kernel.attachActor(id, actor);
  const fo = new DeviceFileObject(id, device, FileName, actor);
  fltMgr.devices.fileObjects.set(id, fo);
  device.ReferenceCount++;
  kernel.emitFact({ seq: 0, time: 0, object: device.id, type: 'DeviceReferenced', fileObject: id, count: device.ReferenceCount });
  const irp = allocateIrp(fltMgr, { MajorFunction: IRP_MJ_CREATE, MinorFunction: 0, Flags: 0, FileObject: fo, Parameters }, null);
  const r = yield* callDriver(fltMgr, irp);
  if (!NT_SUCCESS(r.status)) {
    kernel.emitFact({ seq: 0, time: 0, object: id, type: 'FileObjectOpenFailed', status: r.status });
    fltMgr.devices.fileObjects.delete(id);
    kernel.retireActor(id);
    dropDeviceReference(fltMgr, fo);
    return { status: r.status, information: r.information, handle: null };
  }
  kernel.emitFact({ seq: 0, time: 0, object: id, type: 'FileObjectOpened', flags: fo.Flags });
  const handle = kernel.nextId('H');
  kernel.emitFact({ seq: 0, time: 0, object: id, type: 'FileObjectHandleCreated', handle });
  fo.Flags = (fo.Flags | FO_HANDLE_CREATED) >>> 0;
  fo.handleCount++;
  // The handle takes over the reference the create held.
  fltMgr.devices.handles.set(handle, fo);
  return { status: r.status, information: r.information, handle };
}

/** NtClose of a handle to a device's file object: IRP_MJ_CLEANUP for the last handle, IRP_MJ_CLOSE for the last reference. */
export function* closeDeviceHandle(fltMgr: FilterManager, handle: string): Blocking<boolean> {
  const fo = fltMgr.devices.handles.get(handle);
  if (fo === undefined) return false;
  fltMgr.devices.handles.delete(handle);
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fo.id, type: 'FileObjectHandleClosed', handle });
  fo.handleCount--;
  if (fo.handleCount === 0) {
    fo.pointerCount++;
    const irp = allocateIrp(fltMgr, { MajorFunction: IRP_MJ_CLEANUP, MinorFunction: 0, Flags: 0, FileObject: fo, Parameters: { Cleanup: {} } }, null);
    yield* callDriver(fltMgr, irp);
    fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fo.id, type: 'FileObjectCleanup' });
    fo.pointerCount--;
  }
  yield* dereferenceDeviceFile(fltMgr, fo);
  return true;
}

function* dereferenceDeviceFile(fltMgr: FilterManager, fo: DeviceFileObject): Blocking<void> {
  fo.pointerCount--;
  if (fo.pointerCount > 0) return;
  const irp = allocateIrp(fltMgr, { MajorFunction: IRP_MJ_CLOSE, MinorFunction: 0, Flags: 0, FileObject: fo, Parameters: { Close: {} } }, null);
  yield* callDriver(fltMgr, irp);
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fo.id, type: 'FileObjectClose' });
  fltMgr.devices.fileObjects.delete(fo.id);
  fltMgr.kernel.retireActor(fo.id);
  dropDeviceReference(fltMgr, fo);
}

/** The file object no longer references its device; a device whose deletion was pending is freed with its last reference. */
function dropDeviceReference(fltMgr: FilterManager, fo: DeviceFileObject): void {
  const device = fo.DeviceObject;
  device.ReferenceCount--;
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: device.id, type: 'DeviceDereferenced', fileObject: fo.id, count: device.ReferenceCount });
  if (device.state === 'Deleted') retireDevice(fltMgr, device);
}

/**
 * NtDeviceIoControlFile on a device's file object: FAST_IO_DISPATCH.FastIoDeviceControl first, if
 * the driver has one; TRUE ends the request with the IoStatus it filled in, FALSE (or no routine)
 * sends IRP_MJ_DEVICE_CONTROL.
 */
export function* deviceIoControl(fltMgr: FilterManager, fo: DeviceFileObject, IoControlCode: number, InputBuffer: Uint8Array | null, OutputBufferLength: number): Blocking<DeviceIoResult> {
  const device = fo.DeviceObject;
  const fast = device.DriverObject.FastIoDispatch?.FastIoDeviceControl ?? null;
  const InputBufferLength = InputBuffer?.length ?? 0;
  if (fast !== null) {
    fo.pointerCount++;
    let handled = false;
    const IoStatus: IO_STATUS_BLOCK = { Status: STATUS_INVALID_DEVICE_REQUEST, Information: 0 };
    try {
      const OutputBuffer = OutputBufferLength > 0 ? new Uint8Array(OutputBufferLength) : null;
      handled = (yield* callMaybeBlocking(fast(fo, true, InputBuffer, InputBufferLength, OutputBuffer, OutputBufferLength, IoControlCode, IoStatus, device))) === true;
      fltMgr.kernel.emitFact({ seq: 0, time: 0, object: device.id, type: 'FastIoCall', routine: 'FastIoDeviceControl', fileObject: fo.id, handled, status: handled ? IoStatus.Status >>> 0 : null });
    } finally {
      yield* dereferenceDeviceFile(fltMgr, fo);
    }
    if (handled) return { status: IoStatus.Status >>> 0, information: IoStatus.Information };
  }
  return yield* deviceRequest(fltMgr, fo, IRP_MJ_DEVICE_CONTROL, 0, { DeviceIoControl: { IoControlCode, InputBufferLength, OutputBufferLength } }, InputBuffer);
}

