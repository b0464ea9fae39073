// avscan's file-state cache (examples/samples/avscan, cache.ts; wdk-samples §5 checks 1 and 3): the
// instance context's AVL table keyed by file id (FileInternalInformation, or FileIdInformation's 128
// bits on ReFS, §21.4), loaded by post-create into each new stream context, synced by pre-cleanup
// when the file is clean or infected, emptied by AvInstanceTeardownStart, asserted empty by
// AvInstanceContextCleanup (§15.8). As traces, then explored with the unload racing the workload.
import { describe, expect, it } from 'vitest';
import { createSimulation, explore, foldLog, replaySchedule, STATUS_SUCCESS, STATUS_VIRUS_INFECTED, type Fact, type MonitorViolation, type Scenario, type Simulation } from '../../src/index.js';
import { compactTrace } from '../../src/testing/index.js';
import { buildAvScan, scenario } from '../../examples/samples/avscan/index.js';
import { AvScanResultClean, AvScanResultInfected } from '../../examples/samples/avscan/avlib.js';
import { budget, DEEP } from '../support/deep.js';
import { createsComplete, sectionsClosedOnce } from './avscanMonitors.js';

function run(args: Record<string, string | number | boolean>): { sim: Simulation; reason: string } & ReturnType<typeof buildAvScan> {
  const sim = createSimulation({ onViolation: 'record', seed: 1 });
  const built = buildAvScan(sim, args);
  return { sim, reason: sim.run({ maxSteps: 200_000 }).reason, ...built };
}

/**
 * What a person checks of the cache: the scans asked of the scanner, the stream contexts (each new
 * one reads the cache), the table's entries (pool tagged 'AvTe'), the creates' outcomes, the teardown.
 */
const CACHE_FACTS = ['FltSendMessage', 'FltAllocateContext', 'ContextFreed', 'PoolAllocate', 'PoolFree', 'IoComplete', 'InstanceTeardownStart'] as const;
function cacheTrace(sim: Simulation): string[] {
  const entries = new Set(sim.log.filter((f) => f.type === 'PoolAllocate' && f.tag === 'AvTe').map((f) => f.object));
  return compactTrace(sim.log, { types: [...CACHE_FACTS] }).filter((l) => {
    if (l.includes('AbortPort')) return false;
    if (l.includes(' PoolAllocate ') || l.includes(' PoolFree ')) return entries.has(l.split(' ')[0]!);
    if (l.includes('FltAllocateContext')) return /FLT_(STREAM|INSTANCE)_CONTEXT /.test(l);
    if (l.includes('ContextFreed')) return /\((STREAM|INSTANCE) of/.test(l);
    if (l.includes('IoComplete')) return l.includes('(CREATE ');
    return true;
  });
}

/** §15.8 for the cache: once the instance is torn down, every table entry's pool ('AvTe') has been freed. */
export function cacheEntriesFreed(facts: readonly Fact[]): MonitorViolation[] {
  if (!facts.some((f) => f.type === 'InstanceTeardownComplete')) return [];
  const live = new Set<string>();
  for (const f of facts) {
    if (f.type === 'PoolAllocate' && f.tag === 'AvTe') live.add(f.object);
    if (f.type === 'PoolFree') live.delete(f.object);
  }
  return [...live].map((b) => ({ name: 'CACHE_ENTRY_LEAKED', seq: facts.length, message: `${b} ('AvTe') is still allocated after the teardown` }));
}

describe('avscan\'s file-state cache (wdk-samples §5 checks 1, 3)', () => {
  it('a clean file is scanned once; opened again (a new stream context) its state comes from the cache: no scan; the write marks it Modified, the cleanup rescans and the entry is overwritten in place', () => {
    const { sim, reason, results, scanner } = run({ cache: 'clean', unload: false });
    expect(reason).toBe('idle');
    expect(results).toMatchObject({ app: STATUS_SUCCESS, reopen: STATUS_SUCCESS, write: STATUS_SUCCESS, reader: STATUS_SUCCESS });
    expect(scanner.Results.map((r) => r.result)).toEqual([AvScanResultClean, AvScanResultClean]);
    expect(cacheTrace(sim)).toEqual([
      // InstanceSetup: NTFS keeps a table (FS_SUPPORTS_FILE_STATE_CACHE).
      'C1(INSTANCE of avscan) FltAllocateContext filter=F1:avscan FLT_INSTANCE_CONTEXT size=32 pool=512',
      // The first open: a new stream context, its file id (FileInternalInformation) not in the cache: Modified, scanned.
      'C2(STREAM of avscan) FltAllocateContext filter=F1:avscan FLT_STREAM_CONTEXT size=64 pool=1',
      'M1 FltSendMessage port=Q1:client of \\MicrosoftAvSampleFilterScanPort thread=T3:app length=24 reply=4 until=101',
      'D1(CREATE \\clean.txt) IoComplete status=STATUS_SUCCESS information=FILE_OPENED',
      // Its cleanup: NotInfected, so AvSyncCache inserts the entry (32 bytes of RTL_BALANCED_LINKS + 48 of AV_GENERIC_TABLE_ENTRY).
      "S2 PoolAllocate ExAllocatePoolZero tag='AvTe' bytes=80 owner=F1:avscan",
      'C2(STREAM of avscan) ContextFreed',
      // The second open: a new stream context loads NotInfected from the cache; no scan.
      'C4(STREAM of avscan) FltAllocateContext filter=F1:avscan FLT_STREAM_CONTEXT size=64 pool=1',
      'D10(CREATE \\clean.txt) IoComplete status=STATUS_SUCCESS information=FILE_OPENED',
      // It writes (Modified), so its cleanup scans; the entry is overwritten in place (no new pool).
      'M2 FltSendMessage port=Q1:client of \\MicrosoftAvSampleFilterScanPort thread=T3:app length=24 reply=4 until=101',
      'C4(STREAM of avscan) ContextFreed',
      // The reader's open: NotInfected from the cache again; no scan.
      'C6(STREAM of avscan) FltAllocateContext filter=F1:avscan FLT_STREAM_CONTEXT size=64 pool=1',
      'D20(CREATE \\clean.txt) IoComplete status=STATUS_SUCCESS information=FILE_OPENED',
      'C6(STREAM of avscan) ContextFreed',
    ]);
    expect(sim.state().violations).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('a write of the pattern invalidates the clean entry: the cleanup rescan finds the file infected and syncs that, so the reader\'s open is denied from the cache with STATUS_VIRUS_INFECTED, no scan', () => {
    const { sim, reason, results, scanner } = run({ cache: 'infected', unload: false });
    expect(reason).toBe('idle');
    expect(results).toMatchObject({ app: STATUS_SUCCESS, reopen: STATUS_SUCCESS, write: STATUS_SUCCESS, reader: STATUS_VIRUS_INFECTED });
    expect(scanner.Results.map((r) => r.result)).toEqual([AvScanResultClean, AvScanResultInfected]);
    expect(cacheTrace(sim).filter((l) => /FltSendMessage|AvTe|PoolFree|CREATE/.test(l))).toEqual([
      'M1 FltSendMessage port=Q1:client of \\MicrosoftAvSampleFilterScanPort thread=T3:app length=24 reply=4 until=101',
      'D1(CREATE \\clean.txt) IoComplete status=STATUS_SUCCESS information=FILE_OPENED',
      "S2 PoolAllocate ExAllocatePoolZero tag='AvTe' bytes=80 owner=F1:avscan",
      'D10(CREATE \\clean.txt) IoComplete status=STATUS_SUCCESS information=FILE_OPENED',
      // The cleanup's rescan of the written file: infected; AvPreCleanup syncs it (IS_FILE_INFECTED) over the clean entry.
      'M2 FltSendMessage port=Q1:client of \\MicrosoftAvSampleFilterScanPort thread=T3:app length=24 reply=4 until=101',
      // The reader's new stream context loads AvFileInfected: AvCancelFileOpen without a scan.
      'D20(CREATE \\clean.txt) IoComplete status=STATUS_VIRUS_INFECTED information=0',
    ]);
  });

  it('the instance teardown empties the table (each entry\'s pool back to ExFreePoolWithTag) before FltDeleteInstanceContext, so AvInstanceContextCleanup\'s assert holds (§4, §15.8)', () => {
    const { sim, reason, results, image } = run({ cache: 'infected', unload: true, unloadAt: 60 });
    expect(reason).toBe('idle');
    expect(results.unload).toBe(STATUS_SUCCESS);
    expect(cacheTrace(sim).slice(-4)).toEqual([
      'C6(STREAM of avscan) ContextFreed',
      'I1(avscan@265010 on C:) InstanceTeardownStart reason=FILTER_UNLOAD',
      // RtlDeleteElementGenericTable of element 0 until the table is empty: AvFreeGenericTableEntry.
      'S2 PoolFree ExFreePoolWithTag',
      // FltDeleteInstanceContext; AvInstanceContextCleanup finds the table empty and deletes its resource.
      'C1(INSTANCE of avscan) ContextFreed',
    ]);
    expect(image.Globals.DbgPrint.filter((l) => l.includes('AvInstanceTeardownStart'))).toEqual(['[AV] AvInstanceTeardownStart: 0,40 requesting deletion, state:AvFileInfected']);
    expect(cacheEntriesFreed(sim.log)).toEqual([]);
    expect(sim.state().violations).toEqual([]);
  });

  it('keyed by the file system\'s id: ReFS\'s 128-bit FileIdInformation works as NTFS\'s IndexNumber; FAT keeps no table (FS_SUPPORTS_FILE_STATE_CACHE), so every new stream context is scanned again', () => {
    const refs = run({ cache: 'clean', unload: true, unloadAt: 60, fsType: 'ReFS' });
    expect(refs.scanner.Results).toHaveLength(2);
    // FILE_ID_128 of the model's ReFS: the 64-bit id in the low eight bytes (docs/filesystem.md), so UpperZeroes 0, Value 0x40.
    expect(refs.image.Globals.DbgPrint.filter((l) => l.includes('AvInstanceTeardownStart'))).toEqual(['[AV] AvInstanceTeardownStart: 0,40 requesting deletion, state:AvFileNotInfected']);
    const fat = run({ cache: 'clean', unload: true, unloadAt: 60, fsType: 'FAT' });
    expect(fat.results).toMatchObject({ app: STATUS_SUCCESS, reopen: STATUS_SUCCESS, reader: STATUS_SUCCESS, unload: STATUS_SUCCESS });
    expect(fat.scanner.Results).toHaveLength(4);
    expect(fat.sim.log.filter((f) => f.type === 'PoolAllocate' && f.tag === 'AvTe')).toEqual([]);
    expect(fat.sim.state().violations).toEqual([]);
  });
});

describe('a prefetcher\'s open (wdk-samples §5 check 3; §22.2: GUID_ECP_PREFETCH_OPEN from kernel mode)', () => {
  it('is not scanned and gets no stream context, only a stream-handle context flagged AV_FLAG_PREFETCH; its write marks nothing Modified; its cleanup clears the flag and deletes that context; the next open is scanned as a first one', () => {
    const { sim, reason, results, scanner, image } = run({ prefetch: true, unload: false });
    expect(reason).toBe('idle');
    expect(results).toMatchObject({ prefetch: STATUS_SUCCESS, write: STATUS_SUCCESS, app: STATUS_SUCCESS });
    expect(compactTrace(sim.log, { types: ['FltAllocateContext', 'ContextLinked', 'ContextUnlinked', 'ContextFreed', 'FltSendMessage'] }).filter((l) => !l.includes('INSTANCE') && !l.includes('SECTION') && !l.includes('AbortPort'))).toEqual([
      // Post-create of the prefetcher's open: AvPreCreate found the kernel-mode GUID_ECP_PREFETCH_OPEN; no stream context, no scan.
      'C2(STREAMHANDLE of avscan) FltAllocateContext filter=F2:avscan FLT_STREAMHANDLE_CONTEXT size=8 pool=1',
      'C2(STREAMHANDLE of avscan) ContextLinked by=FltSetStreamHandleContext to=O1:\\clean.txt instance=I2:avscan@265010 on C: count=2',
      // Its write: AvPreOperationCallback returns at the handle's AV_FLAG_PREFETCH. Its cleanup: the flag cleared, the context deleted.
      'C2(STREAMHANDLE of avscan) ContextUnlinked by=FltDeleteStreamHandleContext count=1',
      'C2(STREAMHANDLE of avscan) ContextFreed',
      // app's open: the file's first stream context, not in the cache (the prefetch open synced nothing): scanned.
      'C3(STREAM of avscan) FltAllocateContext filter=F2:avscan FLT_STREAM_CONTEXT size=64 pool=1',
      'C3(STREAM of avscan) ContextLinked by=FltSetStreamContext to=V1:stream#64 instance=I2:avscan@265010 on C: count=2',
      'M1 FltSendMessage port=Q1:client of \\MicrosoftAvSampleFilterScanPort thread=T5:app length=24 reply=4 until=101',
      'C3(STREAM of avscan) ContextUnlinked by=teardown of V1:stream#64 count=0',
      'C3(STREAM of avscan) ContextFreed',
    ]);
    expect(scanner.Results.map((r) => r.result)).toEqual([AvScanResultClean]);
    expect(image.Globals.DbgPrint).toEqual([]);
    expect(sim.state().violations).toEqual([]);
  });
});

/** The hand-off workload's file holds the pattern once `app` has written it: the reader's open must fail (§24.4; wdk-samples §5 check 3). */
export function infectedFileOpened(facts: readonly Fact[]): MonitorViolation[] {
  const reader = facts.find((f) => f.type === 'ThreadCreate' && f.name === 'reader')?.object;
  const creates = new Set(facts.filter((f) => f.type === 'IoStart' && f.major === 0 && f.thread === reader).map((f) => f.object));
  return facts
    .filter((f) => f.type === 'IoComplete' && creates.has(f.object) && f.status === STATUS_SUCCESS)
    .map((f) => ({ name: 'INFECTED_FILE_OPENED', seq: f.seq, message: `${f.object}: the reader opened clean.txt, which holds the pattern` }));
}

describe('a bug in the shipped sample\'s cache, found by exploration: AvPreCleanup caches AvFileScanning', () => {
  // AvPreCleanup syncs the cache when `!IS_FILE_MODIFIED || IS_FILE_INFECTED`, which is also true of
  // AvFileScanning (and AvFileUnknown), though its comment says only clean or infected files go in.
  // A handle closed while another open's scan of the same stream runs writes AvFileScanning into the
  // table. If that scan then finds the file infected, the open is cancelled (FltCancelFileOpen: no
  // pre-cleanup of avscan's runs for it), nothing overwrites the entry, and the next new stream
  // context loads AvFileScanning: IS_FILE_NEED_SCAN only asks for Modified, IS_FILE_INFECTED is
  // false, so the infected file opens without a scan — until it is written again.
  // PCT schedule 2 (seed 1) shrunk to one preemption: app (T3) runs its cleanup while app2 (T4) waits for its scan's reply.
  const SHRUNK: readonly string[] = ['T2', 'T2', 'T2', 'T7', 'T7', 'T8', 'T8', 'T9', 'T9', 'T9', 'T9', 'T4', 'T6', 'T5', 'T7', 'T7', 'T7', 'T7', 'T7', 'T7', 'T7', 'T7', 'T7', 'T7', 'T7', 'T10', 'T7', 'T7', 'T7', 'T3', 'T3', 'T3', 'T3', 'T3', 'T3', 'T3', 'T3', 'T4', 'T4', 'T4', 'T4', 'T4', 'T4', 'T4', 'T4', 'T8', 'T8', 'T8', 'T8', 'T8', 'T8', 'T8', 'T8', 'T8', 'T8', 'T8', 'T3', 'T3', 'T3', 'T3', 'T3', 'T3', 'T3', 'T6', 'T5', 'T4', 'T4', 'T12', 'T8', 'T8', 'T8', 'T8', 'T5', 'T6', 'T7', 'T2', 'T2'];
  const handoff = { cache: 'handoff', unload: false, scanDelay: 1, LocalScanTimeout: 5000 };

  it('app writes the pattern; app2\'s open is scanned (infected, denied) while app\'s close syncs AvFileScanning; the reader\'s open loads it and succeeds, unscanned', () => {
    const { sim, reason, results, scanner, image } = run({ ...handoff, openAt: 512, closeAfter: 2, unload: true, unloadAt: 600 });
    expect(reason).toBe('idle');
    expect(results).toMatchObject({ app: STATUS_SUCCESS, write: STATUS_SUCCESS, app2: STATUS_VIRUS_INFECTED, reader: STATUS_SUCCESS });
    // Two scans: app's open (clean) and app2's (infected); none for the reader.
    expect(scanner.Results.map((r) => r.result)).toEqual([AvScanResultClean, AvScanResultInfected]);
    expect(cacheTrace(sim).filter((l) => /FltSendMessage|AvTe|CREATE/.test(l))).toEqual([
      'M1 FltSendMessage port=Q1:client of \\MicrosoftAvSampleFilterScanPort thread=T3:app length=24 reply=4 until=5001',
      'D1(CREATE \\clean.txt) IoComplete status=STATUS_SUCCESS information=FILE_OPENED',
      // app2's open finds the stream Modified (app wrote the pattern): a scan; AvFileScanning once its section exists.
      'M2 FltSendMessage port=Q1:client of \\MicrosoftAvSampleFilterScanPort thread=T4:app2 length=24 reply=4 until=5512',
      // app closes meanwhile: its pre-cleanup sees AvFileScanning, which is not Modified, and syncs it into the cache.
      "S2 PoolAllocate ExAllocatePoolZero tag='AvTe' bytes=80 owner=F1:avscan",
      // app2's scan: infected, its open cancelled (no pre-cleanup of avscan's for it: nothing rewrites the entry).
      'D9(CREATE \\clean.txt) IoComplete status=STATUS_VIRUS_INFECTED information=0',
      // The reader's new stream context loads AvFileScanning: no scan, not infected: opened.
      'D19(CREATE \\clean.txt) IoComplete status=STATUS_SUCCESS information=FILE_OPENED',
    ]);
    expect(image.Globals.DbgPrint.filter((l) => l.includes('AvInstanceTeardownStart'))).toEqual(['[AV] AvInstanceTeardownStart: 0,40 requesting deletion, state:AvFileScanning']);
    expect(infectedFileOpened(sim.log).map((v) => v.name)).toEqual(['INFECTED_FILE_OPENED']);
  });

  it('PCT finds it where the in-order schedule does not (app\'s close in the tick app2\'s scan ends); the shrunk schedule has one preemption', () => {
    const args = { ...handoff, openAt: 512, closeAfter: 1 };
    const inOrder = run(args);
    expect([inOrder.results.app2, inOrder.results.reader]).toEqual([STATUS_VIRUS_INFECTED, STATUS_VIRUS_INFECTED]);
    const r = explore(scenario, { strategy: 'pct', seed: 1, schedules: budget(4, 4), shrink: DEEP, monitors: [infectedFileOpened], args });
    expect(r.violation).toMatchObject({ kind: 'monitor', name: 'INFECTED_FILE_OPENED' });
    expect(r.schedules).toBe(2);
    if (DEEP) expect(r.shrunk!.preemptions).toBe(1);
  });

  it('with fixCacheSync (only a clean or infected state synced, as the C\'s comment says) the reader is scanned and denied, in order and in the same PCT schedules', () => {
    const fixed = run({ ...handoff, openAt: 512, closeAfter: 2, fixCacheSync: true });
    expect([fixed.results.app2, fixed.results.reader]).toEqual([STATUS_VIRUS_INFECTED, STATUS_VIRUS_INFECTED]);
    expect(fixed.scanner.Results.map((r) => r.result)).toEqual([AvScanResultClean, AvScanResultInfected, AvScanResultInfected]);
    const r = explore(scenario, { strategy: 'pct', seed: 1, schedules: budget(2, 20), shrink: false, monitors: [infectedFileOpened], args: { ...handoff, openAt: 512, closeAfter: 1, fixCacheSync: true } });
    expect(r.violation).toBeNull();
  });

  it('the shrunk schedule, replayed: app\'s cleanup runs between app2\'s scan request and its reply', () => {
    const o = replaySchedule(scenario as Scenario, { seed: 2, choices: SHRUNK, monitors: [infectedFileOpened], args: { ...handoff, openAt: 512, closeAfter: 1 } });
    expect(o.violation).toMatchObject({ name: 'INFECTED_FILE_OPENED' });
    expect(cacheTrace(o.sim).filter((l) => /FltSendMessage|AvTe|CREATE/.test(l))).toEqual([
      'M1 FltSendMessage port=Q1:client of \\MicrosoftAvSampleFilterScanPort thread=T3:app length=24 reply=4 until=5001',
      'D1(CREATE \\clean.txt) IoComplete status=STATUS_SUCCESS information=FILE_OPENED',
      'M2 FltSendMessage port=Q1:client of \\MicrosoftAvSampleFilterScanPort thread=T4:app2 length=24 reply=4 until=5512',
      // The preemption: app's close (its sleep ended in this tick) runs before app2's scan is answered.
      "S2 PoolAllocate ExAllocatePoolZero tag='AvTe' bytes=80 owner=F1:avscan",
      'D9(CREATE \\clean.txt) IoComplete status=STATUS_VIRUS_INFECTED information=0',
      'D19(CREATE \\clean.txt) IoComplete status=STATUS_SUCCESS information=FILE_OPENED',
    ]);
  });
});

describe('avscan\'s cache explored: the unload racing the workload (§4, §15.8)', () => {
  const monitors = [sectionsClosedOnce, createsComplete, cacheEntriesFreed];
  it.each(['clean', 'infected'])('PCT, %s: every section closed once, every create wakes, no FLT_ASSERT, the table emptied by the teardown', (cache) => {
    const r = explore(scenario, { strategy: 'pct', seed: 1, schedules: budget(1, 60), shrink: false, monitors, args: { cache, unloadAt: 5, scanDelay: 1, fixCancelRace: true } });
    expect(r.violation).toBeNull();
  });

  it('bounded exhaustive search (1 preemption), clean: none', () => {
    const r = explore(scenario, { strategy: 'exhaustive', reduction: 'sleep-sets', preemptionBound: 1, seed: 1, schedules: budget(1, 60), shrink: false, monitors, args: { cache: 'clean', unloadAt: 5, scanDelay: 1, fixCancelRace: true } });
    expect(r.violation).toBeNull();
  });
});
