/**
 * A driver's own device objects (§23.6): IoCreateDevice / IoDeleteDevice, the named device outside
 * every volume that applications open by name (a minifilter's control device object, `\FileSystem\
 * Filters\CdoSample` in the cdo sample), the FILE_OBJECTs opened on it and the IRPs the I/O manager
 * sends for them straight to DRIVER_OBJECT.MajorFunction — FltMgr never sees them: no instance, no
 * callback data, no minifilter callback. The I/O manager's side (open by name, send, cleanup and
 * close, fast I/O) is in src/io/deviceIo.ts.
 *
 * Lifecycles: the device is src/machines/deviceObject.ts, each file object on it the ordinary
 * FILE_OBJECT machine (its FileObjectCreate names the device where a volume file object names its
 * volume), each IRP the IRP machine (born with IoCallDriver, ended by IoCompleteRequest).
 */
import { type Actor } from 'xstate';
import type { Blocking } from '../kernel/effects.js';
import type { Waitable } from '../kernel/waitable.js';
import { booleanArgument, optionalStringArgument, recordArgument, ulongArgument } from '../kernel/arguments.js';
import { UsageError } from '../kernel/errors.js';
import type { FilterManager } from '../fltmgr/filterManager.js';
import { deviceObjectMachine, type DeviceObjectState } from '../machines/deviceObject.js';
import { fileObjectState, type fileObjectMachine, type FileObjectState } from '../machines/fileObject.js';
import { irpMachine, irpState, type IrpState } from '../machines/irp.js';
import type { IO_STATUS_BLOCK } from './ioOperation.js';
import { STATUS_OBJECT_NAME_COLLISION, STATUS_SUCCESS, type NTSTATUS } from '../wdk/ntstatus.js';

/** IRP_MJ_MAXIMUM_FUNCTION: DRIVER_OBJECT.MajorFunction has this many entries plus one. */
export const IRP_MJ_MAXIMUM_FUNCTION = 0x1b;
/** DEVICE_OBJECT.Characteristics: security checks apply to opens of names below the device too. */
export const FILE_DEVICE_SECURE_OPEN = 0x00000100;
export type { IO_STATUS_BLOCK };

/** DRIVER_DISPATCH: may block (a generator) or return at once. */
export type DRIVER_DISPATCH = (DeviceObject: DEVICE_OBJECT, Irp: IRP) => NTSTATUS | Blocking<NTSTATUS>;

/** FAST_IO_DEVICE_CONTROL: TRUE when it handled the request (IoStatus filled in), FALSE to have the I/O manager send an IRP. */
export type FAST_IO_DEVICE_CONTROL = (
  FileObject: DeviceFileObject,
  Wait: boolean,
  InputBuffer: Uint8Array | null,
  InputBufferLength: number,
  OutputBuffer: Uint8Array | null,
  OutputBufferLength: number,
  IoControlCode: number,
  IoStatus: IO_STATUS_BLOCK,
  DeviceObject: DEVICE_OBJECT,
) => boolean | Blocking<boolean>;

/**
 * FAST_IO_DISPATCH. The I/O manager of this model calls FastIoDeviceControl (NtDeviceIoControlFile
 * on a file object of the device); the other entries may be set, as a driver sets them, but the model
 * never calls them: a device's file objects never have FO_CACHE_SUPPORTED, so reads, writes, locks
 * and queries go as IRPs on Windows too.
 */
export interface FAST_IO_DISPATCH {
  readonly SizeOfFastIoDispatch?: number;
  readonly FastIoDeviceControl?: FAST_IO_DEVICE_CONTROL | null;
  readonly [routine: string]: unknown;
}

/** The part of DRIVER_OBJECT the I/O manager dispatches through (src/fltmgr/driverObject.ts holds the rest). */
export interface DispatchingDriver {
  /** @internal */ readonly fltMgr: FilterManager;
  readonly name: string;
  /** Indexed by IRP_MJ_*; null: the I/O manager's default, which completes STATUS_INVALID_DEVICE_REQUEST. */
  readonly MajorFunction: (DRIVER_DISPATCH | null)[];
  FastIoDispatch: FAST_IO_DISPATCH | null;
}

export class DEVICE_OBJECT {
  /** DEVICE_OBJECT.ReferenceCount: file objects open on the device. */
  ReferenceCount = 0;
  /** DeviceExtensionSize bytes of the driver's own, or null for 0. */
  readonly DeviceExtension: Uint8Array | null;

  constructor(
    readonly id: string,
    readonly DriverObject: DispatchingDriver,
    readonly name: string | null,
    readonly DeviceType: number,
    readonly Characteristics: number,
    DeviceExtensionSize: number,
    /** @internal */ readonly actor: Actor<typeof deviceObjectMachine>,
  ) {
    this.DeviceExtension = DeviceExtensionSize === 0 ? null : new Uint8Array(DeviceExtensionSize);
  }

  get state(): DeviceObjectState {
    return this.actor.getSnapshot().value as DeviceObjectState;
  }

  toString(): string {
    return `${this.id}(${this.name ?? '<unnamed>'})`;
  }
}

/** A FILE_OBJECT opened on a driver's own device: FsContext/FsContext2 are the driver's. */
export class DeviceFileObject {
  Flags = 0;
  /** Never moves: a device's driver keeps its own positions (here for the I/O manager's offset rule). */
  readonly CurrentByteOffset = 0;
  FsContext: unknown = null;
  FsContext2: unknown = null;
  handleCount = 0;
  /** Object references, handles and requests in flight included: IRP_MJ_CLOSE goes when the last one does. */
  pointerCount = 1;

  constructor(
    readonly id: string,
    readonly DeviceObject: DEVICE_OBJECT,
    readonly FileName: string,
    /** @internal */ readonly actor: Actor<typeof fileObjectMachine>,
  ) {}

  get state(): FileObjectState {
    return fileObjectState(this.actor.getSnapshot());
  }
}

/** IO_STACK_LOCATION of an IRP sent to a driver's device: the request, in the driver's words. */
export interface IO_STACK_LOCATION {
  readonly MajorFunction: number;
  readonly MinorFunction: number;
  readonly Flags: number;
  readonly DeviceObject: DEVICE_OBJECT;
  readonly FileObject: DeviceFileObject;
  /** The major function's parameters under its WDK member name (FileSystemControl, DeviceIoControl, Create, Read, …). */
  readonly Parameters: Readonly<Record<string, unknown>>;
}

/** An IRP the I/O manager built for a driver's device. */
export class IRP {
  readonly IoStatus: IO_STATUS_BLOCK = { Status: STATUS_SUCCESS, Information: 0 };
  /** METHOD_BUFFERED requests: the input buffer the I/O manager copied, which the driver may overwrite with its output. */
  readonly AssociatedIrp: { SystemBuffer: Uint8Array | Readonly<Record<string, unknown>> | null };
  readonly RequestorMode: 'KernelMode' | 'UserMode' = 'UserMode';

  constructor(
    readonly id: string,
    /** @internal IoGetCurrentIrpStackLocation reads it. */
    readonly stack: IO_STACK_LOCATION,
    SystemBuffer: Uint8Array | Readonly<Record<string, unknown>> | null,
    /** @internal */ readonly actor: Actor<typeof irpMachine>,
    /** @internal Signalled by IoCompleteRequest, for a dispatch routine that returned STATUS_PENDING. */
    readonly completed: Waitable,
  ) {
    this.AssociatedIrp = { SystemBuffer };
  }

  get state(): IrpState {
    return irpState(this.actor.getSnapshot());
  }
}

/** Every device object not yet freed, by id and by name, with the file objects, handles and IRPs on them. */
export class DeviceTable {
  readonly live = new Map<string, DEVICE_OBJECT>();
  /** Named devices that can still be opened (IoDeleteDevice removes the name at once), by lower-case name. */
  readonly byName = new Map<string, DEVICE_OBJECT>();
  /** File objects on devices, not yet closed. */
  readonly fileObjects = new Map<string, DeviceFileObject>();
  /** Application handles to those file objects. */
  readonly handles = new Map<string, DeviceFileObject>();
  /** IRPs sent to devices and not yet completed. */
  readonly irps = new Map<string, IRP>();
  /** The storage device under each volume FltGetDiskDeviceObject was asked about, by lower-case device name (src/fltmgr/diskDevices.ts). */
  readonly disks = new Map<string, DEVICE_OBJECT>();
}

function deviceArgument(routine: string, DeviceObject: unknown): DEVICE_OBJECT {
  if (!(DeviceObject instanceof DEVICE_OBJECT)) {
    throw new UsageError('BAD_ARGUMENT', `${routine}: DeviceObject is not a DEVICE_OBJECT from IoCreateDevice`);
  }
  return DeviceObject;
}

export interface IoCreateDeviceResult {
  readonly status: NTSTATUS;
  readonly DeviceObject: DEVICE_OBJECT | null;
}

/**
 * IoCreateDevice(DriverObject, DeviceExtensionSize, DeviceName, DeviceType, DeviceCharacteristics,
 * Exclusive, &DeviceObject): a device object of the driver, named in the object namespace when
 * DeviceName is given. A name already taken (another device, or a volume's device name) is
 * STATUS_OBJECT_NAME_COLLISION. Exclusive is recorded; the model keeps no per-device open count
 * beyond what the driver enforces itself.
 */
export function IoCreateDevice(
  DriverObject: DispatchingDriver,
  DeviceExtensionSize: number,
  DeviceName: string | null,
  DeviceType: number,
  DeviceCharacteristics: number,
  Exclusive: boolean,
): IoCreateDeviceResult {
  const driver = recordArgument<DispatchingDriver>('IoCreateDevice', 'DriverObject', DriverObject);
  if (!Array.isArray(driver.MajorFunction) || !((driver.fltMgr as { devices?: unknown } | undefined)?.devices instanceof DeviceTable)) {
    throw new UsageError('BAD_ARGUMENT', 'IoCreateDevice: DriverObject is not the DRIVER_OBJECT DriverEntry was given');
  }
  ulongArgument('IoCreateDevice', 'DeviceExtensionSize', DeviceExtensionSize);
  optionalStringArgument('IoCreateDevice', 'DeviceName', DeviceName);
  ulongArgument('IoCreateDevice', 'DeviceType', DeviceType);
  ulongArgument('IoCreateDevice', 'DeviceCharacteristics', DeviceCharacteristics);
  booleanArgument('IoCreateDevice', 'Exclusive', Exclusive);
  const fltMgr = driver.fltMgr;
  const table = fltMgr.devices;
  const name = DeviceName ?? null;
  if (name !== null) {
    const key = name.toLowerCase();
    if (table.byName.has(key) || fltMgr.volumes.some((v) => v.name.toLowerCase() === key)) {
      fltMgr.emitFact({ seq: 0, time: 0, object: 'sim', type: 'RoutineFailed', routine: 'IoCreateDevice', status: STATUS_OBJECT_NAME_COLLISION, detail: `${name} is already a named object` });
      return { status: STATUS_OBJECT_NAME_COLLISION, DeviceObject: null };
    }
  }
  const id = fltMgr.kernel.nextId('d');
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: id, type: 'IoCreateDevice', driver: driver.name, name, deviceType: DeviceType, characteristics: DeviceCharacteristics, exclusive: Exclusive });
  const actor = fltMgr.kernel.startMachine(deviceObjectMachine);
  fltMgr.kernel.attachActor(id, actor);
  const device = new DEVICE_OBJECT(id, driver, name, DeviceType, DeviceCharacteristics, DeviceExtensionSize, actor);
  table.live.set(id, device);
  if (name !== null) table.byName.set(name.toLowerCase(), device);
  return { status: STATUS_SUCCESS, DeviceObject: device };
}

/**
 * IoDeleteDevice(DeviceObject): the name goes at once; the device goes when no file object is open
 * on it, else when the last one closes (its IRPs still reach the driver meanwhile). A second call
 * for the same device is DEVICE_DELETED_TWICE.
 */
export function IoDeleteDevice(DeviceObject: DEVICE_OBJECT): void {
  const device = deviceArgument('IoDeleteDevice', DeviceObject);
  const fltMgr = device.DriverObject.fltMgr;
  const kernel = fltMgr.kernel;
  if (device.state !== 'Created') {
    throw kernel.violation('DEVICE_DELETED_TWICE', device.id, `IoDeleteDevice of ${device}, which was deleted already (a driver may delete a device once)`);
  }
  kernel.emitFact({ seq: 0, time: 0, object: device.id, type: 'IoDeleteDevice', references: device.ReferenceCount });
  if (device.name !== null && fltMgr.devices.byName.get(device.name.toLowerCase()) === device) fltMgr.devices.byName.delete(device.name.toLowerCase());
  // (The machine moved it: Deleted when no file object referenced it.)
  if ((device.state as DeviceObjectState) === 'Deleted') retireDevice(fltMgr, device);
}

/** The device's last reference went after IoDeleteDevice: it is freed. */
export function retireDevice(fltMgr: FilterManager, device: DEVICE_OBJECT): void {
  fltMgr.devices.live.delete(device.id);
  fltMgr.kernel.retireActor(device.id);
}

/** IoGetCurrentIrpStackLocation(Irp): the driver's stack location (a device of its own has one). */
export function IoGetCurrentIrpStackLocation(Irp: IRP): IO_STACK_LOCATION {
  if (!(Irp instanceof IRP)) throw new UsageError('BAD_ARGUMENT', 'IoGetCurrentIrpStackLocation: Irp is not an IRP sent to a device');
  return Irp.stack;
}

/**
 * IoCompleteRequest(Irp, PriorityBoost): the driver is done with the IRP; Irp.IoStatus is the
 * result the I/O manager returns. Completing an IRP twice is MULTIPLE_IRP_COMPLETE_REQUESTS.
 */
export function IoCompleteRequest(Irp: IRP, PriorityBoost: number): void {
  if (!(Irp instanceof IRP)) throw new UsageError('BAD_ARGUMENT', 'IoCompleteRequest: Irp is not an IRP sent to a device');
  ulongArgument('IoCompleteRequest', 'PriorityBoost', PriorityBoost);
  const fltMgr = Irp.stack.DeviceObject.DriverObject.fltMgr;
  const kernel = fltMgr.kernel;
  if (Irp.state === 'Completed') {
    throw kernel.violation('MULTIPLE_IRP_COMPLETE_REQUESTS', Irp.stack.DeviceObject.id, `IoCompleteRequest of ${Irp.id}, which was completed already (${Irp.stack.DeviceObject})`);
  }
  kernel.emitFact({ seq: 0, time: 0, object: Irp.id, type: 'IoCompleteRequest', operation: null, status: Irp.IoStatus.Status >>> 0, information: Irp.IoStatus.Information });
  fltMgr.devices.irps.delete(Irp.id);
  kernel.retireActor(Irp.id);
  kernel.signal(Irp.completed);
}

/** @internal A new IRP for `fo` (src/io/deviceIo.ts sends it). */
export function allocateIrp(fltMgr: FilterManager, stack: Omit<IO_STACK_LOCATION, 'DeviceObject'>, SystemBuffer: IRP['AssociatedIrp']['SystemBuffer']): IRP {
  const kernel = fltMgr.kernel;
  const id = kernel.nextId('J');
  const device = stack.FileObject.DeviceObject;
  kernel.emitFact({ seq: 0, time: 0, object: id, type: 'IoCallDriver', device: device.id, fileObject: stack.FileObject.id, major: stack.MajorFunction, minor: stack.MinorFunction, thread: kernel.current?.id ?? null });
  const actor = kernel.startMachine(irpMachine);
  kernel.attachActor(id, actor);
  const irp = new IRP(id, { ...stack, DeviceObject: device }, SystemBuffer, actor, kernel.createWaitable(`${id} completion`, 'notification'));
  fltMgr.devices.irps.set(id, irp);
  return irp;
}
