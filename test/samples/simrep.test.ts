// The WDK simrep sample, ported (examples/samples/simrep): wdk-samples checks 1–4 — a create under
// the old mapping is completed in pre-create with STATUS_REPARSE / IO_REPARSE after
// IoReplaceFileObjectName, and the I/O manager re-issues it from the top with the new name, so the
// file system never sees the old one (§11.1, §8); without rename remapping the SL_OPEN_TARGET_DIRECTORY
// create is left alone (§11.19); a rename into the old mapping is sent again by simrep with the new
// name and the original completed (§16.4, FltSetInformationFile); a fast query open of a mapped path
// is refused with FLT_PREOP_DISALLOW_FASTIO and comes back as IRPs (§24.2); a filter above asks simrep, the
// name provider, for names (§16.6). PCT explores it against the unload and the second application.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  explore,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FltGetFileNameInformation,
  FltRegisterFilter,
  FltReleaseFileNameInformation,
  FltStartFiltering,
  foldLog,
  IRP_MJ_CREATE,
  IRP_MJ_NETWORK_QUERY_OPEN,
  IRP_MJ_OPERATION_END,
  IRP_MJ_SET_INFORMATION,
  NT_SUCCESS,
  STATUS_REPARSE,
  type Blocking,
  type Fact,
  type FLT_CALLBACK_DATA,
  type FLT_POSTOP_CALLBACK_STATUS,
  type FLT_PREOP_CALLBACK_STATUS,
  type MonitorViolation,
  type Scenario,
  type ScenarioArgs,
  type Simulation,
} from '../../src/index.js';
import { compactTrace } from '../../src/testing/index.js';
import { main } from '../../src/cli/main.js';
import { scenario, simrepSystem, type SimRepSystem } from '../../examples/samples/simrep/index.js';
import { budget } from '../support/deep.js';

function run(args: ScenarioArgs, build?: (sim: Simulation) => void): { sim: Simulation; system: SimRepSystem } {
  const sim = createSimulation({ onViolation: 'record', seed: 1 });
  build?.(sim);
  const system = simrepSystem(sim, { unloadAt: '40', ...args });
  expect(sim.run({ maxSteps: 200_000 }).reason).toBe('idle');
  expect(sim.state().violations).toEqual([]);
  return { sim, system };
}

/** The creates the file system completed, by the name it was asked to open. */
const fsCreates = (sim: Simulation): string[] => {
  const names = new Map(sim.log.flatMap((f) => (f.type === 'FileObjectCreate' ? [[f.object, f.fileName] as const] : [])));
  const starts = new Map(sim.log.flatMap((f) => (f.type === 'IoStart' && f.major === IRP_MJ_CREATE ? [[f.object, names.get(f.fileObject!)!] as const] : [])));
  return sim.log.flatMap((f) => (f.type === 'FsComplete' && starts.has(f.object) ? [starts.get(f.object)!] : []));
};

describe('simrep sample (wdk-samples §13)', () => {
  it('check 1: a create of \\x\\y\\z.txt is completed in pre-create with STATUS_REPARSE / IO_REPARSE and re-issued from the top as \\a\\b\\z.txt; the file system never sees \\x\\y', () => {
    const { sim, system } = run({});
    expect(system.results['app 1']!.read).toBe('redirected');
    expect(compactTrace(sim.log, { types: ['FileObjectCreate', 'IoStart', 'IoReplaceFileObjectName', 'FsComplete', 'IoComplete'] }).slice(0, 7)).toEqual([
      'O1(\\x\\y\\z.txt) FileObjectCreate volume=V1:C: name=\\x\\y\\z.txt',
      'D1(CREATE \\x\\y\\z.txt) IoStart IRP_MJ_CREATE file=O1:\\x\\y\\z.txt flags=IRP_OPERATION UserMode {Desired Access: Generic Read, Disposition: Open, Options: Synchronous IO Non-Alert, Attributes: n/a, ShareMode: Read, Write, Delete}',
      'O1(\\x\\y\\z.txt) IoReplaceFileObjectName name=\\Device\\HarddiskVolume1\\a\\b\\z.txt',
      'D1(CREATE \\x\\y\\z.txt) IoComplete status=STATUS_REPARSE information=0',
      'O2(\\a\\b\\z.txt) FileObjectCreate volume=V1:C: name=\\a\\b\\z.txt',
      'D2(CREATE \\a\\b\\z.txt) IoStart IRP_MJ_CREATE file=O2:\\a\\b\\z.txt flags=IRP_OPERATION UserMode {Desired Access: Generic Read, Disposition: Open, Options: Synchronous IO Non-Alert, Attributes: n/a, ShareMode: Read, Write, Delete}',
      'D2(CREATE \\a\\b\\z.txt) FsComplete status=STATUS_SUCCESS information=FILE_OPENED',
    ]);
    expect(fsCreates(sim).filter((name) => name.toLowerCase().startsWith('\\x\\y'))).toEqual([]);
    expect(oldNameNeverBelow(sim.log)).toEqual([]);
    // The rename into \x\y: its target-directory create was reparsed too, so the file is in \a\b.
    expect(system.results['app 1']!.rename).toBe('STATUS_SUCCESS');
    const fs = sim.fileSystem('C:');
    expect([fs.exists('\\a\\b\\moved.txt'), fs.exists('\\x\\y\\moved.txt'), fs.exists('\\work\\draft.txt')]).toEqual([true, false, false]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('check 2: with RemapRenamesAndLinks 0 DriverEntry registers the table without SET_INFORMATION and no name provider, and the SL_OPEN_TARGET_DIRECTORY create of a rename into \\x\\y is not redirected', () => {
    const { sim, system } = run({ RemapRenamesAndLinks: '0' });
    expect(system.image.FilterRegistration.OperationRegistration!.map((r) => r.MajorFunction)).not.toContain(IRP_MJ_SET_INFORMATION);
    expect(system.image.FilterRegistrationWithRename.OperationRegistration!.map((r) => r.MajorFunction)).toContain(IRP_MJ_SET_INFORMATION);
    // Nothing of the rename table ran: no name provider callbacks, no SET_INFORMATION of simrep's own.
    expect(sim.log.filter((f) => f.type === 'GenerateFileName' || (f.type === 'IoStart' && f.major === IRP_MJ_SET_INFORMATION && f.initiator !== null))).toEqual([]);
    // Opens are still redirected; the rename goes where its FileName says.
    expect(system.results).toEqual({ 'app 1': { read: 'redirected', rename: 'STATUS_SUCCESS' }, 'app 2': { read: 'not mapped', rename: 'STATUS_SUCCESS' } });
    expect(sim.fileSystem('C:').exists('\\x\\y\\moved.txt')).toBe(true);
    // The one create of an old-mapping name the file system sees is that target-directory open.
    expect(oldNameNeverBelow(sim.log).map((v) => compactTrace(sim.log, { types: ['IoStart'], objects: [v.message.split(' ')[0]!] })[0])).toEqual([
      'D7(CREATE \\x\\y\\moved.txt) IoStart IRP_MJ_CREATE file=O4:\\x\\y\\moved.txt flags=IRP_OPERATION slFlags=0x4 UserMode {Desired Access: Write Data, Synchronize, Disposition: Open, Options: n/a, Attributes: n/a, ShareMode: Read, Write}',
    ]);
    expect(sim.log.filter((f) => f.type === 'IoReplaceFileObjectName').map((f) => (f as { fileName: string }).fileName)).toEqual(['\\Device\\HarddiskVolume1\\a\\b\\z.txt']);
  });

  it('check 3: a fast query open (IRP_MJ_NETWORK_QUERY_OPEN, NtQueryFullAttributesFile) of a mapped path is refused with FLT_PREOP_DISALLOW_FASTIO; the I/O manager opens, queries and closes with IRPs, the open is reparsed, and the attributes are the new file\'s; an unmapped path stays fast (§8, §24.2)', () => {
    const { sim, system } = run({ queryAttributes: '1' });
    // \a\b\z.txt holds "redirected" (10 bytes), \x\y\z.txt "the old place" (13): app 1 got the new file's size.
    expect(system.results['app 1']).toEqual({ read: 'redirected', rename: 'STATUS_SUCCESS', attributes: 'EndOfFile 10' });
    expect(system.results['app 2']).toEqual({ read: 'not mapped', rename: 'STATUS_SUCCESS', attributes: 'EndOfFile 10' });
    const queryOpens = sim.log.flatMap((f) => (f.type === 'IoStart' && f.major === IRP_MJ_NETWORK_QUERY_OPEN ? [f.object] : []));
    expect(compactTrace(sim.log, { types: ['FileObjectCreate', 'FileObjectDiscarded', 'IoStart', 'PreOperationReturned', 'FsComplete', 'IoComplete'] }).slice(0, 18)).toEqual([
      'O1(\\x\\y\\z.txt) FileObjectCreate volume=V1:C: name=\\x\\y\\z.txt',
      'D1(NETWORK_QUERY_OPEN \\x\\y\\z.txt) IoStart IRP_MJ_NETWORK_QUERY_OPEN file=O1:\\x\\y\\z.txt flags=FAST_IO_OPERATION UserMode {Desired Access: Read Attributes, Disposition: Open, Options: n/a, Attributes: n/a, ShareMode: Read, Write, Delete}',
      'D1(NETWORK_QUERY_OPEN \\x\\y\\z.txt) PreOperationReturned instance=I2:simrep@371100 on C: FLT_PREOP_DISALLOW_FASTIO',
      'D1(NETWORK_QUERY_OPEN \\x\\y\\z.txt) IoComplete status=STATUS_FLT_DISALLOW_FAST_IO information=0',
      // The stack-based file object goes with the query: never opened, no cleanup, no close.
      'O1(\\x\\y\\z.txt) FileObjectDiscarded',
      'O2(\\x\\y\\z.txt) FileObjectCreate volume=V1:C: name=\\x\\y\\z.txt',
      'D2(CREATE \\x\\y\\z.txt) IoStart IRP_MJ_CREATE file=O2:\\x\\y\\z.txt flags=IRP_OPERATION UserMode {Desired Access: Read Attributes, Disposition: Open, Options: n/a, Attributes: n/a, ShareMode: Read, Write, Delete}',
      'D2(CREATE \\x\\y\\z.txt) PreOperationReturned instance=I2:simrep@371100 on C: FLT_PREOP_COMPLETE status=STATUS_REPARSE',
      'D2(CREATE \\x\\y\\z.txt) IoComplete status=STATUS_REPARSE information=0',
      'O3(\\a\\b\\z.txt) FileObjectCreate volume=V1:C: name=\\a\\b\\z.txt',
      'D3(CREATE \\a\\b\\z.txt) IoStart IRP_MJ_CREATE file=O3:\\a\\b\\z.txt flags=IRP_OPERATION UserMode {Desired Access: Read Attributes, Disposition: Open, Options: n/a, Attributes: n/a, ShareMode: Read, Write, Delete}',
      'D3(CREATE \\a\\b\\z.txt) PreOperationReturned instance=I2:simrep@371100 on C: FLT_PREOP_SUCCESS_NO_CALLBACK',
      'D3(CREATE \\a\\b\\z.txt) FsComplete status=STATUS_SUCCESS information=FILE_OPENED',
      'D3(CREATE \\a\\b\\z.txt) IoComplete status=STATUS_SUCCESS information=FILE_OPENED',
      'D4(QUERY_INFORMATION \\a\\b\\z.txt) IoStart IRP_MJ_QUERY_INFORMATION file=O3:\\a\\b\\z.txt flags=IRP_OPERATION UserMode {Class: FileNetworkOpenInformation, Length: 56}',
      'D4(QUERY_INFORMATION \\a\\b\\z.txt) FsComplete status=STATUS_SUCCESS information=56',
      'D4(QUERY_INFORMATION \\a\\b\\z.txt) IoComplete status=STATUS_SUCCESS information=56',
      'D5(CLEANUP \\a\\b\\z.txt) IoStart IRP_MJ_CLEANUP file=O3:\\a\\b\\z.txt flags=IRP_OPERATION KernelMode {}',
    ]);
    // app 2's query open of \other.txt: simrep lets it pass, the file system answers it fast.
    expect(compactTrace(sim.log, { types: ['PreOperationReturned', 'FsComplete', 'IoComplete'], objects: queryOpens.slice(1) })).toEqual([
      `${queryOpens[1]}(NETWORK_QUERY_OPEN \\other.txt) PreOperationReturned instance=I2:simrep@371100 on C: FLT_PREOP_SUCCESS_NO_CALLBACK`,
      `${queryOpens[1]}(NETWORK_QUERY_OPEN \\other.txt) FsComplete status=STATUS_SUCCESS information=56`,
      `${queryOpens[1]}(NETWORK_QUERY_OPEN \\other.txt) IoComplete status=STATUS_SUCCESS information=56`,
    ]);
    expect(oldNameNeverBelow(sim.log)).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('check 4: a rename to exactly the old mapping is sent again by simrep with FltSetInformationFile to the new mapping, and the original completed with its status', () => {
    const { sim, system } = run({ OldMapping: '\\old.txt', NewMapping: '\\new.txt', renameTo: '\\old.txt' });
    expect(system.results['app 1']).toEqual({ read: 'the old place', rename: 'STATUS_SUCCESS' });
    const fs = sim.fileSystem('C:');
    expect([fs.exists('\\new.txt'), fs.exists('\\old.txt'), fs.exists('\\work\\draft.txt')]).toEqual([true, false, false]);
    const renames = sim.log.filter((f) => f.type === 'IoStart' && f.major === IRP_MJ_SET_INFORMATION).map((f) => f.object);
    expect(compactTrace(sim.log, { types: ['IoStart', 'FsComplete', 'IoComplete'], objects: renames })).toEqual([
      'D8(SET_INFORMATION \\work\\draft.txt) IoStart IRP_MJ_SET_INFORMATION file=O2:\\work\\draft.txt flags=IRP_OPERATION UserMode {Class: FileRenameInformation, Length: 64, ParentOfTarget: O4, ReplaceIfExists: false, FileName: \\??\\C:\\old.txt}',
      // FIELD_OFFSET(FILE_RENAME_INFORMATION, FileName) 20 + 31 WCHARs of the munged name.
      'D10(SET_INFORMATION \\work\\draft.txt) IoStart IRP_MJ_SET_INFORMATION file=O2:\\work\\draft.txt from=I2:simrep@371100 on C: flags=IRP_OPERATION|GENERATED_IO KernelMode {Class: FileRenameInformation, Length: 82, ParentOfTarget: O5, ReplaceIfExists: false, FileName: \\Device\\HarddiskVolume1\\new.txt}',
      'D10(SET_INFORMATION \\work\\draft.txt) FsComplete status=STATUS_SUCCESS information=0',
      'D10(SET_INFORMATION \\work\\draft.txt) IoComplete status=STATUS_SUCCESS information=0',
      // simrep completed the application's rename itself: the file system never saw it.
      'D8(SET_INFORMATION \\work\\draft.txt) IoComplete status=STATUS_SUCCESS information=0',
      // app 2's rename into \\a\\b passes: \\a\\b is not the mapping now.
      'D23(SET_INFORMATION \\work\\note.txt) IoStart IRP_MJ_SET_INFORMATION file=O7:\\work\\note.txt flags=IRP_OPERATION UserMode {Class: FileRenameInformation, Length: 64, ParentOfTarget: O8, ReplaceIfExists: false, FileName: \\??\\C:\\a\\b\\note.txt}',
      'D23(SET_INFORMATION \\work\\note.txt) FsComplete status=STATUS_SUCCESS information=0',
      'D23(SET_INFORMATION \\work\\note.txt) IoComplete status=STATUS_SUCCESS information=0',
    ]);
  });

  it('a filter above simrep names a create through simrep, the name provider: the old name in the first pre-create, the new one in the reparsed create; no post-create name for the STATUS_REPARSE (§16.6)', () => {
    const seen: string[] = [];
    const observer = (sim: Simulation) => {
      function* pre(data: FLT_CALLBACK_DATA): Blocking<FLT_PREOP_CALLBACK_STATUS> {
        const got = yield* FltGetFileNameInformation(data, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT);
        if (NT_SUCCESS(got.status)) {
          seen.push(`pre ${got.FileNameInformation!.Name}`);
          FltReleaseFileNameInformation(got.FileNameInformation!);
        }
        return FLT_PREOP_SUCCESS_WITH_CALLBACK;
      }
      function* post(data: FLT_CALLBACK_DATA): Blocking<FLT_POSTOP_CALLBACK_STATUS> {
        if (data.IoStatus.Status === STATUS_REPARSE) seen.push('post STATUS_REPARSE');
        else if (NT_SUCCESS(data.IoStatus.Status)) {
          const got = yield* FltGetFileNameInformation(data, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT);
          if (NT_SUCCESS(got.status)) {
            seen.push(`post ${got.FileNameInformation!.Name}`);
            FltReleaseFileNameInformation(got.FileNameInformation!);
          }
        }
        return FLT_POSTOP_FINISHED_PROCESSING;
      }
      sim.loadDriver({ name: 'observer', instances: { DefaultInstance: 'Observer', Instances: { Observer: { Altitude: '380000', Flags: 0 } } } }, function* (driver) {
        const r = FltRegisterFilter(driver, { Flags: 0, OperationRegistration: [{ MajorFunction: IRP_MJ_CREATE, PreOperation: pre, PostOperation: post }, { MajorFunction: IRP_MJ_OPERATION_END }] });
        return yield* FltStartFiltering(r.filter!);
      });
    };
    const { sim } = run({}, observer);
    expect(seen.slice(0, 4)).toEqual([
      'pre \\Device\\HarddiskVolume1\\x\\y\\z.txt',
      'post STATUS_REPARSE',
      'pre \\Device\\HarddiskVolume1\\a\\b\\z.txt',
      'post \\Device\\HarddiskVolume1\\a\\b\\z.txt',
    ]);
    // Each of the observer's queries went to simrep's GenerateFileName, which asked below it.
    expect(compactTrace(sim.log, { types: ['GenerateFileName', 'GenerateFileNameReturned'] }).slice(0, 2)).toEqual([
      'O1(\\x\\y\\z.txt) GenerateFileName instance=I3:simrep@371100 on C: OPENED|QUERY_DEFAULT',
      'O1(\\x\\y\\z.txt) GenerateFileNameReturned instance=I3:simrep@371100 on C: status=STATUS_SUCCESS name=\\Device\\HarddiskVolume1\\x\\y\\z.txt',
    ]);
  });
});

// The scenario's apps, for the PCT monitor: whichever schedule, each read is the redirected data,
// or the old file only when the unload finished first, and both renames succeed.
let latest: SimRepSystem | null = null;
const monitored: Scenario = { ...scenario, build: (sim: Simulation, args: ScenarioArgs) => void (latest = simrepSystem(sim, args)) };
const resultsHold = (): MonitorViolation[] => {
  const r = latest!.results;
  const bad = Object.entries(r).filter(([name, v]) => v.rename !== 'STATUS_SUCCESS' || (name === 'app 1' ? !['redirected', 'the old place'].includes(v.read) : v.read !== 'not mapped'));
  return bad.map(([name, v]) => ({ name: 'SIMREP_RESULT', seq: 0, message: `${name}: ${JSON.stringify(v)}` }));
};

/**
 * Check 1 over any schedule: no create for a name under \\x\\y reaches the file system while simrep's
 * instance still receives operations (before its InstanceTeardownStart).
 */
export function oldNameNeverBelow(facts: readonly Fact[]): MonitorViolation[] {
  const teardown = facts.find((f) => f.type === 'InstanceTeardownStart')?.seq ?? Infinity;
  const names = new Map<string, string>();
  const creates = new Set<string>();
  const out: MonitorViolation[] = [];
  for (const f of facts) {
    if (f.type === 'FileObjectCreate') names.set(f.object, f.fileName);
    else if (f.type === 'IoStart' && f.major === IRP_MJ_CREATE && (names.get(f.fileObject!) ?? '').toLowerCase().startsWith('\\x\\y')) creates.add(f.object);
    else if (f.type === 'FsComplete' && creates.has(f.object) && f.seq < teardown) out.push({ name: 'SIMREP_OLD_NAME_BELOW', seq: f.seq, message: `${f.object} reached the file system with an old-mapping name` });
  }
  return out;
}

describe('simrep under exploration', () => {
  it('PCT against the unload and the second application: no violation, the file system never sees \\x\\y while simrep is attached, every application gets what the mapping says', () => {
    // 6 schedules in npm test; test:deep 300 (simrep.deep.test.ts).
    const r = explore(monitored, { strategy: 'pct', seed: 1, schedules: budget(6, 300), shrink: false, args: { unloadAt: '2' }, monitors: [resultsHold, oldNameNeverBelow] });
    expect(r.violation).toBeNull();
  });

  it('PCT with the fast query opens (queryAttributes) against the unload: no violation; while simrep is attached no query open of \\x\\y is answered by the file system, and each application gets the attributes of the file it reads', () => {
    const attributesHold = (): MonitorViolation[] => {
      const r = latest!.results;
      const expected = (name: string, read: string): string => (name === 'app 1' && read === 'the old place' ? 'EndOfFile 13' : 'EndOfFile 10');
      return Object.entries(r).flatMap(([name, v]) => (v.attributes === expected(name, v.read) ? [] : [{ name: 'SIMREP_ATTRIBUTES', seq: 0, message: `${name}: ${JSON.stringify(v)}` }]));
    };
    const oldQueryOpenNeverAnswered = (facts: readonly Fact[]): MonitorViolation[] => {
      const teardown = facts.find((f) => f.type === 'InstanceTeardownStart')?.seq ?? Infinity;
      const names = new Map(facts.flatMap((f) => (f.type === 'FileObjectCreate' ? [[f.object, f.fileName] as const] : [])));
      const old = new Set(facts.flatMap((f) => (f.type === 'IoStart' && f.major === IRP_MJ_NETWORK_QUERY_OPEN && (names.get(f.fileObject!) ?? '').startsWith('\\x\\y') ? [f.object] : [])));
      return facts.flatMap((f) => (f.type === 'FsComplete' && old.has(f.object) && f.seq < teardown ? [{ name: 'SIMREP_FAST_OLD_NAME', seq: f.seq, message: `${f.object}: the file system answered a query open of an old-mapping name` }] : []));
    };
    // 6 schedules in npm test; test:deep 300 (simrep.deep.test.ts).
    const r = explore(monitored, { strategy: 'pct', seed: 1, schedules: budget(6, 300), shrink: false, args: { unloadAt: '2', queryAttributes: '1' }, monitors: [resultsHold, attributesHold, oldNameNeverBelow, oldQueryOpenNeverAnswered] });
    expect(r.violation).toBeNull();
  });

  it('runs from the command line: fltsim run examples/samples/simrep', async () => {
    const out: string[] = [];
    const code = await main(['run', 'examples/samples/simrep'], { out: (l) => out.push(l), err: (l) => out.push(l) });
    expect(out[0]).toMatch(/^# fltsim run sample-simrep, seed 1, strategy in-order: idle after \d+ facts/);
    expect(code).toBe(0);
  });
});
