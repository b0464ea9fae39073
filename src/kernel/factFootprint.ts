/**
 * Which objects a fact changes and which it only names, for partial-order reduction (footprint.ts).
 *
 * A fact changes its `object`. Every other object id in its fields is changed too, unless the
 * table below says the fact only names it: the instance and volume an operation passes through,
 * the instances a name query asks, an issuer thread. The table lists, per fact type, the
 * fields whose objects neither the fold (src/projection/fold.ts, which changes `object`'s record
 * and, for the facts listed here, nothing else) nor the live state changes. What the live state
 * changes behind a named-only field is recorded where it happens, not here: the in-flight counts
 * of an instance or a filter (Rundown, src/fltmgr/rundown.ts), a volume's file system
 * (MemoryFileSystem), a volume offered for automatic attachment (filterRoutines.ts). test/explore/reduced.test.ts checks the result against brute force on
 * random I/O through shared instances and one volume, and test/explore/factFootprintsFold.test.ts
 * fact by fact against the fold on every built-in scenario and sample port.
 *
 * A fact type missing from the table changes everything it names: the safe default for new facts.
 * Fields `thread` and `parent` (who did something) are always read only.
 *
 * A change of an object the fact does not name at all comes from the facts seen before, as the
 * fold's `changedUnnamed` says: a declined instance leaves its filter's list, a delivered, replied
 * or withdrawn message its client port's queues, a rejected or disconnected client port its server
 * port's connections (FactFootprints).
 */
import type { Fact, FactBody, FactType } from './facts.js';

type NamedOnly = { readonly [B in FactBody as B['type']]?: readonly Exclude<keyof B, 'type'>[] };

/** Per fact type, the id fields whose objects the fact names without changing them. */
export const NAMED_ONLY: NamedOnly = {
  // An operation passes through its volume and the instances of the stack; what that changes on
  // them (counts of callbacks in progress, pended operations, generated I/O) is Rundown's record.
  IoStart: ['volume', 'initiator'],
  PreOperation: ['instance'],
  PreOperationReturned: ['instance'],
  FltCompletePendedPreOperation: ['instance'],
  PostOperation: ['instance'],
  PostOperationReturned: ['instance'],
  FltCompletePendedPostOperation: ['instance'],
  DrainPostOperation: ['instance'],
  DrainPostOperationReturned: ['instance'],
  LegacyFilterDispatch: ['legacy'],
  LegacyFilterCompletion: ['legacy'],
  FltAllocateCallbackData: ['instance', 'volume', 'fileObject'],
  AsyncIoCallback: ['instance'],
  AsyncIoCallbackReturned: ['instance'],
  FltReissueSynchronousIo: ['instance'],
  FltCancelFileOpen: ['instance'],
  FltRequestOperationStatusCallback: ['instance'],
  OperationStatusCallback: ['instance'],
  OperationStatusCallbackReturned: ['instance'],
  SwappedOperationCancelled: ['instance'],
  BuffersSwapped: ['instance'],
  FltRetainSwappedBufferMdlAddress: ['instance'],
  // A file object is opened on a volume, maybe through an instance (FltCreateFile's target).
  FileObjectCreate: ['volume', 'relatedFileObject', 'targetedInstance'],
  // An instance is set up on a volume: the fold changes the instance's and its filter's records,
  // not the volume's; the volume's stack is changed by VolumeObject.insertInstance, which records it.
  InstanceSetup: ['volume'],
  // Name queries are facts of the file object; the instances asking and providing are named.
  FileNameQuery: ['instance', 'provider'],
  GenerateFileName: ['instance'],
  GenerateFileNameReturned: ['instance'],
  NormalizeNameComponent: ['instance'],
  NormalizeNameComponentReturned: ['instance'],
  NormalizeContextCleanup: ['instance'],
  FileNameInformationCreate: ['volume', 'filter'],
  NameCacheHit: ['fileObject', 'filter'],
  FltReferenceFileNameInformation: ['filter'],
  FltReleaseFileNameInformation: ['filter'],
  FltParseFileNameInformation: ['filter'],
  FltGetTunneledName: ['filter', 'operation'],
  // Transaction callbacks run under the instance's rundown protection (Rundown records it).
  TransactionNotification: ['instance'],
  TransactionNotificationReturned: ['instance'],
  // Owners named for the verifier's leak reports; the owner's own record does not change.
  PoolAllocate: ['owner'],
  FltAllocateGenericWorkItem: ['owner'],
  FltAllocateDeferredIoWorkItem: ['owner'],
  // A queued work item holds its filter's rundown (and its target's): Rundown records that count.
  FltQueueGenericWorkItem: ['filter', 'target'],
  FltQueueDeferredIoWorkItem: ['filter', 'operation', 'instance'],
  FltCbdqInitialize: ['instance'],
  // The scheduler's choice names the thread it lets run, which changes nothing.
  Choice: ['task'],
};

/**
 * Facts that change no record and no machine state of their object: the scheduler's choice (about
 * the thread it lets run) and a routine's failure (its machine takes it in every state without
 * moving). Appending one still asks the object's machine, so its object is read.
 */
const OBJECT_READ_ONLY: ReadonlySet<FactType> = new Set(['Choice', 'RoutineFailed']);

/**
 * Facts that change only a count of their object, the rundown references its record shows
 * (`references`), which are its Rundown's (`<object>:counts`, src/fltmgr/rundown.ts); its machine
 * takes them without moving, so the object itself is only read.
 */
export const COUNT_ONLY: ReadonlySet<FactType> = new Set(['FltObjectReference', 'FltObjectDereference']);

/**
 * Facts that change no record and no machine state of their object, but a list of the whole run:
 * a verifier violation (every machine takes it without moving; the fold appends it to
 * `violations`, whose order says which came first). Its object is read and the list written, so
 * two violations stay ordered while a violation and a step that only looks at its object commute.
 */
const RUN_LIST: ReadonlyMap<FactType, string> = new Map([['VerifierViolation', 'violations']]);

/**
 * The facet of callback data (an IoOperation, KernelObjects.declareFacet) that a free, a reuse or a
 * perform asks before anything else: whether its asynchronous completion callback is still owed
 * (its run is in flight or completed without the callback) or it was freed (`D1:owed`). The file
 * system's completion and the steps that carry the callback to its thread leave it alone; the
 * callback's call, the start of a run and the free change it.
 */
export const CALLBACK_OWED = 'owed';

/**
 * Violations decided by one facet of their object alone: they read that facet, not the object.
 * FREE_BEFORE_CALLBACK is reported (callbackDataRoutines.ts checkIdle) when the `owed` facet says
 * the callback is owed, after checks of the data that never change (who allocated it, whether it
 * is FltMgr's draining copy), of the caller's own thread and of that facet (freed); its message
 * names the routine and the data only.
 */
const VIOLATION_FACET: ReadonlyMap<string, string> = new Map([['FREE_BEFORE_CALLBACK', CALLBACK_OWED]]);

/**
 * The facet of an instance's state (KernelObjects.declareFacet) a fact that only names the instance
 * reads: whether it receives operations (`I1:receives`). Such a fact passes through the instance or
 * counts its references; nothing in it depends on the rest of the instance's state, which the fold
 * never consults for it, and the §14 checks that order it against the instance's own facts compare
 * it with the facts that move the instance in or out of receiving (setup succeeded, teardown
 * started), which write that facet, or with the drain (teardown complete), which waits on the
 * in-flight counts the passing step changes (Rundown).
 */
export const INSTANCE_RECEIVES = 'receives';

/** What a fact that only names object `id` reads: an instance's `receives` facet, anything else whole. */
function namedRead(id: string): string {
  return id.charCodeAt(0) === 73 /* 'I' */ ? `${id}:${INSTANCE_RECEIVES}` : id;
}

/** Fields that name who did something: read, never changed, by every fact. */
const ACTOR_FIELDS: ReadonlySet<string> = new Set(['thread', 'parent']);

const EMPTY: readonly string[] = [];

/** Whether fact type `type` only names the object in field `key`. */
export function namesOnly(type: FactType, key: string): boolean {
  return ACTOR_FIELDS.has(key) || ((NAMED_ONLY[type] as readonly string[] | undefined) ?? EMPTY).includes(key);
}

/** The first letter of an object id: its kind (facts.ts lists them). */
export const ID_KIND = '[A-Zrwodtq]';

/** An object id (facts.ts lists the prefixes); `sim` is left out, and so are fields of text that may look like one. */
const OBJECT_ID = new RegExp(`^${ID_KIND}\\d+$`);
const TEXT_FIELDS: ReadonlySet<string> = new Set(['name', 'fileName', 'key', 'tag', 'routine', 'component', 'expanded', 'message', 'detail', 'reason', 'guid', 'dosName', 'fsType', 'deviceType']);

/** Where a fact's footprint goes: the recorder's read and write sets. */
export interface FootprintSink {
  read(id: string): void;
  write(id: string): void;
}

/**
 * What one fact reads and writes. It keeps the instance → filter and message → client port maps
 * the fold's `changedUnnamed` needs (a declined instance leaves its filter's list; a message's
 * delivery, reply or withdrawal changes its port's queues; a client port rejected or disconnected
 * leaves its server port's connections), from every fact appended.
 * The name cache is keyed by name, not by an object: a lookup reads its key (`names:<key>`), an
 * insert or invalidation writes it.
 */
export class FactFootprints {
  private readonly filterOf = new Map<string, string>();
  private readonly clientPortOf = new Map<string, string>();
  private readonly serverPortOf = new Map<string, string>();

  /** Learn from a fact appended outside any recorded step (set-up, the host). */
  learn(fact: Fact): void {
    if (fact.type === 'InstanceSetup') this.filterOf.set(fact.object, fact.filter);
    else if (fact.type === 'FltSendMessage') this.clientPortOf.set(fact.object, fact.port);
    else if (fact.type === 'ConnectNotify') this.serverPortOf.set(fact.object, fact.serverPort);
  }

  record(fact: Fact, into: FootprintSink): void {
    this.learn(fact);
    if (fact.object === 'sim') {
      // The simulation's facts (the clock, its start) are no thread's doing: see Kernel.chargeWakes.
    } else if (OBJECT_READ_ONLY.has(fact.type)) {
      into.read(fact.object);
    } else if (RUN_LIST.has(fact.type)) {
      const facet = fact.type === 'VerifierViolation' ? VIOLATION_FACET.get(fact.rule) : undefined;
      into.read(facet === undefined ? fact.object : `${fact.object}:${facet}`);
      into.write(RUN_LIST.get(fact.type)!);
    } else if (COUNT_ONLY.has(fact.type)) {
      into.read(namedRead(fact.object));
      into.write(`${fact.object}:counts`);
    } else into.write(fact.object);
    const fields = fact as unknown as Record<string, unknown>;
    for (const key in fields) {
      if (key === 'object' || key === 'type' || TEXT_FIELDS.has(key)) continue;
      const value = fields[key];
      const only = namesOnly(fact.type, key);
      if (typeof value === 'string') {
        if (OBJECT_ID.test(value)) (only ? into.read(namedRead(value)) : into.write(value));
      } else if (Array.isArray(value)) {
        for (const v of value) if (typeof v === 'string' && OBJECT_ID.test(v)) (only ? into.read(namedRead(v)) : into.write(v));
      }
    }
    if (fact.type === 'InstanceSetupReturned') {
      const filter = this.filterOf.get(fact.object);
      if (filter !== undefined) into.write(filter);
    }
    // A message delivered, replied to or withdrawn leaves its client port's queues, which these
    // facts do not name (the fold's changedUnnamed): the step writes the port.
    if (fact.type === 'FilterMessageDelivered' || fact.type === 'FilterReplyMessage' || fact.type === 'FilterMessageWithdrawn') {
      const port = this.clientPortOf.get(fact.object);
      if (port !== undefined) into.write(port);
    }
    // A client port rejected or disconnected leaves its server port's connections (changedUnnamed).
    if (fact.type === 'ConnectNotifyReturned' || fact.type === 'DisconnectNotifyReturned') {
      const server = this.serverPortOf.get(fact.object);
      if (server !== undefined) into.write(server);
    }
    if (fact.type === 'NameCacheMiss' || fact.type === 'NameCacheHit') into.read(`names:${fact.key}`);
    if (fact.type === 'NameCacheInsert' || fact.type === 'NameCacheInvalidate') into.write(`names:${fact.key}`);
  }
}
