// Issue 14 item 3: the one table of every function the public API reaches, and how the bad-argument
// fuzz test (badArguments.test.ts) calls it. badArguments.test.ts fails when an export, a method of
// `sim`, `sim.io`, Timeline or Cursor is missing here, so a new public routine cannot skip the fuzz.
import * as api from '../../src/index.js';

/**
 * - `thread`: an export called on a simulated thread (blocking routines are driven with yield*);
 * - `simThread` / `simHost`: a method of `sim`, called on a thread / from the host between steps;
 * - `io`: an application call of `sim.io`, on a thread;
 * - `timeline` / `cursor`: a method of a Timeline / Cursor over the world's log;
 * - `class`: a constructor the caller allocates (`new KEVENT()`); its routines are the entries, and
 *   the constructor itself is fuzzed with the helpers;
 * - `internal`: a TypeScript-private or @internal member, not part of the API;
 * - `helper`: a pure function over the caller's own data (a log, a state, a trace, a constant),
 *   not a routine of the simulation: called from the host with the bad values and the world's own
 *   log, fact and state (callHelperBadly in badArgumentsWorld.ts).
 */
export type How = 'thread' | 'simThread' | 'simHost' | 'io' | 'timeline' | 'cursor' | 'class' | 'internal' | 'helper';

const WDK = /^(Flt|Ke|Ex|Io|Mm|Ob|Ps|Fs|Rtl|Interlocked|Filter)[A-Z]/;
const THREAD_EXPORTS = ['CloseHandle', 'GetOverlappedResult', 'ResetEvent', 'SetEvent', 'WaitForSingleObject', 'sleep', 'preempt', 'timeoutToTicks', 'relativeTicks', 'compareAltitudes', 'normalizeAltitude', 'isAltitude', 'portVariable', 'createSimulation', 'FlushViewOfFile', 'MapViewOfFile', 'UnmapViewOfFile', 'NtClose', 'NtCurrentProcess', 'ZwClose', 'ZwMapViewOfSection', 'ZwQueryInformationTransaction', 'ObfDereferenceObject', 'ZwUnmapViewOfSection', 'CreateIoCompletionPort', 'GetQueuedCompletionStatus', 'FLT_ASSERT'];
const HELPERS = [
  'CTL_CODE', 'FAILED', 'HRESULT_FROM_WIN32', 'IsReparseTagMicrosoft', 'IsReparseTagNameSurrogate', 'IsReparseTagValid', 'NT_ERROR', 'NT_SUCCESS', 'NT_WARNING', 'ROUND_TO_SIZE', 'SUCCEEDED',
  'asyncCompletions', 'bitNames', 'checkScenarioArgs', 'contextTypeName', 'createScenarioSimulation', 'decodeDirectoryEntries', 'dependent', 'diffStates', 'encodeDirectoryEntries', 'exhaustiveSearch', 'explore',
  'fileNameOptionsText', 'fileOpenCancellation', 'findScenario', 'firstDifference', 'flagNames', 'foldLog', 'fork', 'formatCoverage', 'formatCycle', 'formatDiff', 'formatFact', 'formatObjects', 'formatPctBound',
  'formatStacks', 'formatTrace', 'transactionNotifyName', 'hex32', 'hresultFromNtStatus', 'hresultName', 'inOrderStrategy', 'irpMajorName', 'isScenario', 'lenientReplayStrategy', 'logDigest', 'mountPointReparseData', 'ntStatusName',
  'packCreateOptions', 'parametersMember', 'parseNameSurrogate', 'pctBound', 'pctStrategy', 'poolTagText', 'preemptionsOf', 'randomStrategy', 'readTraceFile', 'rebuild', 'recordingOf', 'reducedSearch',
  'replayChecked', 'replayLeniently', 'replaySchedule', 'replayStrategy', 'restoreSimulation', 'runSchedule', 'shrinkSchedule', 'startRun', 'symbolicLinkReparseData', 'threadActivity', 'toChromeTrace',
  'toMermaid', 'traceFileChunks', 'traceFileLines', 'traceFileText', 'traceHeader', 'unloadGate', 'unpackCreateOptions', 'decodeFileNotifyInformation', 'encodeFileNotifyInformation', 'decodeRequestOplockOutputBuffer', 'encodeRequestOplockInputBuffer', 'fileNotifyInformationBytes', 'irpMinorLockName', 'viewBytes', 'writeMappedView', 'waitForGraph', 'whyFact', 'win32ErrorFromNtStatus', 'windowHits', 'withoutPreemptions',
];
const SIM_THREAD = ['PsGetCurrentThread', 'PsGetCurrentProcess', 'PsGetCurrentProcessId', 'PsGetCurrentThreadId', 'join', 'FltUnloadFilter', 'FilterUnload', 'ServiceStop', 'FilterConnectCommunicationPort', 'CreateEventW', 'FilterAttach', 'FilterAttachAtAltitude', 'FilterDetach'];
const SIM_HOST = [
  'state', 'loadLegacyFilter', 'mountVolume', 'dismountVolume', 'ejectVolume', 'surpriseRemoveVolume', 'shutdownSystem', 'loadDriver', 'spawn', 'createProcess', 'sharedCell', 'whenSettled', 'act', 'heldRequests', 'completeRequest', 'currentThread',
  'FltEnumerateFilters', 'FltEnumerateInstances', 'filter', 'volume', 'fileSystem', 'thread', 'step', 'enabled', 'nextEventTime', 'nextWakeTime', 'advanceTo', 'runUntilFact', 'runUntilIdle', 'save', 'buildScenario', 'runUntil', 'stuck', 'run',
];
const SIM_INTERNAL = ['mountVolumeNow', 'completeHeldRequest', 'recorded', 'noteHostChange', 'refuseDuringDelivery', 'currentThreadObject', 'lookup', 'handle'];
const IO = [
  'NtCreateFile', 'NtClose', 'NtReadFile', 'NtWriteFile', 'NtQueryFullAttributesFile', 'NtQueryInformationFile', 'NtSetInformationFile', 'NtQueryVolumeInformationFile', 'NtQuerySecurityObject', 'NtSetSecurityObject', 'NtFsControlFile',
  'NtDeviceIoControlFile', 'NtFlushBuffersFile', 'NtQueryDirectoryFile', 'ReadFile', 'WriteFile', 'GetOverlappedResult', 'NtCancelIoFile', 'CancelIoEx', 'CancelSynchronousIo',
  'CreateFileMappingW', 'DeviceIoControl', 'LockFileEx', 'NtLockFile', 'NtNotifyChangeDirectoryFile', 'NtUnlockFile', 'ReadDirectoryChangesW', 'UnlockFileEx',
  'NtCreateTransaction', 'NtCommitTransaction', 'NtRollbackTransaction',
];
// The request path on a handle (tracked, send, offsetFor, acquire, release) is src/io/ioManagerRequests.ts, not a method of sim.io.
const IO_INTERNAL = ['transactionHandle', 'handlesOf', 'fileObject', 'open', 'create', 'createHandle', 'createParameters', 'fltMgrOf', 'hasHandle'];

const isClass = (v: unknown): boolean => typeof v === 'function' && /^class\b/.test(Function.prototype.toString.call(v));

/** The table: `export`, `sim.method`, `io.method`, `Timeline.method`, `Cursor.method` → how it is called. */
export const PUBLIC_ROUTINES: ReadonlyMap<string, How> = new Map<string, How>([
  ...Object.keys(api)
    .filter((k) => typeof (api as Record<string, unknown>)[k] === 'function')
    .filter((k) => isClass((api as Record<string, unknown>)[k]) || WDK.test(k) || THREAD_EXPORTS.includes(k) || HELPERS.includes(k))
    .map((k): [string, How] => [k, isClass((api as Record<string, unknown>)[k]) ? 'class' : HELPERS.includes(k) ? 'helper' : 'thread']),
  ...SIM_THREAD.map((k): [string, How] => [`sim.${k}`, 'simThread']),
  ...SIM_HOST.map((k): [string, How] => [`sim.${k}`, 'simHost']),
  ...SIM_INTERNAL.map((k): [string, How] => [`sim.${k}`, 'internal']),
  ...IO.map((k): [string, How] => [`io.${k}`, 'io']),
  ...IO_INTERNAL.map((k): [string, How] => [`io.${k}`, 'internal']),
  ...['push', 'stateAt'].map((k): [string, How] => [`Timeline.${k}`, 'timeline']),
  ...['checkpoint', 'assemble', 'fold', 'stateAtPeeking'].map((k): [string, How] => [`Timeline.${k}`, 'internal']),
  ...['at', 'next', 'back', 'nextOperation', 'previousOperation'].map((k): [string, How] => [`Cursor.${k}`, 'cursor']),
]);

/** The methods of a class and of the classes it extends (Simulation extends SimulationBase, IoManager NativeIoManager). */
const methods = (prototype: object, prefix: string): string[] => {
  const names = new Set<string>();
  for (let p: object | null = prototype; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const k of Object.getOwnPropertyNames(p)) if (k !== 'constructor' && typeof Object.getOwnPropertyDescriptor(p, k)!.value === 'function') names.add(k);
  }
  return [...names].map((k) => `${prefix}.${k}`);
};

/** Every function the public API reaches, found afresh: the exports and the methods of the objects it hands out. */
export function reachableRoutines(): string[] {
  const sim = api.createSimulation({ seed: 1 });
  return [
    ...Object.keys(api).filter((k) => typeof (api as Record<string, unknown>)[k] === 'function'),
    ...methods(api.Simulation.prototype, 'sim'),
    ...methods(Object.getPrototypeOf(sim.io) as object, 'io'),
    ...methods(api.Timeline.prototype, 'Timeline'),
    ...methods(api.Cursor.prototype, 'Cursor'),
  ].sort();
}
