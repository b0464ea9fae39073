/**
 * The Filter Manager's objects as routine arguments: each check is kernel/arguments.ts's
 * `objectArgument` with the class and the WDK's name for it. A wrong object is a UsageError
 * BAD_ARGUMENT naming the routine and the parameter; NULL where the WDK requires the pointer is the
 * verifier's NULL_POINTER (NULL_FILE_OBJECT for the file object of generated I/O stays that rule).
 */
import { badArgument, kindOf, nullPointer, objectArgument, optionalObjectArgument, recordArgument } from '../kernel/arguments.js';
import type { FLT_RELATED_OBJECTS } from './registration.js';
import type { Kernel } from '../kernel/kernel.js';
import { FileObject } from '../io/fileObject.js';
import { FilterObject } from './filterObject.js';
import { InstanceObject } from './instanceObject.js';
import { VolumeObject } from './volumeObject.js';

/** Where a NULL is recorded: the simulation the routine reached some other way, and the object to name. */
type Where = { readonly kernel: Kernel; readonly object: string } | null;

export function filterArgument(routine: string, value: unknown, name = 'Filter', where: Where = null): FilterObject {
  return objectArgument(routine, name, value, FilterObject, 'a PFLT_FILTER from FltRegisterFilter', where);
}

export function instanceArgument(routine: string, value: unknown, name = 'Instance', where: Where = null): InstanceObject {
  return objectArgument(routine, name, value, InstanceObject, 'a PFLT_INSTANCE', where);
}

export function optionalInstanceArgument(routine: string, value: unknown, name = 'Instance'): InstanceObject | null {
  return optionalObjectArgument(routine, name, value, InstanceObject, 'a PFLT_INSTANCE');
}

export function volumeArgument(routine: string, value: unknown, name = 'Volume', where: Where = null): VolumeObject {
  return objectArgument(routine, name, value, VolumeObject, 'a PFLT_VOLUME', where);
}

export function optionalVolumeArgument(routine: string, value: unknown, name = 'Volume'): VolumeObject | null {
  return optionalObjectArgument(routine, name, value, VolumeObject, 'a PFLT_VOLUME');
}

export function fileObjectArgument(routine: string, value: unknown, name = 'FileObject', where: Where = null): FileObject {
  return objectArgument(routine, name, value, FileObject, 'a PFILE_OBJECT', where);
}

export function optionalFileObjectArgument(routine: string, value: unknown, name = 'FileObject'): FileObject | null {
  return optionalObjectArgument(routine, name, value, FileObject, 'a PFILE_OBJECT');
}

/** A PFLT_FILTER, PFLT_INSTANCE or PFLT_VOLUME (FltObjectReference and friends). */
export function fltObjectArgument(routine: string, value: unknown, name = 'FltObject'): FilterObject | InstanceObject | VolumeObject {
  if (value instanceof FilterObject || value instanceof InstanceObject || value instanceof VolumeObject) return value;
  if (value === null || value === undefined) throw nullPointer(routine, name, null);
  throw badArgument(routine, `${name} is ${kindOf(value)}, not a PFLT_FILTER, PFLT_INSTANCE or PFLT_VOLUME`);
}

/** A PFLT_VOLUME or PFLT_INSTANCE, for the routines that take either and mean the volume. */
export function volumeOrInstanceArgument(routine: string, value: unknown, name = 'FltObject'): VolumeObject {
  if (value instanceof VolumeObject) return value;
  if (value instanceof InstanceObject) return value.volume;
  if (value === null || value === undefined) throw nullPointer(routine, name, null);
  throw badArgument(routine, `${name} is ${kindOf(value)}, not a PFLT_VOLUME or PFLT_INSTANCE`);
}

export function optionalFilterArgument(routine: string, value: unknown, name = 'Filter'): FilterObject | null {
  return optionalObjectArgument(routine, name, value, FilterObject, 'a PFLT_FILTER');
}

/** FLT_RELATED_OBJECTS as FltMgr hands it to a callback: Filter, Instance and Volume required, FileObject optional. */
export function relatedObjectsArgument(routine: string, value: unknown, name = 'FltObjects'): FLT_RELATED_OBJECTS {
  const o = recordArgument<FLT_RELATED_OBJECTS>(routine, name, value);
  filterArgument(routine, o.Filter, `${name}.Filter`);
  instanceArgument(routine, o.Instance, `${name}.Instance`);
  volumeArgument(routine, o.Volume, `${name}.Volume`);
  optionalFileObjectArgument(routine, o.FileObject, `${name}.FileObject`);
  return o;
}
