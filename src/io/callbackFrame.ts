/** The frame an operation callback pushes on its thread, so re-entry can be bounded and reported (src/fltmgr/filterManager.ts). */
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import type { OperationCallbackFrame } from '../kernel/thread.js';
import { irpMajorName } from '../wdk/irp.js';
import type { IoOperation } from './ioOperation.js';

export function callbackFrame(op: IoOperation, instance: InstanceObject, callback: OperationCallbackFrame['callback']): OperationCallbackFrame {
  return { instance: instance.id, callback, operation: () => `${op.id} ${irpMajorName(op.major)} ${op.data.Iopb.TargetFileObject?.FileName ?? ''}`.trimEnd() };
}
