/** The device part of the live view (§23.6), read off the I/O manager's device table. */
import type { DeviceTable } from '../io/deviceObjects.js';
import { idRecord, type DeviceObjectView, type FileObjectView, type IrpView } from './simState.js';

export function liveDevices(table: DeviceTable): Record<string, DeviceObjectView> {
  const devices = idRecord<DeviceObjectView>();
  for (const d of table.live.values()) {
    devices[d.id] = { driver: d.DriverObject.name, name: d.name, deviceType: d.DeviceType, characteristics: d.Characteristics, state: d.state, references: d.ReferenceCount };
  }
  return devices;
}

/**
 * File objects opened on devices, merged into the file-object record in id (creation) order, as
 * the fold lists them.
 */
export function liveDeviceFileObjects(fileObjects: Record<string, FileObjectView>, table: DeviceTable): void {
  for (const fo of table.fileObjects.values()) {
    fileObjects[fo.id] = { volume: fo.DeviceObject.id, fileName: fo.FileName, state: fo.state, flags: fo.Flags, currentByteOffset: 0, handles: handlesOf(table, fo.id) };
  }
  reorder(fileObjects);
}

/** IRPs in flight to devices, merged into the IRP record in id order. */
export function liveDeviceIrps(irps: Record<string, IrpView>, table: DeviceTable): void {
  for (const irp of table.irps.values()) {
    irps[irp.id] = { operation: null, state: irp.state, routine: null, device: irp.stack.DeviceObject.id, major: irp.stack.MajorFunction };
  }
  reorder(irps);
}

function handlesOf(table: DeviceTable, fileObject: string): string[] {
  const out: string[] = [];
  for (const [h, fo] of table.handles) if (fo.id === fileObject) out.push(h);
  return out;
}

/** Rewrite `record`'s keys in ascending id number (ids of one kind share a counter, so this is creation order). */
function reorder<T>(record: Record<string, T>): void {
  const entries = Object.entries(record).sort(([a], [b]) => Number(a.slice(1)) - Number(b.slice(1)));
  for (const [k] of entries) delete record[k];
  for (const [k, v] of entries) record[k] = v;
}
