/**
 * FltGetRequestorProcess, FltGetRequestorProcessId, FltGetRequestorProcessIdEx (§23.1): the process
 * of the thread that issued the operation. The model does not attach threads to other processes
 * (KeStackAttachProcess), so this is always the thread's own process, as IoThreadToProcess says.
 */
import { UsageError } from '../kernel/errors.js';
import type { FLT_CALLBACK_DATA } from '../io/ioOperation.js';
import { operationOfData } from '../io/callbackDataRef.js';
import type { ProcessObject } from '../io/processes.js';

function requestor(routine: string, Data: FLT_CALLBACK_DATA): ProcessObject | null {
  if (operationOfData(Data) === null) throw new UsageError('BAD_ARGUMENT', `${routine}: Data is not a FLT_CALLBACK_DATA of this simulation`);
  return Data.Thread?.process ?? null;
}

/** FltGetRequestorProcess(Data): the requesting process, or NULL when no thread issued the operation. */
export function FltGetRequestorProcess(Data: FLT_CALLBACK_DATA): ProcessObject | null {
  return requestor('FltGetRequestorProcess', Data);
}

/** FltGetRequestorProcessId(Data): its PID, 0 when there is none. */
export function FltGetRequestorProcessId(Data: FLT_CALLBACK_DATA): number {
  return requestor('FltGetRequestorProcessId', Data)?.UniqueProcessId ?? 0;
}

/** FltGetRequestorProcessIdEx(Data): the PID as a HANDLE value, 0 when there is none. */
export function FltGetRequestorProcessIdEx(Data: FLT_CALLBACK_DATA): number {
  return requestor('FltGetRequestorProcessIdEx', Data)?.UniqueProcessId ?? 0;
}
