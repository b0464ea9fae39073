/**
 * CdoStruct.h of the cdo sample (filesys/miniFilter/cdo): the global data, its flags, the control
 * device object's name and the debug levels. The globals are one object per loaded image
 * (`createCdo`), not module state.
 */
import type { ERESOURCE, PDEVICE_OBJECT, PDRIVER_OBJECT, PFLT_FILTER } from '../../../src/index.js';

//  GLOBAL_DATA_F_xxx flags
/** There is an open reference to the CDO (set at create, cleared at close). */
export const GLOBAL_DATA_F_CDO_OPEN_REF = 0x00000001;
/** There is an open handle to the CDO (set at create, cleared at cleanup). */
export const GLOBAL_DATA_F_CDO_OPEN_HANDLE = 0x00000002;

/** CDO_GLOBAL_DATA. */
export interface CDO_GLOBAL_DATA {
  Filter: PFLT_FILTER | null;
  FilterDriverObject: PDRIVER_OBJECT | null;
  FilterControlDeviceObject: PDEVICE_OBJECT | null;
  /** GLOBAL_DATA_F_xxx, under Resource. */
  Flags: number;
  Resource: ERESOURCE;
  DebugLevel: number;
  /** The DebugTrace lines printed (DbgPrint), in order. */
  readonly trace: string[];
}

/** The name of the CDO created by this filter. */
export const CONTROL_DEVICE_OBJECT_NAME = '\\FileSystem\\Filters\\CdoSample';

//  Debug levels
export const DEBUG_TRACE_ERROR = 0x00000001;
export const DEBUG_TRACE_LOAD_UNLOAD = 0x00000002;
export const DEBUG_TRACE_CDO_CREATE_DELETE = 0x00000004;
export const DEBUG_TRACE_CDO_SUPPORTED_OPERATIONS = 0x00000008;
export const DEBUG_TRACE_CDO_FASTIO_OPERATIONS = 0x00000010;
export const DEBUG_TRACE_CDO_ALL_OPERATIONS = 0x00000020;
export const DEBUG_TRACE_ALL = 0xffffffff;

/** DebugTrace(Level, Data): DbgPrint when Globals.DebugLevel asks for the level. */
export function DebugTrace(Globals: CDO_GLOBAL_DATA, Level: number, text: string): void {
  if ((Level & Globals.DebugLevel) !== 0) Globals.trace.push(text);
}

/** IS_MY_CONTROL_DEVICE_OBJECT(_devObj). */
export function IS_MY_CONTROL_DEVICE_OBJECT(Globals: CDO_GLOBAL_DATA, DeviceObject: PDEVICE_OBJECT): boolean {
  return DeviceObject === Globals.FilterControlDeviceObject && DeviceObject.DriverObject === Globals.FilterDriverObject && DeviceObject.DeviceExtension === null;
}

const FlagOn = (flags: number, flag: number): boolean => (flags & flag) !== 0;
export { FlagOn };
