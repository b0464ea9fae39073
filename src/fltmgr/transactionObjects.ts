/**
 * KTM transaction objects (§22.4) and their handles, as the Filter Manager and the I/O manager
 * see them: the object with its lifecycle (src/machines/transaction.ts), its references, the
 * handles open on it, and the filter instances enlisted in it. Every change is a fact first.
 *
 * References: each handle, each file object opened in the transaction, each ObReferenceObject a
 * filter took, and the KTM worker while it runs the outcome. The object is deleted when the last
 * one goes after the outcome; a transaction whose last handle closes before it committed rolls
 * back first (what KTM does), which the caller starts (src/fltmgr/transactionOutcome.ts).
 */
import { type Actor } from 'xstate';
import { ktmWorkerRunning, outcomeOf, pendedInstance, transactionMachine, transactionState, type TransactionState } from '../machines/transaction.js';
import type { Waitable } from '../kernel/waitable.js';
import type { ContextObject } from './contextObject.js';
import type { FilterManager } from './filterManager.js';
import type { InstanceObject } from './instanceObject.js';

/** One instance enlisted in one transaction (FltEnlistInTransaction). */
export interface Enlistment {
  readonly instance: InstanceObject;
  readonly context: ContextObject<object>;
  readonly mask: number;
  // Whether a notification of it is pending is the transaction machine's NotificationPending part
  // (src/machines/transaction.ts), whose context names the instance: at most one enlistment of a
  // transaction has one, as the KTM worker waits for each before the next.
}

export class TransactionObject {
  references = 0;
  readonly handles: TransactionHandle[] = [];
  readonly enlistments: Enlistment[] = [];
  /**
   * Set when the outcome's notifications are all done: what NtCommitTransaction's Wait waits on. It
   * only wakes the waiter; the machine says whether the worker still runs (KtmWorkerRunning, KtmWorkerDone).
   */
  readonly ended: Waitable;
  /**
   * The event the KTM worker sleeps on while a notification is pending, set by FltCommitComplete and
   * its kin or by the end of that enlistment. Like `ended`, it only wakes the worker; the machine's
   * NotificationPending part says whether one is pending and whose (`pendedInstance`).
   */
  notificationDone: Waitable | null = null;

  constructor(
    readonly id: string,
    /** @internal */ readonly fltMgr: FilterManager,
    /** @internal */ readonly actor: Actor<typeof transactionMachine>,
  ) {
    this.ended = fltMgr.kernel.createWaitable(`outcome of ${id}`, 'notification', id);
  }

  get state(): TransactionState {
    return transactionState(this.actor.getSnapshot());
  }

  /** The KTM worker of the outcome has not dropped its reference yet (the machine's KtmWorkerRunning, or a phase state). */
  get ktmWorkerRunning(): boolean {
    return ktmWorkerRunning(this.actor.getSnapshot());
  }

  /** The instance whose notification the KTM worker waits on (the machine's NotificationPending), or null. */
  get pendedInstance(): string | null {
    return pendedInstance(this.actor.getSnapshot());
  }

  get outcome(): 'Undetermined' | 'Committed' | 'Aborted' {
    return outcomeOf(this.state);
  }

  /** Let the KTM worker waiting for a pended notification go on (the machine has just left NotificationPending). */
  wakeKtmWorker(): void {
    const done = this.notificationDone;
    this.notificationDone = null;
    if (done !== null) this.fltMgr.kernel.signal(done);
  }

  enlistmentOf(instance: InstanceObject): Enlistment | undefined {
    return this.enlistments.find((e) => e.instance === instance);
  }

  toString(): string {
    return `${this.id}(transaction, ${this.state})`;
  }
}

/** A handle to a transaction: an application's (NtCreateTransaction) or a kernel handle (ObOpenObjectByPointer). */
export class TransactionHandle {
  constructor(
    readonly id: string,
    readonly transaction: TransactionObject,
    /** The owning process (P…); kernel handles belong to System (P0). */
    readonly process: string,
    readonly kernelHandle: boolean,
  ) {}

  toString(): string {
    return `${this.id}(${this.transaction.id})`;
  }
}

export class TransactionTable {
  /** Transactions not yet deleted, in creation order. */
  readonly live = new Map<string, TransactionObject>();
  /** Open handles by id. */
  readonly handles = new Map<string, TransactionHandle>();

  constructor(private readonly fltMgr: FilterManager) {}

  /** NtCreateTransaction: a new Active transaction and the creator's handle. */
  create(process: string): TransactionHandle {
    const kernel = this.fltMgr.kernel;
    const id = kernel.nextId('t');
    const handle = kernel.nextId('H');
    kernel.emitFact({ seq: 0, time: 0, object: id, type: 'NtCreateTransaction', process, handle, count: 1 });
    const actor = kernel.startMachine(transactionMachine);
    kernel.attachActor(id, actor);
    const tx = new TransactionObject(id, this.fltMgr, actor);
    tx.references = 1;
    this.live.set(id, tx);
    const h = new TransactionHandle(handle, tx, process, false);
    tx.handles.push(h);
    this.handles.set(handle, h);
    return h;
  }

  /** One more handle (ObOpenObjectByPointer): a reference too. */
  openHandle(tx: TransactionObject, process: string, kernelHandle: boolean, by: string): TransactionHandle {
    const handle = this.fltMgr.kernel.nextId('H');
    this.reference(tx, by, handle);
    const h = new TransactionHandle(handle, tx, process, kernelHandle);
    tx.handles.push(h);
    this.handles.set(handle, h);
    return h;
  }

  /**
   * End one enlistment: FltMgr forgets it, drops the reference it held on the transaction context,
   * and lets a KTM worker waiting for its pended notification go on.
   */
  endEnlistment(tx: TransactionObject, enlistment: Enlistment, by: 'outcome' | 'teardown'): void {
    const at = tx.enlistments.indexOf(enlistment);
    if (at < 0) return;
    const waitedOn = tx.pendedInstance === enlistment.instance.id;
    // The machine leaves NotificationPending when the enlistment it waits on ends.
    this.fltMgr.kernel.emitFact({ seq: 0, time: 0, object: tx.id, type: 'TransactionEnlistmentEnded', instance: enlistment.instance.id, by });
    tx.enlistments.splice(at, 1);
    if (waitedOn) tx.wakeKtmWorker();
    this.fltMgr.contexts.release(enlistment.context, by === 'outcome' ? 'end of enlistment' : `teardown of ${enlistment.instance.id}`);
  }

  /** After TeardownComplete (§15.8): the instance's enlistments end with its transaction contexts. */
  instanceTornDown(instance: InstanceObject): void {
    for (const tx of [...this.live.values()]) {
      const e = tx.enlistmentOf(instance);
      if (e !== undefined) this.endEnlistment(tx, e, 'teardown');
    }
  }

  /** References others own: its handles, the file objects opened in it, the KTM worker while it runs. */
  ownedReferences(tx: TransactionObject): number {
    let n = tx.handles.length;
    for (const fo of this.fltMgr.fileObjects.values()) if (fo.transaction === tx) n++;
    return n + (tx.ktmWorkerRunning ? 1 : 0);
  }

  reference(tx: TransactionObject, by: string, handle: string | null = null): void {
    this.fltMgr.kernel.emitFact({ seq: 0, time: 0, object: tx.id, type: 'TransactionReferenced', by, handle, count: tx.references + 1 });
    tx.references++;
  }

  /** Drop one reference; the last one after the outcome deletes the object. */
  dereference(tx: TransactionObject, by: string, handle: TransactionHandle | null = null): void {
    this.fltMgr.kernel.emitFact({ seq: 0, time: 0, object: tx.id, type: 'TransactionDereferenced', by, handle: handle?.id ?? null, count: tx.references - 1 });
    tx.references--;
    if (handle !== null) {
      tx.handles.splice(tx.handles.indexOf(handle), 1);
      this.handles.delete(handle.id);
    }
    if (tx.references === 0) {
      this.fltMgr.kernel.emitFact({ seq: 0, time: 0, object: tx.id, type: 'TransactionDeleted' });
      this.live.delete(tx.id);
      this.fltMgr.kernel.retireActor(tx.id);
    }
  }
}
