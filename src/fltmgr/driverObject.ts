/**
 * DRIVER_OBJECT as far as FltMgr and the I/O manager care: the service name, its registry
 * `Instances` key, and the dispatch table a driver that owns a device of its own fills in
 * (MajorFunction, FastIoDispatch; §23.6). A minifilter's IRPs for volumes never use them.
 */
import type { FilterManager } from './filterManager.js';
import type { InstancesKey } from './registration.js';
import { IRP_MJ_MAXIMUM_FUNCTION, type DispatchingDriver, type DRIVER_DISPATCH, type FAST_IO_DISPATCH } from '../io/deviceObjects.js';

/** Every IRP_MJ_* to the default: copied for each driver (a copy is several times cheaper than filling a new array, once per load). */
const NO_DISPATCH: readonly (DRIVER_DISPATCH | null)[] = new Array<DRIVER_DISPATCH | null>(IRP_MJ_MAXIMUM_FUNCTION + 1).fill(null);

export class DriverObject implements DispatchingDriver {
  /** The filter this driver registered, once it has (a driver may only register itself, once). */
  filterId: string | null = null;
  /** Indexed by IRP_MJ_*: null is the I/O manager's default (STATUS_INVALID_DEVICE_REQUEST). */
  readonly MajorFunction: (DRIVER_DISPATCH | null)[] = NO_DISPATCH.slice();
  FastIoDispatch: FAST_IO_DISPATCH | null = null;

  constructor(
    /** @internal */ readonly fltMgr: FilterManager,
    readonly name: string,
    readonly registry: InstancesKey | null,
  ) {}
}
