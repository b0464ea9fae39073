/** The live view: SimState read off the running kernel's objects and machines. */
import { freeze } from 'immer';
import type { Simulation } from '../simulation.js';
import type { AnyMachineSnapshot, SnapshotFrom } from 'xstate';
import { withWaitCycles } from './fold.js';
import { livePorts } from './livePorts.js';
import { liveSections } from './liveSections.js';
import { liveDeviceFileObjects, liveDeviceIrps, liveDevices } from './liveDevices.js';
import { liveTransactions } from './liveTransactions.js';
import { KEVENT } from '../sync/kevent.js';
import { LockObject } from '../sync/lockCore.js';
import type { KernelObject } from '../sync/kernelObject.js';
import type { LockContext } from '../machines/lockOwners.js';
import type { KeventState } from '../machines/kevent.js';
import { contextTypeName } from '../wdk/contextConstants.js';
import { FLT_CALLBACK_DATA_QUEUE, queuedIds } from '../fltmgr/cbdq.js';
import type { CbdqState } from '../machines/cbdq.js';
import type { ByteRangeLockState } from '../machines/byteRangeLock.js';
import type { NotifyChangeState } from '../machines/notifyChange.js';
import { oplockState, type oplockMachine } from '../machines/oplock.js';
import { idRecord } from './simState.js';
import type { ByteRangeLockView, DirectoryNotificationView, OplockView, CbdqView, IrpView, ContextView, EcpListView, EcpView, MdlView, PoolBlockView, FileNameInformationView, ProcessView, EventView, LockView, WorkItemView, FileObjectView, FilterView, InstanceView, LegacyFilterView, OperationView, SimState, ThreadView, VolumeView } from './simState.js';

export type { SimState } from './simState.js';

export function liveState(sim: Simulation): SimState {
  const { kernel, fltMgr } = sim;
  const threads = idRecord<ThreadView>();
  for (const t of kernel.threads.values()) {
    threads[t.id] = {
      name: t.name,
      process: t.process,
      state: t.state,
      waitingOn: t.waitingOn,
      waitReason: t.waitReason,
      waitUntil: t.waitUntil,
      criticalRegion: t.criticalRegionDepth,
      guardedRegion: t.guardedRegionDepth,
      result: t.state === 'exited' && typeof t.result === 'number' ? t.result : null,
      error: t.state === 'exited' && t.error !== undefined ? errorText(t.error) : null,
    };
  }
  const processes = idRecord<ProcessView>();
  for (const p of fltMgr.processes.processes.values()) processes[p.id] = { name: p.ImageFileName, pid: p.UniqueProcessId, state: p.state };
  const filters = idRecord<FilterView>();
  const instances = idRecord<InstanceView>();
  // Instances are listed in creation order (their ids' numeric order), across filters.
  const allInstances = fltMgr.filters.flatMap((f) => f.instances).sort((a, b) => idNumber(a.id) - idNumber(b.id));
  for (const f of fltMgr.filters) {
    filters[f.id] = { name: f.name, state: f.state, references: f.rundown.value.references, instances: f.instances.map((i) => i.id), waitingFor: f.waitingFor };
  }
  for (const i of allInstances) {
    instances[i.id] = {
      filter: i.filter.id,
      volume: i.volume.id,
      name: i.name,
      altitude: i.altitude,
      frame: i.frame,
      state: i.state,
      references: i.rundown.value.references,
      waitingFor: i.waitingFor,
      ...(i.registeredForDataScan ? { registeredForDataScan: true as const } : {}),
    };
  }
  const volumes = idRecord<VolumeView>();
  const legacyFilters = idRecord<LegacyFilterView>();
  const allLegacy = fltMgr.volumes.flatMap((v) => v.legacyFilters.map((l) => ({ l, v }))).sort((a, b) => idNumber(a.l.id) - idNumber(b.l.id));
  for (const { l, v } of allLegacy) legacyFilters[l.id] = { name: l.name, volume: v.id, aboveFrame: l.aboveFrame };
  for (const v of fltMgr.volumes) {
    volumes[v.id] = {
      name: v.name,
      dosName: v.dosName,
      fsType: v.fsType,
      state: v.state,
      references: v.rundown.value.references,
      stack: v.stack(fltMgr.frames.length).map((n) => (n.kind === 'instance' ? n.instance.id : n.legacy.id)),
      // Last, where the fold adds it when the first operation comes: the same key order, so a saved state reads the same.
      ...(v.firstOperationSeen ? { firstOperationSeen: true as const } : {}),
    };
  }
  const fileObjects = idRecord<FileObjectView>();
  for (const fo of fltMgr.fileObjects.values()) {
    fileObjects[fo.id] = {
      volume: fo.volume.id,
      fileName: fo.FileName,
      state: fo.state,
      flags: fo.Flags,
      currentByteOffset: fo.CurrentByteOffset,
      handles: sim.io.handlesOf(fo),
      ...(fo.transaction === null ? {} : { transaction: fo.transaction.id }),
      ...(fo.PrivateCacheMap ? { cacheInitiated: true as const } : {}),
    };
  }
  if (fltMgr.devices.fileObjects.size > 0) liveDeviceFileObjects(fileObjects, fltMgr.devices);
  const operations = idRecord<OperationView>();
  for (const op of [...fltMgr.operations, ...fltMgr.allocatedData.values()]) {
    // The parameters of the run that started (a filter may be filling in its allocated data for the next).
    operations[op.id] = {
      major: op.currentIopb.MajorFunction,
      fileObject: op.currentIopb.TargetFileObject?.id ?? null,
      volume: op.volume.id,
      initiator: op.initiator?.id ?? null,
      thread: op.issuerThread,
      state: op.state,
      pendedBy: op.pendedBy?.id ?? null,
      allocatedBy: op.allocatedBy?.id ?? null,
    };
  }
  const events = idRecord<EventView>();
  const locks = idRecord<LockView>();
  const cbdqs = idRecord<CbdqView>();
  for (const [id, object] of kernel.kernelObjects) {
    const snapshot = (object as KernelObject).binding!.actor.getSnapshot() as AnyMachineSnapshot;
    if (object instanceof KEVENT) {
      events[id] = { name: object.name ?? id, eventType: object.eventType, state: snapshot.value as KeventState, setBy: [...object.setBy] };
    } else if (object instanceof FLT_CALLBACK_DATA_QUEUE) {
      cbdqs[id] = { name: object.name ?? id, instance: object.instance!.id, state: snapshot.value as CbdqState, queued: queuedIds(object) };
    } else if (object instanceof LockObject) {
      locks[id] = { name: object.name ?? id, lockType: object.lockType, state: snapshot.value as LockView['state'], owners: Object.assign(idRecord<number>(), (snapshot.context as LockContext).owners) };
    }
  }
  const workItems = idRecord<WorkItemView>();
  for (const w of fltMgr.workItems.items.values()) workItems[w.id] = { kind: w.kind, owner: w.owner?.id ?? null, state: w.state };
  const irps = idRecord<IrpView>();
  const withIrp = [...fltMgr.operations, ...fltMgr.allocatedData.values()].filter((op) => op.irp !== null && op.irp.state !== 'Completed');
  for (const op of withIrp.sort((a, b) => idNumber(a.irp!.id) - idNumber(b.irp!.id))) {
    const irp = op.irp!;
    irps[irp.id] = { operation: op.id, state: irp.state, routine: irp.routineKind };
  }
  if (fltMgr.devices.irps.size > 0) liveDeviceIrps(irps, fltMgr.devices);
  const contexts = idRecord<ContextView>();
  for (const c of fltMgr.contexts.live.values()) {
    contexts[c.id] = {
      filter: c.filter.id,
      contextType: contextTypeName(c.ContextType),
      size: c.Size,
      state: c.state,
      references: c.references,
      target: c.link?.target ?? null,
      instance: c.link?.instance?.id ?? null,
    };
  }
  const ecpLists = idRecord<EcpListView>();
  for (const l of fltMgr.ecps.lists.values()) ecpLists[l.id] = { filter: l.filter.id, state: l.state, ecps: l.ecps.map((e) => e.id) };
  const ecps = idRecord<EcpView>();
  for (const e of fltMgr.ecps.ecps.values()) ecps[e.id] = { filter: e.filter.id, guid: e.EcpType, size: e.Size, state: e.state, list: e.list?.id ?? null };
  const poolBlocks = idRecord<PoolBlockView>();
  for (const b of fltMgr.memory.blocks.values()) {
    poolBlocks[b.id] = { owner: b.owner?.id ?? null, tag: b.tag, bytes: b.Buffer.length, aligned: b.aligned, alignment: b.alignment, state: b.state };
  }
  const mdls = idRecord<MdlView>();
  for (const m of fltMgr.memory.mdls.values()) {
    mdls[m.id] = { owner: m.owner?.id ?? null, buffer: m.block?.id ?? null, bytes: m.ByteCount, operation: m.operation, state: m.state, ...(m.retained ? { retained: true as const } : {}) };
  }
  const fileNames = idRecord<FileNameInformationView>();
  for (const n of fltMgr.names.records.values()) {
    fileNames[n.id] = {
      fileObject: n.fileObjectId,
      volume: n.volumeId,
      format: n.info.Format,
      name: n.info.Name,
      provider: n.providerId,
      state: n.state,
      references: n.referenceList(),
      cacheKey: n.cacheKey,
    };
  }
  const nameCache = idRecord<string>();
  for (const [key, n] of fltMgr.names.cache) nameCache[key] = n.id;
  const { serverPorts, clientPorts, messages } = livePorts(fltMgr.ports);
  const byteRangeLocks = idRecord<ByteRangeLockView>();
  const locksHeld = fltMgr.volumes.flatMap((v) => v.fileSystem.byteRangeLocks()).sort((a, b) => idNumber(a.id) - idNumber(b.id));
  for (const { id, fields } of locksHeld) {
    const { operation, fileObject, fileId, byteOffset, length, key, processId, exclusive } = fields;
    const state = (kernel.actorOf(id)!.getSnapshot() as AnyMachineSnapshot).value as ByteRangeLockState;
    byteRangeLocks[id] = { operation, fileObject, fileId, byteOffset, length, key, processId, exclusive, state };
  }
  const directoryNotifications = idRecord<DirectoryNotificationView>();
  const notifies = fltMgr.volumes.flatMap((v) => v.fileSystem.directoryNotifications()).sort((a, b) => idNumber(a.id) - idNumber(b.id));
  for (const n of notifies) {
    const state = (kernel.actorOf(n.id)!.getSnapshot() as AnyMachineSnapshot).value as NotifyChangeState;
    directoryNotifications[n.id] = {
      fileObject: n.fileObject,
      fileId: n.directory.fileId,
      completionFilter: n.completionFilter,
      watchTree: n.watchTree,
      bufferLength: n.bufferLength,
      pending: n.pending.map((p) => p.operation),
      queued: n.queued.length,
      state,
    };
  }
  const oplocks = idRecord<OplockView>();
  for (const o of fltMgr.volumes.flatMap((v) => v.fileSystem.oplocks()).sort((a, b) => idNumber(a.id) - idNumber(b.id))) {
    oplocks[o.id] = {
      fileId: o.fileId,
      holders: o.holders.map((h) => ({ fileObject: h.fileObject, level: h.level, operation: h.operation, breakingTo: h.breakingTo })),
      waiters: [...o.waiters],
      state: oplockState(o.machine.getSnapshot() as SnapshotFrom<typeof oplockMachine>),
      ...(o.atomicRequest === null ? {} : { atomicRequest: o.atomicRequest }),
    };
  }
  const sections = liveSections(fltMgr.sections);
  const devices = liveDevices(fltMgr.devices);
  const violations = kernel.violations.map((v) => ({ seq: v.seq ?? -1, object: v.object ?? 'sim', rule: v.rule }));
  return freeze(
    withWaitCycles({
      seq: kernel.log.length,
      time: kernel.now,
      seed: kernel.seed,
      frames: fltMgr.frames,
      processes,
      threads,
      filters,
      volumes,
      instances,
      legacyFilters,
      fileObjects,
      operations,
      events,
      locks,
      workItems,
      irps,
      cbdqs,
      contexts,
      sections,
      ecpLists,
      ecps,
      poolBlocks,
      mdls,
      fileNames,
      nameCache,
      serverPorts,
      clientPorts,
      messages,
      byteRangeLocks,
      directoryNotifications,
      oplocks,
      devices,
      transactions: liveTransactions(fltMgr.transactions),
      violations,
      waitCycles: [],
    }),
    true,
  );
}

export function idNumber(id: string): number {
  return Number(id.slice(1));
}

function errorText(error: unknown): string {
  if (error !== null && typeof error === 'object' && 'rule' in error && typeof (error as { rule: unknown }).rule === 'string') {
    return (error as { rule: string }).rule;
  }
  return error instanceof Error ? error.message : String(error);
}
