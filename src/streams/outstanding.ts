/**
 * What an object still owes before it may go away, as the unload gate (unloadGate.ts) reads it. The
 * counts live beside the stream factory that consumes them so that streams depend on nothing above
 * them; src/fltmgr/rundown.ts keeps them per filter, instance and volume.
 */
export interface Outstanding {
  /** FltObjectReference and routines that hand out referenced objects (§12). */
  readonly references: number;
  /** Operations this object pended (pre or post) and has not completed yet (§4 step 4). */
  readonly pendedOperations: number;
  /** I/O this object generated that has not completed (§10). */
  readonly generatedIo: number;
  /** FltQueueGenericWorkItem items not yet run (§12). */
  readonly workItems: number;
  /** For a filter: references held on its instances, which also keep its unload gate shut. */
  readonly instanceReferences: number;
  /** Operation callbacks (pre, post, drain) running now: FltMgr holds instance rundown protection across them. */
  readonly callbacksInProgress: number;
  /** For a filter: its contexts not yet freed (§15.9: a context reference keeps the filter alive). */
  readonly contexts: number;
  /** For a filter: its server ports not yet closed (§17.2: an open server port hangs FltUnregisterFilter). */
  readonly serverPorts: number;
  /** For a filter: ConnectNotify, DisconnectNotify and MessageNotify calls running now. */
  readonly portCallbacks: number;
  /** For a filter: kernel handles and file-object references it opened (FltCreateFile*) and still holds; they hold the unload only with `semantics.leakedFilesHoldUnload`. */
  readonly openFiles: number;
}

export const NOTHING_OUTSTANDING: Outstanding = Object.freeze({ references: 0, pendedOperations: 0, generatedIo: 0, workItems: 0, instanceReferences: 0, callbacksInProgress: 0, contexts: 0, serverPorts: 0, portCallbacks: 0, openFiles: 0 });

export function isDrained(o: Outstanding): boolean {
  return (
    o.references === 0 &&
    o.pendedOperations === 0 &&
    o.generatedIo === 0 &&
    o.workItems === 0 &&
    o.instanceReferences === 0 &&
    o.callbacksInProgress === 0 &&
    o.contexts === 0 &&
    o.serverPorts === 0 &&
    o.portCallbacks === 0 &&
    o.openFiles === 0
  );
}

