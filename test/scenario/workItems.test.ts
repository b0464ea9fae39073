// Work items as kernel objects (docs/semantics.md §12.1): FltAllocate*WorkItem makes one (q…), its
// machine goes Allocated → Queued → Running → Allocated (or Freed), and what a filter may not do
// with one — queue it while it is queued, free it while it is queued, use it after its free — is
// the finding the machine's refusal names. The fold of the log has each item in the state the live
// run has it in: at every step of the two documented patterns, at the end of the others.
import { describe, expect, it } from 'vitest';
import {
  FltAllocateDeferredIoWorkItem,
  FltAllocateGenericWorkItem,
  FltCompletePendedPreOperation,
  FltFreeDeferredIoWorkItem,
  FltFreeGenericWorkItem,
  FltQueueDeferredIoWorkItem,
  FltQueueGenericWorkItem,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FILE_GENERIC_READ,
  FILE_OPEN,
  IRP_MJ_READ,
  foldLog,
  NT_SUCCESS,
  ntStatusName,
  type Blocking,
  type FltWorkItem,
  type Simulation,
} from '../../src/index.js';
import { compactTrace, operations } from '../../src/testing/index.js';
import { world } from '../verifier/world.js';

const WORK_ITEM_FACTS = [
  'FltAllocateGenericWorkItem',
  'FltAllocateDeferredIoWorkItem',
  'FltQueueGenericWorkItem',
  'FltQueueDeferredIoWorkItem',
  'WorkItemRoutine',
  'WorkItemRoutineReturned',
  'FltFreeGenericWorkItem',
  'FltFreeDeferredIoWorkItem',
  'VerifierViolation',
] as const;

/** Run to the end and check that the fold of the log is the live state (§12.1). */
function runFolding(sim: Simulation): void {
  sim.run();
  expect(foldLog(sim.log)).toEqual(sim.state());
}

/** Run to the end one step at a time; after each step the fold of the log is the live state (§12.1). */
function runFoldingEachStep(sim: Simulation): void {
  for (let steps = 0; steps < 10_000; steps++) {
    const step = sim.step();
    expect(foldLog(sim.log)).toEqual(sim.state());
    if (step.kind !== 'ran') return;
  }
  throw new Error('the run did not end');
}

describe('a work item is a kernel object with its own machine (§12.1)', () => {
  it('the documented pattern: allocate, queue, the routine frees its own item and returns; fold = live at every step', () => {
    const w = world({ 'worker@300000': () => ({}) });
    const states: string[] = [];
    w.sim.spawn('filter thread', function* () {
      const item = yield* FltAllocateGenericWorkItem();
      states.push(item.state);
      const status = FltQueueGenericWorkItem(item, w.objects('worker').Instance, function* (FltWorkItem) {
        states.push(FltWorkItem.state);
        FltFreeGenericWorkItem(FltWorkItem);
        states.push(FltWorkItem.state);
      }, 'DelayedWorkQueue', null);
      states.push(ntStatusName(status), item.state);
    });
    runFoldingEachStep(w.sim);
    expect(states).toEqual(['Allocated', 'STATUS_SUCCESS', 'Queued', 'Running', 'Freed']);
    expect(compactTrace(w.sim.log, { types: WORK_ITEM_FACTS })).toMatchInlineSnapshot(`
      [
        "q1 FltAllocateGenericWorkItem",
        "q1 FltQueueGenericWorkItem filter=F1:worker object=I1:worker@300000 on C: DelayedWorkQueue",
        "q1 WorkItemRoutine thread=T3:WorkItem(worker, DelayedWorkQueue)",
        "q1 FltFreeGenericWorkItem",
        "q1 WorkItemRoutineReturned thread=T3:WorkItem(worker, DelayedWorkQueue)",
      ]
    `);
    expect(w.sim.state().workItems).toEqual({});
    expect(w.sim.state().violations).toEqual([]);
  });

  it('a deferred I/O work item posts a read; its routine resumes the read and frees the item; fold = live at every step', () => {
    const w = world({
      'poster@300000': () => ({
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: function* (data) {
            const item = yield* FltAllocateDeferredIoWorkItem();
            const status = FltQueueDeferredIoWorkItem(item, data, function* (FltWorkItem, Data) {
              yield* FltCompletePendedPreOperation(Data, FLT_PREOP_SUCCESS_NO_CALLBACK, null);
              FltFreeDeferredIoWorkItem(FltWorkItem);
            }, 'DelayedWorkQueue', null);
            if (NT_SUCCESS(status)) return FLT_PREOP_PENDING;
            FltFreeDeferredIoWorkItem(item);
            return FLT_PREOP_SUCCESS_NO_CALLBACK;
          },
        }),
      }),
    });
    w.sim.spawn('app', function* () {
      const open = yield* w.sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN });
      yield* w.sim.io.NtReadFile(open.handle!, 4, 0);
      yield* w.sim.io.NtClose(open.handle!);
    });
    runFoldingEachStep(w.sim);
    expect(compactTrace(w.sim.log, { types: WORK_ITEM_FACTS })).toMatchInlineSnapshot(`
      [
        "q1 FltAllocateDeferredIoWorkItem owner=F1:poster",
        "q1 FltQueueDeferredIoWorkItem filter=F1:poster op=D2 instance=I1:poster@300000 on C: DelayedWorkQueue",
        "q1 WorkItemRoutine thread=T3:DeferredIo(poster, D2, DelayedWorkQueue)",
        "q1 FltFreeDeferredIoWorkItem",
        "q1 WorkItemRoutineReturned thread=T3:DeferredIo(poster, D2, DelayedWorkQueue)",
      ]
    `);
    expect(w.sim.state().violations).toEqual([]);
  });

  it('queued twice before its routine ran: WORK_ITEM_QUEUED_TWICE on the item, the second queue refused by its machine', () => {
    const w = world({ 'eager@300000': () => ({}) });
    w.sim.spawn('filter thread', function* () {
      const item = yield* FltAllocateGenericWorkItem();
      FltQueueGenericWorkItem(item, w.objects('eager').Instance, () => undefined, 'DelayedWorkQueue', null);
      FltQueueGenericWorkItem(item, w.objects('eager').Instance, () => undefined, 'DelayedWorkQueue', null);
    });
    runFolding(w.sim);
    expect(compactTrace(w.sim.log, { types: WORK_ITEM_FACTS })).toMatchInlineSnapshot(`
      [
        "q1 FltAllocateGenericWorkItem",
        "q1 FltQueueGenericWorkItem filter=F1:eager object=I1:eager@300000 on C: DelayedWorkQueue",
        "q1 VerifierViolation rule=WORK_ITEM_QUEUED_TWICE WorkItem(eager, DelayedWorkQueue): q1(generic work item) is already queued (its routine has not started)",
        "q1 WorkItemRoutine thread=T3:WorkItem(eager, DelayedWorkQueue)",
        "q1 WorkItemRoutineReturned thread=T3:WorkItem(eager, DelayedWorkQueue)",
      ]
    `);
  });

  it('freed while queued: WORK_ITEM_FREED_WHILE_QUEUED — the worker thread would take it off its queue from freed pool', () => {
    const w = world({ 'hasty@300000': () => ({}) });
    w.sim.spawn('filter thread', function* () {
      const item = yield* FltAllocateGenericWorkItem();
      FltQueueGenericWorkItem(item, w.objects('hasty').Instance, () => undefined, 'DelayedWorkQueue', null);
      FltFreeGenericWorkItem(item);
    });
    runFolding(w.sim);
    expect(compactTrace(w.sim.log, { types: WORK_ITEM_FACTS })).toMatchInlineSnapshot(`
      [
        "q1 FltAllocateGenericWorkItem",
        "q1 FltQueueGenericWorkItem filter=F1:hasty object=I1:hasty@300000 on C: DelayedWorkQueue",
        "q1 VerifierViolation rule=WORK_ITEM_FREED_WHILE_QUEUED FltFreeGenericWorkItem on q1(generic work item), which is queued: the worker thread would take it off the queue from freed pool (§12.1)",
        "q1 WorkItemRoutine thread=T3:WorkItem(hasty, DelayedWorkQueue)",
        "q1 WorkItemRoutineReturned thread=T3:WorkItem(hasty, DelayedWorkQueue)",
      ]
    `);
    // The refused free leaves the item queued: its routine still runs, and the item stays allocated.
    expect(w.sim.state().workItems).toEqual({ q1: { kind: 'generic', owner: null, state: 'Allocated' } });
  });

  it('queued again after its routine freed it: BUFFER_USED_AFTER_FREE (a use of freed pool), and a second free is the same finding', () => {
    const w = world({ 'careless@300000': () => ({}) });
    w.sim.spawn('filter thread', function* () {
      const item = yield* FltAllocateGenericWorkItem();
      FltFreeGenericWorkItem(item);
      FltQueueGenericWorkItem(item, w.objects('careless').Instance, () => undefined, 'DelayedWorkQueue', null);
    });
    w.sim.spawn('other filter thread', function* () {
      const item = yield* FltAllocateDeferredIoWorkItem();
      FltFreeDeferredIoWorkItem(item);
      FltFreeDeferredIoWorkItem(item);
    });
    runFolding(w.sim);
    expect(compactTrace(w.sim.log, { types: WORK_ITEM_FACTS })).toMatchInlineSnapshot(`
      [
        "q1 FltAllocateGenericWorkItem",
        "q1 FltFreeGenericWorkItem",
        "q1 VerifierViolation rule=BUFFER_USED_AFTER_FREE FltQueueGenericWorkItem on q1(generic work item), which was freed (§12.1)",
        "q2 FltAllocateDeferredIoWorkItem",
        "q2 FltFreeDeferredIoWorkItem",
        "q2 VerifierViolation rule=BUFFER_USED_AFTER_FREE FltFreeDeferredIoWorkItem on q2(deferred I/O work item), which was already freed (§12.1)",
      ]
    `);
    expect(w.sim.state().workItems).toEqual({});
  });

  it('a routine may queue its own item again (FltMgr holds it no more once the routine started): no finding', () => {
    const w = world({ 'again@300000': () => ({}) });
    let runs = 0;
    w.sim.spawn('filter thread', function* () {
      const item = yield* FltAllocateGenericWorkItem();
      const routine = function* (FltWorkItem: FltWorkItem): Blocking<void> {
        runs++;
        if (runs === 1) FltQueueGenericWorkItem(FltWorkItem, w.objects('again').Instance, routine, 'DelayedWorkQueue', null);
        else FltFreeGenericWorkItem(FltWorkItem);
      };
      FltQueueGenericWorkItem(item, w.objects('again').Instance, routine, 'DelayedWorkQueue', null);
    });
    runFolding(w.sim);
    expect(runs).toBe(2);
    expect(compactTrace(w.sim.log, { types: WORK_ITEM_FACTS })).toMatchInlineSnapshot(`
      [
        "q1 FltAllocateGenericWorkItem",
        "q1 FltQueueGenericWorkItem filter=F1:again object=I1:again@300000 on C: DelayedWorkQueue",
        "q1 WorkItemRoutine thread=T3:WorkItem(again, DelayedWorkQueue)",
        "q1 FltQueueGenericWorkItem filter=F1:again object=I1:again@300000 on C: DelayedWorkQueue",
        "q1 WorkItemRoutineReturned thread=T3:WorkItem(again, DelayedWorkQueue)",
        "q1 WorkItemRoutine thread=T4:WorkItem(again, DelayedWorkQueue)",
        "q1 FltFreeGenericWorkItem",
        "q1 WorkItemRoutineReturned thread=T4:WorkItem(again, DelayedWorkQueue)",
      ]
    `);
    expect(w.sim.state().violations).toEqual([]);
  });

  it('a deferred I/O item handed to FltQueueGenericWorkItem is a usage error (in C the two are different pointer types)', () => {
    const w = world({ 'mixed@300000': () => ({}) });
    const errors: string[] = [];
    w.sim.spawn('filter thread', function* () {
      const item = yield* FltAllocateDeferredIoWorkItem();
      try {
        FltQueueGenericWorkItem(item, w.objects('mixed').Instance, () => undefined, 'DelayedWorkQueue', null);
      } catch (error) {
        errors.push((error as Error).message);
      }
      FltFreeDeferredIoWorkItem(item);
    });
    w.sim.run();
    expect(errors).toEqual([expect.stringMatching(/BAD_ARGUMENT.*FltQueueGenericWorkItem.*q1\(deferred I\/O work item\), not a work item from FltAllocateGenericWorkItem/)]);
  });
});
