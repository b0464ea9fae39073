// The WDK minispy sample with its user program (examples/samples/minispy), wdk-samples §3: every
// operation an attached instance sees becomes one record with its name (§16.3), requestor, times
// and final status; the records are capped by MaxRecords (one static record says so); the user
// program drains them over the port with FilterSendMessage(GetMiniSpyLog) (§17.4) and they leave
// the kernel list as returned; three instances at three altitudes log independently; the unload
// races the program (§17.2). PCT explores the unload against the program and two applications.
import { describe, expect, it } from 'vitest';
import {
  ADMINISTRATORS_SID,
  createSimulation,
  explore,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FilterSendMessage,
  foldLog,
  IRP_MJ_CLEANUP,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_READ,
  IRP_MJ_WRITE,
  S_OK,
  sleep,
  STATUS_SUCCESS,
  type Fact,
  type MonitorViolation,
  type Scenario,
  type ScenarioArgs,
  type Simulation,
} from '../../src/index.js';
import { checkPortInvariants } from '../../src/testing/index.js';
import { minispySystem, scenario, type MinispySystem } from '../../examples/samples/minispy/index.js';
import { COMMAND_MESSAGE_SIZE, GetMiniSpyLog, GetMiniSpyVersion, readLogRecord, type LOG_RECORD } from '../../examples/samples/minispy/minispyUk.js';
import { budget } from '../support/deep.js';
import { main } from '../../src/cli/main.js';

function run(args: ScenarioArgs = {}): { sim: Simulation; system: MinispySystem } {
  const sim = createSimulation({ onViolation: 'record', seed: 1 });
  const system = minispySystem(sim, args);
  expect(sim.run({ maxSteps: 500_000 }).reason).toBe('idle');
  return { sim, system };
}

/** The records the program printed: sequence, major, status, name. */
const printed = (system: MinispySystem) => system.user.output.filter((l) => /^[0-9A-F]{8} IRP_MJ/.test(l));

describe('minispy sample with its user program (wdk-samples §3)', () => {
  it('check 1: every operation of both applications is one record with its name, status and information, in order, drained and printed', () => {
    const { system } = run();
    expect(printed(system)).toEqual([
      // For creates the name is followed by the (empty) ECP summary, after a space.
      '00000001 IRP_MJ_CREATE  00000000 2 1000.12 FO 1 \\Device\\HarddiskVolume1\\log\\a.txt ',
      '00000002 IRP_MJ_WRITE  00000000 6 1000.12 FO 1 \\Device\\HarddiskVolume1\\log\\a.txt',
      '00000003 IRP_MJ_READ  00000000 6 1000.12 FO 1 \\Device\\HarddiskVolume1\\log\\a.txt',
      '00000004 IRP_MJ_CLEANUP  00000000 0 1000.12 FO 1 \\Device\\HarddiskVolume1\\log\\a.txt',
      '00000005 IRP_MJ_CLOSE  00000000 0 1000.12 FO 1 \\Device\\HarddiskVolume1\\log\\a.txt',
      '00000006 IRP_MJ_CREATE  00000000 1 1000.16 FO 2 \\Device\\HarddiskVolume1\\readme.txt ',
      '00000007 IRP_MJ_QUERY_INFORMATION  00000000 24 1000.16 FO 2 \\Device\\HarddiskVolume1\\readme.txt',
      '00000008 IRP_MJ_CLEANUP  00000000 0 1000.16 FO 2 \\Device\\HarddiskVolume1\\readme.txt',
      '00000009 IRP_MJ_CLOSE  00000000 0 1000.16 FO 2 \\Device\\HarddiskVolume1\\readme.txt',
      '0000000A IRP_MJ_CREATE  00000000 1 1000.16 FO 3 \\Device\\HarddiskVolume1\\log ',
      '0000000B IRP_MJ_DIRECTORY_CONTROL minor 1 00000000 304 1000.16 FO 3 \\Device\\HarddiskVolume1\\log',
      '0000000C IRP_MJ_CLEANUP  00000000 0 1000.16 FO 3 \\Device\\HarddiskVolume1\\log',
      '0000000D IRP_MJ_CLOSE  00000000 0 1000.16 FO 3 \\Device\\HarddiskVolume1\\log',
    ]);
    // One record per operation the instance saw: as many as pre-operations of minispy.
    const preOps = (sim: Simulation) => sim.log.filter((f) => f.type === 'PreOperationReturned').length;
    expect(printed(system)).toHaveLength(preOps(run().sim));
    // "exit": CleaningUp, the logging thread lets main go, the handle closes, nothing is left.
    expect(system.user.output.slice(-3)).toEqual(['Cleaning up...', 'Log: Shutting down', 'Log: All done']);
    expect(system.image.MiniSpyData.RecordsAllocated).toBe(0);
  });

  it('check 4: a GetMiniSpyLog call returns the queued records packed, and takes them off the kernel list; GetMiniSpyVersion answers 2.0', () => {
    const sim = createSimulation({ onViolation: 'record', seed: 1 });
    // No program of its own: this test's thread drains once, when the applications are done.
    const seen: { hr: number; records: LOG_RECORD[]; left: number }[] = [];
    let version = '';
    const system = minispySystem(sim, { exitAt: '0', unloadAt: '5000' }, () => sim.spawn('drain once', function* () {
      yield* sleep(3000);
      const c = yield* sim.FilterConnectCommunicationPort('\\MiniSpyPort', 0, null, 0, null);
      const command = new Uint8Array(COMMAND_MESSAGE_SIZE);
      const out = new Uint8Array(4096);
      for (let i = 0; i < 2; i++) {
        const r = yield* FilterSendMessage(c.hPort!, command, COMMAND_MESSAGE_SIZE, out, out.length);
        const records: LOG_RECORD[] = [];
        for (let at = 0; at < r.BytesReturned; at += records[records.length - 1]!.Length) records.push(readLogRecord(out, at));
        seen.push({ hr: r.hr, records, left: system.image.MiniSpyData.OutputBufferList.length });
      }
      new DataView(command.buffer).setUint32(0, GetMiniSpyVersion, true);
      const v = yield* FilterSendMessage(c.hPort!, command, COMMAND_MESSAGE_SIZE, out, 4);
      const view = new DataView(out.buffer);
      version = `${v.hr === S_OK} ${view.getUint16(0, true)}.${view.getUint16(2, true)}`;
    }, { process: sim.createProcess('drain.exe', { token: ADMINISTRATORS_SID }) }));
    void GetMiniSpyLog;
    expect(sim.run({ maxSteps: 500_000 }).reason).toBe('idle');
    // The program exited at once (exitAt 0): this thread's two calls find the 13 records, then none.
    expect(seen.map((s) => [s.hr === S_OK, s.records.length, s.left])).toEqual([[true, 13, 0], [false, 0, 0]]);
    const first = seen[0]!.records;
    expect(first.map((r) => r.SequenceNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(first.slice(0, 5).map((r) => r.Data.CallbackMajorId)).toEqual([IRP_MJ_CREATE, IRP_MJ_WRITE, IRP_MJ_READ, IRP_MJ_CLEANUP, IRP_MJ_CLOSE]);
    // Pre-op time ≤ post-op time, every status final, every record pointer-aligned in the buffer.
    expect(first.every((r) => r.Data.OriginatingTime <= r.Data.CompletionTime && r.Data.Status === STATUS_SUCCESS && r.Length % 8 === 0)).toBe(true);
    expect(version).toBe('true 2.0');
  });

  it('check 2: past MaxRecords an operation is not logged; one static record says the allowance was exceeded', () => {
    const { system } = run({ MaxRecords: '4' });
    expect(printed(system)).toHaveLength(5);
    expect(system.user.output).toContain('M:  00000005 Exceeded Mamimum Allowed Memory Buffers');
    expect(system.image.MiniSpyData.StaticBufferInUse).toBe(false);
  });

  it('check 3: three instances at 385100, 370000 and 361000 on one volume each log the same open independently', () => {
    const sim = createSimulation({ onViolation: 'record', seed: 1 });
    const system = minispySystem(sim, { exitAt: '0', unloadAt: '5000' }, () => {
      sim.spawn('attach all', function* () {
        yield* sleep(3000);
        const attached = [];
        for (const name of ['Minispy - Middle Instance', 'Minispy - Bottom Instance']) attached.push(yield* sim.FilterAttach('MiniSpy', 'C:', name));
        const r = yield* sim.io.NtCreateFile('C:\\readme.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
        yield* sim.io.NtClose(r.handle!);
        return attached;
      });
    });
    expect(sim.run({ maxSteps: 500_000 }).reason).toBe('idle');
    const instancesPerCreate = sim.log.filter((f) => f.type === 'PreOperationReturned' && f.object === sim.log.filter((g) => g.type === 'IoStart' && g.major === IRP_MJ_CREATE).at(-1)!.object);
    expect(new Set(instancesPerCreate.map((f) => (f as Extract<Fact, { type: 'PreOperationReturned' }>).instance)).size).toBe(3);
    // Three records per operation of that open (create, cleanup, close): 13 earlier + 9, numbered in one sequence.
    expect(system.image.MiniSpyData.LogSequenceNumber).toBe(13 + 9);
  });

  it('the unload before "exit": the program reads ERROR_INVALID_HANDLE, says the filter unloaded and ends its process; nothing is left', () => {
    const { sim, system } = run({ unloadAt: '300' });
    expect(system.user.output.at(-1)).toBe('The kernel component of minispy has unloaded. Exiting');
    expect(system.user.exitCode).toBe(0);
    expect(printed(system)).toHaveLength(13);
    const state = sim.state();
    // The connection was ended by the unload, and its handle closed as the process ended.
    expect([state.violations, Object.values(state.clientPorts).map((p) => [p.state, p.handle])]).toEqual([[], [['Closed', null]]]);
    expect(checkPortInvariants(sim.log)).toEqual([]);
    expect(foldLog(sim.log)).toEqual(state);
  });

  it('runs from the command line: fltsim run examples/samples/minispy', async () => {
    const out: string[] = [];
    const code = await main(['run', 'examples/samples/minispy'], { out: (l) => out.push(l), err: (l) => out.push(l) });
    expect(out[0]).toMatch(/^# fltsim run sample-minispy, seed 1, strategy in-order: idle after \d+ facts/);
    expect(code).toBe(0);
  });

  it('PCT: the unload racing the program and both applications: no violation, and every record freed', () => {
    for (const args of [{ unloadAt: '0', exitAt: '250' }, { unloadAt: '250', exitAt: '250' }]) {
      // 3 schedules each in npm test; test:deep 200 (minispy.deep.test.ts).
      const r = explore(monitored, { strategy: 'pct', seed: 1, schedules: budget(3, 200), shrink: false, args, monitors: [recordsFreed] });
      expect(r.violation).toBeNull();
    }
  });
});

let latest: MinispySystem | null = null;
const monitored: Scenario = { ...scenario, build: (sim: Simulation, args: ScenarioArgs) => void (latest = minispySystem(sim, args)) };
/** After the run, every record minispy allocated was freed (RecordsAllocated back to 0, the static one too). */
function recordsFreed(): MonitorViolation[] {
  const data = latest!.image.MiniSpyData;
  return data.RecordsAllocated === 0 && !data.StaticBufferInUse ? [] : [{ name: 'MINISPY_RECORD_LEAK', seq: 0, message: `${data.RecordsAllocated} records still allocated` }];
}
