/**
 * What holds an unload or a teardown, by kind and object (§2, §4, §14 invariants 17, 18): the
 * rundown references and who took them, queued work items, generated I/O not yet completed,
 * operations pended and not released, operation callbacks still running, and for a filter the
 * references on its instances, its server ports still open and port callbacks still running (§17.2)
 * and, where its gate counts them, its contexts not yet freed (§15.9) and the files it opened and has
 * not closed (`semantics.leakedFilesHoldUnload`).
 * A hung unload names these in its `RundownWait` fact, in `sim.state()` and in the deadlock report.
 */
import type { IoOperation } from '../io/ioOperation.js';
import { contextTypeName } from '../wdk/contextConstants.js';
import { irpMajorName } from '../wdk/irp.js';
import type { FilterManager } from './filterManager.js';
import { FilterFiles } from './filterFiles.js';
import { FilterObject } from './filterObject.js';
import type { InstanceObject } from './instanceObject.js';

function describeOp(op: IoOperation): string {
  const fo = op.data.Iopb.TargetFileObject as IoOperation['data']['Iopb']['TargetFileObject'] | null;
  return `${op.id} ${irpMajorName(op.major)}${fo === null || fo === undefined ? '' : ` ${fo.FileName}`}`;
}

/** What a gate counts beyond what every gate counts. */
export interface GateCounts {
  /** The filter's contexts (the second wait of FltUnregisterFilter, §15.9). */
  readonly contexts?: boolean;
  /** The files the filter opened and has not closed (`semantics.leakedFilesHoldUnload`). */
  readonly openFiles?: boolean;
}

/** Holders of `object`'s gate now, one line each. For an instance, references are left out: they delay its freeing, not TeardownComplete (§4). */
export function rundownHolders(fltMgr: FilterManager, object: FilterObject | InstanceObject, counts: GateCounts = {}): string[] {
  const filter = object instanceof FilterObject;
  const instances: readonly InstanceObject[] = filter ? object.instances : [object];
  const out: string[] = [];
  if (filter) for (const taker of object.rundown.referenceTakers) out.push(`reference on ${object.id} taken by ${taker}`);
  for (const instance of instances) {
    if (filter) for (const taker of instance.rundown.referenceTakers) out.push(`reference on ${instance.id} taken by ${taker}`);
  }
  for (const op of fltMgr.operations) {
    const pendedBy = op.pendedBy;
    if (pendedBy !== null && instances.includes(pendedBy)) {
      out.push(`operation ${describeOp(op)} pended by ${pendedBy.id} (${op.state === 'PrePended' ? 'pre' : 'post'}-operation)`);
    }
  }
  for (const op of [...fltMgr.operations, ...fltMgr.allocatedData.values()]) {
    const issuer = op.initiator;
    if (issuer === null || !instances.includes(issuer) || op.allocatedBy === issuer && op.state === 'Allocated') continue;
    if (op.inFlight) out.push(`generated I/O ${describeOp(op)} issued by ${issuer.id}, in flight`);
    else if (op.callbackOwed) out.push(`generated I/O ${describeOp(op)} issued by ${issuer.id}, its completion callback not yet returned`);
  }
  for (const t of fltMgr.kernel.threads.values()) {
    for (const frame of t.operationCallbacks) {
      if (instances.some((i) => i.id === frame.instance)) out.push(`${frame.callback} of ${frame.instance} running on ${t.id} (${t.name}) for ${frame.operation()}`);
    }
  }
  if (filter) {
    for (const item of object.rundown.workItemThreads) out.push(`work item ${item} queued by ${object.name}`);
    for (const port of fltMgr.ports.serverPorts) if (port.filter === object && port.state === 'Listening') out.push(`server port ${port.id} ${port.name}`);
    const portCallbacks = object.rundown.value.portCallbacks;
    if (portCallbacks > 0) out.push(`${portCallbacks} port callback${portCallbacks === 1 ? '' : 's'} (ConnectNotify, DisconnectNotify, MessageNotify) running`);
    if (counts.openFiles === true) {
      for (const [handle, open] of object.files.handles) out.push(`open file: handle ${handle} to ${open.fo} ${FilterFiles.opener(object, open)}`);
      for (const open of object.files.references) out.push(`open file: FltCreateFileEx reference on ${open.fo} ${FilterFiles.opener(object, open)}`);
    }
    if (counts.contexts === true) {
      // FltMgr has deleted (unlinked) every context of the filter by then (§15.8): what is left is references.
      for (const c of fltMgr.contexts.liveOf(object)) out.push(`context ${c.id} (${contextTypeName(c.ContextType)}) RefCount ${c.references}`);
    }
  }
  return out;
}
