/** DRIVER_OBJECT as far as FltMgr cares: the service name and its registry `Instances` key. */
import type { FilterManager } from './filterManager.js';
import type { InstancesKey } from './registration.js';

export class DriverObject {
  /** The filter this driver registered, once it has (a driver may only register itself, once). */
  filterId: string | null = null;

  constructor(
    readonly fltMgr: FilterManager,
    readonly name: string,
    readonly registry: InstancesKey | null,
  ) {}
}
