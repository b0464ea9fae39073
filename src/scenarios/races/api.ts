/**
 * What the race scenarios use, imported from the modules that define it rather than from
 * src/index.ts: the registry (src/scenarios/index.ts) imports these scenarios and src/index.ts
 * imports the registry, so going through src/index.ts here would be a cycle.
 */
export { FILE_GENERIC_READ, FILE_OPEN, FILE_SHARE_READ, FILE_SYNCHRONOUS_IO_NONALERT } from '../../wdk/fileConstants.js';
export {
  FLTFL_POST_OPERATION_DRAINING,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_POSTOP_MORE_PROCESSING_REQUIRED,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
} from '../../wdk/fltConstants.js';
export { IRP_MJ_CREATE, IRP_MJ_READ } from '../../wdk/irp.js';
export { STATUS_CANCELLED, STATUS_SUCCESS } from '../../wdk/ntstatus.js';
export { FltAllocateCallbackData, FltFreeCallbackData, FltPerformAsynchronousIo } from '../../issuedIo/callbackDataRoutines.js';
export { FltClose, FltCreateFile, FltCreateFileEx, ObDereferenceObject } from '../../issuedIo/createFile.js';
export { FltReadFile } from '../../issuedIo/readWrite.js';
export { FltAllocateGenericWorkItem, FltQueueGenericWorkItem } from '../../io/workItems.js';
export { FltCompletePendedPostOperation, FltCompletePendedPreOperation } from '../../io/pending.js';
export { FltObjectDereference, FltObjectReference } from '../../fltmgr/references.js';
export { UsageError } from '../../kernel/errors.js';
export { preempt, sleep } from '../../kernel/effects.js';
export type { Blocking } from '../../kernel/effects.js';
export type { FLT_CALLBACK_DATA } from '../../io/ioOperation.js';
export type { FLT_RELATED_OBJECTS } from '../../fltmgr/registration.js';
export type { Scenario, ScenarioArgs } from '../scenario.js';
export type { Simulation } from '../../simulation.js';
export type { RaceWindow } from '../../explore/coverage.js';
export type { Fact } from '../../kernel/facts.js';
