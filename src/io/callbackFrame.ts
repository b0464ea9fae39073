/** The frame an operation callback pushes on its thread, so re-entry can be bounded and reported (src/fltmgr/filterManager.ts). */
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import type { OperationCallbackFrame } from '../kernel/thread.js';
import { irpMajorName } from '../wdk/irp.js';
import type { IoOperation } from './ioOperation.js';

export function callbackFrame(op: IoOperation, instance: InstanceObject, callback: OperationCallbackFrame['callback']): OperationCallbackFrame {
  return new CallbackFrame(instance.id, callback, op);
}

/**
 * A class, not an object with an arrow function: two frames per instance per operation are built
 * and almost never reported, and a fresh closure each (named at run time where the code is loaded
 * with keepNames, as tsx does) showed as ~4% of a read through 10 instances.
 */
class CallbackFrame implements OperationCallbackFrame {
  constructor(
    readonly instance: string,
    readonly callback: OperationCallbackFrame['callback'],
    private readonly op: IoOperation,
  ) {}

  operation(): string {
    const op = this.op;
    return `${op.id} ${irpMajorName(op.major)} ${op.data.Iopb.TargetFileObject?.FileName ?? ''}`.trimEnd();
  }
}
