// The MetadataManager sample (examples/samples/metadataManager), §21.7, §23.4, §23.5, §18.5: what
// its code does, pinned as traces; then explored against the unload and a second application
// thread; then the variant that keeps its resource across FltCreateFile, whose wait-for cycle
// exploration finds and names edge by edge.
import { describe, expect, it } from 'vitest';
import { createSimulation, explore, IRP_MJ_READ, sleep, foldLog, formatCycle, FILE_ATTRIBUTE_HIDDEN, FILE_ATTRIBUTE_SYSTEM, ntStatusName, replaySchedule, STATUS_ACCESS_DENIED, STATUS_NOT_LOCKED, STATUS_SUCCESS, type Explorable, type Monitor, type Simulation } from '../../src/index.js';
import { compactTrace } from '../../src/testing/index.js';
import { main } from '../../src/cli/main.js';
import { buildMetadataManager, scenario } from '../../examples/samples/metadataManager/index.js';
import { FMM_NAME } from '../../examples/samples/metadataManager/metadataManagerInit.js';
import { budget, DEEP } from '../support/deep.js';

/** The I/O a person checks against the sample: each operation's start (without its parameters), fmm's pre-op verdict, its end. */
const IO = ['IoStart', 'PreOperationReturned', 'IoComplete'] as const;
const short = (lines: string[]): string[] => lines.map((l) => l.replace(/ \{.*\}$/, '').replace(/ flags=IRP_OPERATION (KernelMode|UserMode)/, ''));
const names = (results: Record<string, number | undefined>) => Object.fromEntries(Object.entries(results).map(([k, v]) => [k, ntStatusName(v!)]));

function run(args: Record<string, string | number>): { sim: Simulation; results: ReturnType<typeof buildMetadataManager>['results']; output: string[] } {
  const sim = createSimulation({ onViolation: 'record' });
  const { results, image } = buildMetadataManager(sim, args);
  expect(sim.run().reason).toBe('idle');
  return { sim, results, output: image.Globals.DebugOutput };
}

describe('MetadataManager, as shipped (§21.7)', () => {
  it('chkdsk locks the volume because the pre-FSCTL closed the metadata file first (FltClose + ObDereferenceObject: CLEANUP and CLOSE below fmm), then the post-FSCTL of the unlock re-opens it', () => {
    const { sim, results } = run({ app: 'no', unload: 'no' });
    expect(names(results)).toEqual({ open: 'STATUS_SUCCESS', lock: 'STATUS_SUCCESS', unlock: 'STATUS_SUCCESS' });
    expect(short(compactTrace(sim.log, { types: [...IO] }))).toEqual([
      // InstanceSetup: the metadata file, opened with a create targeted below fmm (§23.5: handle and referenced file object).
      'D1(CREATE \\System Volume Information\\FilterMetadata.md) IoStart IRP_MJ_CREATE file=O1:\\System Volume Information\\FilterMetadata.md from=I1:fmm@370060 on C:',
      'D1(CREATE \\System Volume Information\\FilterMetadata.md) IoComplete status=STATUS_SUCCESS information=FILE_OPENED',
      'D2(CREATE C:<volume>) IoStart IRP_MJ_CREATE file=O2:C:<volume>',
      'D2(CREATE C:<volume>) PreOperationReturned instance=I1:fmm@370060 on C: FLT_PREOP_SUCCESS_NO_CALLBACK',
      'D2(CREATE C:<volume>) IoComplete status=STATUS_SUCCESS information=FILE_OPENED',
      'D3(FILE_SYSTEM_CONTROL C:<volume>) IoStart IRP_MJ_FILE_SYSTEM_CONTROL file=O2:C:<volume>',
      // FmmPreFSControl → FmmReleaseMetadataFileReferences → FmmCloseMetadata, before the lock reaches NTFS.
      'D4(CLEANUP \\System Volume Information\\FilterMetadata.md) IoStart IRP_MJ_CLEANUP file=O1:\\System Volume Information\\FilterMetadata.md',
      'D4(CLEANUP \\System Volume Information\\FilterMetadata.md) IoComplete status=STATUS_SUCCESS information=0',
      'D5(CLOSE \\System Volume Information\\FilterMetadata.md) IoStart IRP_MJ_CLOSE file=O1:\\System Volume Information\\FilterMetadata.md',
      'D5(CLOSE \\System Volume Information\\FilterMetadata.md) IoComplete status=STATUS_SUCCESS information=0',
      'D3(FILE_SYSTEM_CONTROL C:<volume>) PreOperationReturned instance=I1:fmm@370060 on C: FLT_PREOP_SYNCHRONIZE',
      'D3(FILE_SYSTEM_CONTROL C:<volume>) IoComplete status=STATUS_SUCCESS information=0',
      'D6(FILE_SYSTEM_CONTROL C:<volume>) IoStart IRP_MJ_FILE_SYSTEM_CONTROL file=O2:C:<volume>',
      'D6(FILE_SYSTEM_CONTROL C:<volume>) PreOperationReturned instance=I1:fmm@370060 on C: FLT_PREOP_SYNCHRONIZE',
      // FmmPostFSControl of the unlock, on chkdsk's thread: the locking file object is the trigger, re-open.
      'D7(CREATE \\System Volume Information\\FilterMetadata.md) IoStart IRP_MJ_CREATE file=O3:\\System Volume Information\\FilterMetadata.md from=I1:fmm@370060 on C:',
      'D7(CREATE \\System Volume Information\\FilterMetadata.md) IoComplete status=STATUS_SUCCESS information=FILE_OPENED',
      'D6(FILE_SYSTEM_CONTROL C:<volume>) IoComplete status=STATUS_SUCCESS information=0',
      'D8(CLEANUP C:<volume>) IoStart IRP_MJ_CLEANUP file=O2:C:<volume>',
      'D8(CLEANUP C:<volume>) PreOperationReturned instance=I1:fmm@370060 on C: FLT_PREOP_SYNCHRONIZE',
      'D8(CLEANUP C:<volume>) IoComplete status=STATUS_SUCCESS information=0',
      'D9(CLOSE C:<volume>) IoStart IRP_MJ_CLOSE file=O2:C:<volume>',
      'D9(CLOSE C:<volume>) IoComplete status=STATUS_SUCCESS information=0',
    ]);
    // The resource is dropped around each of the filter's own file-system operations (TRANSITION).
    expect(sim.state().violations).toEqual([]);
    expect(sim.state().fileObjects['O3']).toMatchObject({ state: 'HandleCreated' }); // the re-opened metadata file
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('a filter that keeps its handle (variant keepsHandle): the lock meets the open metadata file and fails with STATUS_ACCESS_DENIED, the unlock with STATUS_NOT_LOCKED (§21.7)', () => {
    const { results } = run({ variant: 'keepsHandle', app: 'no', unload: 'no' });
    expect(results).toEqual({ open: STATUS_SUCCESS, lock: STATUS_ACCESS_DENIED, unlock: STATUS_NOT_LOCKED });
  });

  it('dismount: the post-FSCTL detaches the instance (FltDetachVolume from its own post-op), teardown finds the metadata file already closed', () => {
    const { sim, results } = run({ app: 'no', unload: 'no', dismount: 'yes' });
    expect(names(results)).toEqual({ open: 'STATUS_SUCCESS', lock: 'STATUS_SUCCESS', dismount: 'STATUS_SUCCESS' });
    expect(compactTrace(sim.log, { types: ['InstanceTeardownStart', 'InstanceTeardownComplete', 'InstanceFreed'] })).toEqual([
      'I1(fmm@370060 on C:) InstanceTeardownStart reason=MANUAL',
      'I1(fmm@370060 on C:) InstanceTeardownComplete reason=MANUAL',
      'I1(fmm@370060 on C:) InstanceFreed',
    ]);
    // One open of the metadata file (InstanceSetup), closed once for the lock, never re-opened.
    expect(compactTrace(sim.log, { types: ['IoStart'] }).filter((l) => /CREATE \\System Volume Information\\FilterMetadata.md/.test(l))).toHaveLength(1);
    expect(sim.state().violations).toEqual([]);
  });

  it('the unload: InstanceTeardownComplete closes the metadata file under the resource', () => {
    const { sim, results } = run({ app: 'no', unloadAt: 5 });
    expect(results.unload).toBe(STATUS_SUCCESS);
    const from = sim.log.find((f) => f.type === 'InstanceTeardownComplete')!.seq;
    const closes = compactTrace(sim.log, { from, types: ['InstanceTeardownComplete', 'IoStart', 'InstanceTeardownCompleteReturned'] });
    expect(short(closes)).toEqual([
      'I1(fmm@370060 on C:) InstanceTeardownComplete reason=FILTER_UNLOAD',
      'D10(CLEANUP \\System Volume Information\\FilterMetadata.md) IoStart IRP_MJ_CLEANUP file=O3:\\System Volume Information\\FilterMetadata.md',
      'D11(CLOSE \\System Volume Information\\FilterMetadata.md) IoStart IRP_MJ_CLOSE file=O3:\\System Volume Information\\FilterMetadata.md',
      'I1(fmm@370060 on C:) InstanceTeardownCompleteReturned',
    ]);
    expect(sim.state().violations).toEqual([]);
  });

  it('a manual attachment to a volume without the file creates \\System Volume Information (FltCreateSystemVolumeInformationFolder, §23.4) and then the metadata file', () => {
    const sim = createSimulation({ onViolation: 'record' });
    buildMetadataManager(sim, { app: 'no', unload: 'no' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume2', dosName: 'D:' });
    const attach = sim.spawn('fltmc attach fmm D:', () => sim.FilterAttach(FMM_NAME, 'D:'));
    expect(sim.run().reason).toBe('idle');
    expect(attach.result).toBe(STATUS_SUCCESS);
    expect(compactTrace(sim.log, { types: ['IoComplete'] }).filter((l) => /^D\d+\(CREATE \\System Volume Information/.test(l))).toEqual([
      'D1(CREATE \\System Volume Information\\FilterMetadata.md) IoComplete status=STATUS_SUCCESS information=FILE_OPENED', // C:, InstanceSetup
      // D: mounted: the automatic attachment opens without creating (FILE_OPEN) and does not attach.
      'D2(CREATE \\System Volume Information\\FilterMetadata.md) IoComplete status=STATUS_OBJECT_PATH_NOT_FOUND information=0',
      // fltmc attach: FILE_OPEN_IF, the folder is missing, FltCreateSystemVolumeInformationFolder, retry.
      'D3(CREATE \\System Volume Information\\FilterMetadata.md) IoComplete status=STATUS_OBJECT_PATH_NOT_FOUND information=0',
      'D4(CREATE \\System Volume Information) IoComplete status=STATUS_SUCCESS information=FILE_CREATED',
      'D7(CREATE \\System Volume Information\\FilterMetadata.md) IoComplete status=STATUS_SUCCESS information=FILE_CREATED',
      'D13(CREATE \\System Volume Information\\FilterMetadata.md) IoComplete status=STATUS_SUCCESS information=FILE_OPENED', // C:, chkdsk's unlock
    ]);
    const created = sim.fileSystem('D:').stat('\\System Volume Information\\FilterMetadata.md');
    expect(created?.attributes! & (FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM)).toBe(FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM);
    expect(sim.state().violations).toEqual([]);
  });

  it('runs from the command line: fltsim run examples/samples/metadataManager', async () => {
    const out: string[] = [];
    const code = await main(['run', 'examples/samples/metadataManager'], { out: (l) => out.push(...l.split('\n')), err: (l) => out.push(l) });
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/fltsim run sample-metadataManager, seed 1, strategy in-order: idle after \d+ facts/);
  });
});

describe('MetadataManager and the PnP manager, and shutdown (IRP_MJ_PNP, IRP_MJ_SHUTDOWN, §5)', () => {
  const metadata = (lines: string[]): string[] => lines.filter((l) => /FilterMetadata\.md/.test(l));

  it('an eject with nothing else open: FmmPrePnp closes the metadata file for the query-remove, the file system grants it, the remove dismounts and the instance goes (reason VOLUME_DISMOUNT)', () => {
    const { sim, results } = run({ app: 'no', unload: 'no', chkdsk: 'no', pnp: 'eject' });
    expect(names(results)).toEqual({ pnp: 'STATUS_SUCCESS' });
    expect(short(compactTrace(sim.log, { types: ['IoStart', 'PreOperationReturned', 'IoComplete', 'InstanceTeardownStart', 'VolumeDismounted'] })).slice(2)).toEqual([
      'D2(PNP C:) IoStart IRP_MJ_PNP volume=V1:C:',
      // FmmPrePnp(IRP_MN_QUERY_REMOVE_DEVICE) → FmmReleaseMetadataFileReferences: CLEANUP and CLOSE below fmm.
      'D3(CLEANUP \\System Volume Information\\FilterMetadata.md) IoStart IRP_MJ_CLEANUP file=O1:\\System Volume Information\\FilterMetadata.md',
      'D3(CLEANUP \\System Volume Information\\FilterMetadata.md) IoComplete status=STATUS_SUCCESS information=0',
      'D4(CLOSE \\System Volume Information\\FilterMetadata.md) IoStart IRP_MJ_CLOSE file=O1:\\System Volume Information\\FilterMetadata.md',
      'D4(CLOSE \\System Volume Information\\FilterMetadata.md) IoComplete status=STATUS_SUCCESS information=0',
      'D2(PNP C:) PreOperationReturned instance=I1:fmm@370060 on C: FLT_PREOP_SUCCESS_NO_CALLBACK',
      'D2(PNP C:) IoComplete status=STATUS_SUCCESS information=0',
      'D5(PNP C:) IoStart IRP_MJ_PNP volume=V1:C:',
      'D5(PNP C:) PreOperationReturned instance=I1:fmm@370060 on C: FLT_PREOP_SUCCESS_NO_CALLBACK',
      'D5(PNP C:) IoComplete status=STATUS_SUCCESS information=0',
      'I1(fmm@370060 on C:) InstanceTeardownStart reason=VOLUME_DISMOUNT',
      'V1(C:) VolumeDismounted',
    ]);
    expect(sim.state().violations).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('an application file open: the file system refuses the query (STATUS_ACCESS_DENIED), and FmmPostPnp of the CANCEL_REMOVE (a synchronized post-op) re-opens the metadata file', () => {
    const sim = createSimulation({ onViolation: 'record' });
    const { results } = buildMetadataManager(sim, { app: 'file', unload: 'no', chkdsk: 'no', pnp: 'eject', pnpAt: 1 });
    // The application's read waits in the file system, so C:\data.txt is open while the eject asks.
    const hold = sim.fileSystem('C:').hold({ path: '\\data.txt', MajorFunction: IRP_MJ_READ });
    // Queued like the sample's own workload (a thread polling from the start would keep the run from settling).
    sim.whenSettled(() => {
      sim.spawn('release the read once the eject is over', function* () {
        while (results.pnp === undefined) yield* sleep(1);
        hold.release();
      });
    });
    expect(sim.run().reason).toBe('idle');
    expect(names(results)).toEqual({ app: 'STATUS_SUCCESS', pnp: 'STATUS_ACCESS_DENIED' });
    expect(metadata(short(compactTrace(sim.log, { types: ['IoStart'] })))).toEqual([
      'D1(CREATE \\System Volume Information\\FilterMetadata.md) IoStart IRP_MJ_CREATE file=O1:\\System Volume Information\\FilterMetadata.md from=I1:fmm@370060 on C:',
      // the query-remove's pre-op gives the file up …
      'D5(CLEANUP \\System Volume Information\\FilterMetadata.md) IoStart IRP_MJ_CLEANUP file=O1:\\System Volume Information\\FilterMetadata.md',
      'D6(CLOSE \\System Volume Information\\FilterMetadata.md) IoStart IRP_MJ_CLOSE file=O1:\\System Volume Information\\FilterMetadata.md',
      // … and the cancel-remove's post-op takes it back (the trigger was NULL, the TargetFileObject of both).
      'D8(CREATE \\System Volume Information\\FilterMetadata.md) IoStart IRP_MJ_CREATE file=O3:\\System Volume Information\\FilterMetadata.md from=I1:fmm@370060 on C:',
    ]);
    expect(compactTrace(sim.log, { types: ['PreOperationReturned'] }).filter((l) => /PNP/.test(l))).toEqual([
      'D4(PNP C:) PreOperationReturned instance=I1:fmm@370060 on C: FLT_PREOP_SUCCESS_NO_CALLBACK',
      'D7(PNP C:) PreOperationReturned instance=I1:fmm@370060 on C: FLT_PREOP_SYNCHRONIZE',
    ]);
    expect(sim.state().volumes.V1!.state).toBe('Mounted');
    expect(sim.state().violations).toEqual([]);
  });

  it('a surprise removal: FmmPrePnp detaches the instance itself (FltDetachVolume, reason MANUAL) before the dismount; a shutdown: FmmPreShutdown does the same', () => {
    for (const pnp of ['surprise', 'shutdown'] as const) {
      const { sim, results } = run({ app: 'no', unload: 'no', chkdsk: 'no', pnp });
      expect([pnp, names(results)]).toEqual([pnp, { pnp: 'STATUS_SUCCESS' }]);
      expect([pnp, compactTrace(sim.log, { types: ['InstanceTeardownStart', 'InstanceTeardownComplete'] })]).toEqual([pnp, [
        'I1(fmm@370060 on C:) InstanceTeardownStart reason=MANUAL',
        'I1(fmm@370060 on C:) InstanceTeardownComplete reason=MANUAL',
      ]]);
      // Teardown closed the metadata file the instance still held.
      expect(metadata(short(compactTrace(sim.log, { types: ['IoStart'] }))).map((l) => l.split(' ')[0])).toEqual([
        'D1(CREATE', 'D3(CLEANUP', 'D4(CLOSE',
      ].map((d) => expect.stringContaining(d.split('(')[1]!)));
      expect(sim.state().violations).toEqual([]);
    }
  });

  // The race the eject opens: the query-remove's pre-op closes the metadata file under fmm's
  // resource, and the CANCEL_REMOVE's post-op re-opens it, while chkdsk's lock and unlock do the
  // same around their FSCTLs on another thread.
  it('explored: an eject racing chkdsk\'s lock and unlock under PCT', () => {
    const r = explore(scenario, { strategy: 'pct', schedules: budget(4, 200), seed: 1, args: { app: 'no', unload: 'no', pnp: 'eject' } });
    expect(r.violation === null ? null : `${r.violation.kind} ${r.violation.name}: ${r.violation.message}`).toBeNull();
  });
});

describe('MetadataManager explored: chkdsk vs a second application vs the unload (§21.7)', () => {
  it('PCT finds no violation with an application file open racing the lock', () => {
    const r = explore(scenario, { strategy: 'pct', schedules: budget(6, 300), seed: 1 });
    expect(r.violation).toBeNull();
  });

  it.each(DEEP ? [1, 2] : [1])('bounded exhaustive search (%i preemption(s)) finds none', (preemptionBound) => {
    const r = explore(scenario, { strategy: 'exhaustive', reduction: 'sleep-sets', preemptionBound, schedules: budget(6, 3000), seed: 1, args: { unload: 'no' } });
    expect(r.violation).toBeNull();
    if (DEEP && preemptionBound === 1) expect(r.exhausted).toBe(true);
  });

  // A real bug of the shipped sample (checked build): an implicit lock (a volume open sharing only
  // read) and chkdsk's FSCTL_LOCK_VOLUME each give up the metadata file in their pre-op under the
  // resource, but between the implicit lock's pre-create and its create reaching NTFS the FSCTL
  // lock goes through, so the trigger file object is the other one when a post-op asserts on it.
  it('finds the shipped sample\'s FLT_ASSERT on the trigger file object when an implicit lock races FSCTL_LOCK_VOLUME', () => {
    const r = explore(scenario, { strategy: 'pct', schedules: 400, seed: 1, shrink: DEEP, args: { app: 'implicit', unload: 'no' } });
    expect(r.found).toBe(true);
    // Its own rule, naming the assertion and where the filter was (the callback, instance and operation).
    expect(r.violation).toMatchObject({ kind: 'verifier', name: 'FLT_ASSERT' });
    expect(r.violation!.message).toMatch(/FLT_ASSERT\((MetadataOpenTriggerFileObject is NULL or the locking file object|re-open after a failed implicit lock fails only with INSUFFICIENT_RESOURCES or FILE_LOCK_CONFLICT, not 0xc0000022)\) failed in the PostOperation of fmm \(I1\) for D\d+ IRP_MJ_/);
    if (DEEP) expect(r.shrunk!.preemptions).toBeLessThanOrEqual(2);
  });
  // The finding of random schedules with the eject and the dismount beside the implicit lock
  // (app=implicit, dismount=yes, pnp=eject): the re-open assertion fails. It is the race above, not
  // the eject's or the dismount's: shrunk (the same assertion, src/explore/run.ts sameViolation), the
  // schedule needs three preemptions of app and chkdsk, and the dismount and the eject both come
  // after the assertion. The status is faithful (§21.7: once chkdsk's lock succeeded, only its
  // handle may use the volume; a new open, fmm's metadata create included, is STATUS_ACCESS_DENIED).
  it('with an eject and a dismount beside it: the same race — the failed implicit lock\'s re-open meets chkdsk\'s lock (STATUS_ACCESS_DENIED) and the re-open FLT_ASSERT fails; shrunk, the eject and the dismount take no part', () => {
    const args = { app: 'implicit', dismount: 'yes', pnp: 'eject', unload: 'no' };
    const r = explore(scenario, { strategy: 'random', schedules: budget(4, 100), seed: 1, shrink: true, args });
    expect(r.violation).toMatchObject({ kind: 'verifier', name: 'FLT_ASSERT' });
    expect(r.shrunk!.violation.message).toMatch(/FLT_ASSERT\(re-open after a failed implicit lock fails only with INSUFFICIENT_RESOURCES or FILE_LOCK_CONFLICT, not 0xc0000022\) failed in the PostOperation of fmm \(I1\) for D2 IRP_MJ_CREATE, on app/);
    expect(r.shrunk!.preemptions).toBe(3);
    const { sim } = replaySchedule(scenario, { seed: r.seed, choices: r.shrunk!.choices, args });
    const steps = short(compactTrace(sim.log, { types: ['IoStart', 'FsComplete', 'VerifierViolation', 'RoutineFailed'] })).filter((l) => /^D\d+\((CREATE|FILE_SYSTEM_CONTROL|PNP)|VerifierViolation|PnP eject/.test(l));
    expect(steps).toEqual([
      // InstanceSetup opens the metadata file.
      'D1(CREATE \\System Volume Information\\FilterMetadata.md) IoStart IRP_MJ_CREATE file=O1:\\System Volume Information\\FilterMetadata.md from=I1:fmm@370060 on C:',
      'D1(CREATE \\System Volume Information\\FilterMetadata.md) FsComplete status=STATUS_SUCCESS information=FILE_OPENED',
      // app's implicit lock (a volume open sharing only read): its pre-create closes the metadata file, trigger = O2.
      'D2(CREATE C:<volume>) IoStart IRP_MJ_CREATE file=O2:C:<volume>',
      // chkdsk opens the volume before the implicit lock reaches NTFS, and asks for the lock.
      'D5(CREATE C:<volume>) IoStart IRP_MJ_CREATE file=O3:C:<volume>',
      'D5(CREATE C:<volume>) FsComplete status=STATUS_SUCCESS information=FILE_OPENED',
      'D6(FILE_SYSTEM_CONTROL C:<volume>) IoStart IRP_MJ_FILE_SYSTEM_CONTROL file=O3:C:<volume>',
      // The implicit lock fails against chkdsk's handle (it has write access; app shares only read).
      'D2(CREATE C:<volume>) FsComplete status=STATUS_SHARING_VIOLATION information=0',
      // chkdsk's pre-FSCTL finds the file closed already (the trigger stays O2): nothing else is open, the lock succeeds.
      'D6(FILE_SYSTEM_CONTROL C:<volume>) FsComplete status=STATUS_SUCCESS information=0',
      // app's post-create: the lock failed, the trigger is its own file object, so it re-opens the metadata file — on a locked volume.
      'D7(CREATE \\System Volume Information\\FilterMetadata.md) IoStart IRP_MJ_CREATE file=O4:\\System Volume Information\\FilterMetadata.md from=I1:fmm@370060 on C:',
      'D7(CREATE \\System Volume Information\\FilterMetadata.md) FsComplete status=STATUS_ACCESS_DENIED information=0',
      'I1(fmm@370060 on C:) VerifierViolation rule=FLT_ASSERT FLT_ASSERT(re-open after a failed implicit lock fails only with INSUFFICIENT_RESOURCES or FILE_LOCK_CONFLICT, not 0xc0000022) failed in the PostOperation of fmm (I1) for D2 IRP_MJ_CREATE, on app (T4)',
      // Only then chkdsk's dismount, and the eject finds the volume dismounting.
      'D8(FILE_SYSTEM_CONTROL C:<volume>) IoStart IRP_MJ_FILE_SYSTEM_CONTROL file=O3:C:<volume>',
      'D8(FILE_SYSTEM_CONTROL C:<volume>) FsComplete status=STATUS_SUCCESS information=0',
      'V1(C:) RoutineFailed routine=PnP eject status=STATUS_NO_SUCH_DEVICE (V1(C:) is Dismounting)',
    ]);
  });

  // The same race on a free build (FLT_ASSERT compiled out) does harm: while the failed implicit
  // lock's re-open is below fmm (TRANSITION), chkdsk's successful lock cannot record itself as the
  // trigger (FmmSetMetadataOpenTriggerFileObject: STATUS_FILE_LOCK_CONFLICT, which the sample
  // tolerates); the re-open then fails on the locked volume and clears the trigger, so neither the
  // unlock nor chkdsk's cleanup re-opens the metadata file. The instance runs on without it.
  it('on a free build the race leaves the instance without its metadata file after chkdsk unlocked the volume', () => {
    let current: { sim: Simulation; run: ReturnType<typeof buildMetadataManager> } | null = null;
    const target: Explorable = { id: 'sample-metadataManager', options: { onViolation: 'record' }, build: (sim, args) => void (current = { sim, run: buildMetadataManager(sim, args) }) };
    const metadataLost: Monitor = (facts) => {
      const { sim, run } = current!;
      const attached = Object.values(sim.state().instances).some((i) => i.state === 'Attached');
      const open = Object.values(sim.state().fileObjects).some((f) => /FilterMetadata\.md$/.test(f.fileName) && f.state === 'HandleCreated');
      return run.results.unlock === STATUS_SUCCESS && attached && !open ? [{ name: 'METADATA_LOST', seq: facts.length - 1, message: 'chkdsk unlocked the volume; the instance is attached without its metadata file' }] : [];
    };
    const r = explore(target, { strategy: 'random', schedules: 400, seed: 1, shrink: DEEP, monitors: [metadataLost], args: { app: 'implicit', unload: 'no', build: 'free' } });
    expect(r.violation).toMatchObject({ kind: 'monitor', name: 'METADATA_LOST' });
    const replayed = replaySchedule(target, { seed: r.seed, choices: r.choices, args: { app: 'implicit', unload: 'no', build: 'free' } });
    expect(names(current!.run.results)).toEqual({ open: 'STATUS_SUCCESS', app: 'STATUS_SHARING_VIOLATION', lock: 'STATUS_SUCCESS', unlock: 'STATUS_SUCCESS' });
    expect(current!.run.image.Globals.DebugOutput).toContain('[Fmm]: Failed to update MetadataOpenTriggerFileObject in the instance context with status 0xc0000054 after a successful lock.');
    expect(replayed.sim.state().violations).toEqual([]);
  });
});

describe('the variant that keeps its resource across FltCreateFile: a three-party wait-for cycle (§18.5)', () => {
  // Every schedule of the variant records CREATE_WITH_APCS_DISABLED (its FltCreateFile inside the
  // resource's critical region) at once; the search turns that rule off to be judged on the deadlock.
  const search = { strategy: 'pct', seed: 1, disabledRules: ['CREATE_WITH_APCS_DISABLED'] } as const;

  it('PCT finds the deadlock and names the cycle edge by edge: chkdsk → its pended metadata create → the queue worker → the queue lock → the flusher → fmm\'s resource → chkdsk', () => {
    const r = explore(scenario, { ...search, schedules: 200, shrink: false, args: { variant: 'keepsResource' } });
    expect(r.found).toBe(true);
    expect(r.violation!.kind).toBe('deadlock');
    const replayed = replaySchedule(scenario, { seed: r.seed, choices: r.choices, args: { variant: 'keepsResource' }, disabledRules: ['CREATE_WITH_APCS_DISABLED'] });
    const cycles = replayed.sim.state().waitCycles.map(formatCycle);
    expect(cycles).toHaveLength(1);
    const edges = cycles[0]!.slice(cycles[0]!.indexOf(': ') + 2).split(/; (?=T\d+ \()/).map((e) => e.replace(/\bT\d+\b/g, 'T').replace(/\bD\d+\b/g, 'D').replace(/\bI\d+\b/g, 'I').replace(/\bK\d+\b/g, 'K'));
    expect(edges).toEqual([
      'T (chkdsk) waits for D IRP_MJ_CREATE (PrePended by I) to complete; worked on by T (DeferredIo(fmmQueue, D, DelayedWorkQueue))',
      "T (DeferredIo(fmmQueue, D, DelayedWorkQueue)) waits for K 'fmmQueue QueueLock' (ERESOURCE, OwnedExclusive), held by T (fmmQueue flusher)",
      "T (fmmQueue flusher) waits for K 'fmm MetadataResource V1(C:)' (ERESOURCE, OwnedExclusive), held by T (chkdsk)",
    ]);
    expect(r.violation!.message).toContain('Wait-for cycle:');
    expect(replayed.sim.state().violations.map((v) => v.rule)).toContain('CREATE_WITH_APCS_DISABLED');
  });

  it('the shipped sample in the same system drops the resource (TRANSITION): PCT finds no deadlock', () => {
    const r = explore(scenario, { ...search, schedules: budget(6, 300), args: { partner: 'yes' } });
    expect(r.violation).toBeNull();
  });
});
