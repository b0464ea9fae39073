// The WDK scanner sample with scanUser (examples/samples/scanner), wdk-samples §4: the scan at
// post-create reads the file through a non-cached FltReadFile (§10, §20.7) and sends it over the
// port (§17.3); scanUser's reply decides FltCancelFileOpen (§11.13); a handle opened for write gets
// a stream-handle context (§15.4) that asks for a scan of each write and a rescan at cleanup; the
// unload disconnects scanUser (§17.2). PCT races the unload against scanUser and two applications:
// the filter holds, and scanUser.c's startup hangs when the unload lands before its first get.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  ERROR_INVALID_HANDLE,
  explore,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  foldLog,
  HRESULT_FROM_WIN32,
  ntStatusName,
  S_OK,
  sleep,
  type Fact,
  type MonitorViolation,
  type ScenarioArgs,
  type Simulation,
} from '../../src/index.js';
import { checkPortInvariants, compactTrace } from '../../src/testing/index.js';
import { scannerSystem, scenario, type ScannerSystem } from '../../examples/samples/scanner/index.js';
import { budget } from '../support/deep.js';
import { resultOf } from './run.js';
import { main } from '../../src/cli/main.js';

function run(args: ScenarioArgs = {}, alongside?: (sim: Simulation, system: ScannerSystem) => void): { sim: Simulation; system: ScannerSystem } {
  const sim = createSimulation({ onViolation: 'record', seed: 1 });
  const system = scannerSystem(sim, args, alongside === undefined ? undefined : (system) => alongside(sim, system));
  expect(sim.run({ maxSteps: 200_000 }).reason).toBe('idle');
  return { sim, system };
}

const statusNames = (system: ScannerSystem) => Object.fromEntries(Object.entries(system.statuses).map(([app, s]) => [app, s.map(ntStatusName)]));

const SCAN_FACTS: Fact['type'][] = ['IoStart', 'FltSendMessage', 'FilterMessageDelivered', 'FilterReplyMessage', 'FltSendMessageReturned', 'FltCancelFileOpen', 'FileObjectOpenCancelled', 'IoComplete'];

/** What every schedule must leave behind: each scan buffer freed, each stream-handle context freed. */
function nothingLeaked(facts: readonly Fact[]): MonitorViolation[] {
  const out: MonitorViolation[] = [];
  const blocks = new Set<string>();
  let contexts = 0;
  for (const f of facts) {
    if (f.type === 'PoolAllocate') blocks.add(f.object);
    else if (f.type === 'PoolFree') blocks.delete(f.object);
    else if (f.type === 'FltAllocateContext') contexts++;
    else if (f.type === 'ContextFreed') contexts--;
  }
  if (blocks.size > 0) out.push({ name: 'SCANNER_POOL_LEAK', seq: 0, message: `pool blocks never freed: ${[...blocks].join(', ')}` });
  if (contexts !== 0) out.push({ name: 'SCANNER_CONTEXT_LEAK', seq: 0, message: `${contexts} stream-handle context(s) never freed` });
  return out;
}

describe('scanner sample with scanUser (wdk-samples §4)', () => {
  it('checks 2–4: an open of foul.doc is read in post-create (non-cached, the first 1 KB), sent to scanUser, and undone on its verdict: STATUS_ACCESS_DENIED; notes.txt is not scanned', () => {
    const { sim, system } = run();
    expect(statusNames(system)['app 2']).toEqual(['STATUS_ACCESS_DENIED', 'STATUS_SUCCESS', 'STATUS_SUCCESS']);
    const trace = compactTrace(sim.log, { types: SCAN_FACTS });
    const foul = trace.filter((l) => /foul\.doc|^M2 /.test(l));
    expect(foul).toEqual([
      'D3(CREATE \\foul.doc) IoStart IRP_MJ_CREATE file=O2:\\foul.doc flags=IRP_OPERATION UserMode {Desired Access: Generic Read, Disposition: Open, Options: Synchronous IO Non-Alert, Attributes: n/a, ShareMode: Read, Write}',
      // irpFlags 0x1 = IRP_NOCACHE; max(SCANNER_READ_BUFFER_SIZE, SectorSize) bytes; the file is 32.
      'D4(READ \\foul.doc) IoStart IRP_MJ_READ file=O2:\\foul.doc from=I1:scanner@265000 on C: flags=IRP_OPERATION|GENERATED_IO irpFlags=0x1 KernelMode {Offset: 0, Length: 1024}',
      'D4(READ \\foul.doc) IoComplete status=STATUS_SUCCESS information=32',
      'M2 FltSendMessage port=Q1:client of \\ScannerPort thread=T4:app 2 length=1032 reply=1 until=forever',
      'M2 FilterMessageDelivered get=U2',
      'M2 FilterReplyMessage length=1 status=STATUS_SUCCESS',
      'M2 FltSendMessageReturned status=STATUS_SUCCESS replyLength=1',
      'O2(\\foul.doc) FltCancelFileOpen instance=I1:scanner@265000 on C:',
      'D6(CLEANUP \\foul.doc) IoStart IRP_MJ_CLEANUP file=O2:\\foul.doc from=I1:scanner@265000 on C: flags=IRP_OPERATION KernelMode {}',
      'D6(CLEANUP \\foul.doc) IoComplete status=STATUS_SUCCESS information=0',
      'O2(\\foul.doc) FileObjectOpenCancelled',
      'D3(CREATE \\foul.doc) IoComplete status=STATUS_ACCESS_DENIED information=0',
      'D16(CLOSE \\foul.doc) IoStart IRP_MJ_CLOSE file=O2:\\foul.doc from=I1:scanner@265000 on C: flags=IRP_OPERATION KernelMode {}',
      'D16(CLOSE \\foul.doc) IoComplete status=STATUS_SUCCESS information=0',
    ]);
    // .txt is not in the default Extensions ("doc"): no read, no message for notes.txt.
    expect(trace.filter((l) => l.includes('notes.txt') && /READ|FltSendMessage/.test(l))).toEqual([]);
    expect(system.user!.output.filter((l) => /SafeToOpen|Found/.test(l))).toContain('Found a string');
  });

  it('checks 5–7: a safe open for write gets a stream-handle context; each write is scanned, "foul language" refused, FSCTL_OFFLOAD_WRITE refused; the rescan at cleanup finds the word two clean writes made', () => {
    const { sim, system } = run();
    // open, "fo", "ul", "foul language", FSCTL_OFFLOAD_WRITE, close
    expect(statusNames(system)['app 1']).toEqual(['STATUS_SUCCESS', 'STATUS_SUCCESS', 'STATUS_SUCCESS', 'STATUS_ACCESS_DENIED', 'STATUS_ACCESS_DENIED', 'STATUS_SUCCESS']);
    expect(new TextDecoder().decode(sim.fileSystem('C:').readFile('\\report.doc'))).toBe('foulport with nothing to hide');
    expect(compactTrace(sim.log, { types: ['ContextLinked', 'ContextFreed'] })).toEqual([
      'C1(STREAMHANDLE of scanner) ContextLinked by=FltSetStreamHandleContext to=O1:\\report.doc instance=I1:scanner@265000 on C: count=2',
      'C1(STREAMHANDLE of scanner) ContextFreed',
    ]);
    // The cleanup's scan is a non-cached read by the instance inside the cleanup's pre-op.
    const trace = compactTrace(sim.log, { types: ['IoStart', 'PreOperationReturned'] }).filter((l) => l.includes('report.doc') && /CLEANUP|READ/.test(l));
    expect(trace).toEqual([
      'D2(READ \\report.doc) IoStart IRP_MJ_READ file=O1:\\report.doc from=I1:scanner@265000 on C: flags=IRP_OPERATION|GENERATED_IO irpFlags=0x1 KernelMode {Offset: 0, Length: 1024}',
      'D13(CLEANUP \\report.doc) IoStart IRP_MJ_CLEANUP file=O1:\\report.doc flags=IRP_OPERATION KernelMode {}',
      'D14(READ \\report.doc) IoStart IRP_MJ_READ file=O1:\\report.doc from=I1:scanner@265000 on C: flags=IRP_OPERATION|GENERATED_IO irpFlags=0x1 KernelMode {Offset: 0, Length: 1024}',
      'D13(CLEANUP \\report.doc) PreOperationReturned instance=I1:scanner@265000 on C: FLT_PREOP_SUCCESS_NO_CALLBACK',
    ]);
    expect(system.image.DbgPrint).toEqual([
      '!!! scanner.sys --- connected, port=Q1',
      '!!! scanner.sys -- foul language detected in postcreate !!!',
      '!!! scanner.sys -- undoing create',
      '!!! scanner.sys -- foul language detected in write !!!',
      '!!! scanner.sys -- blocking the write !!!',
      '!!! scanner.sys -- blocking the offload write !!!',
      '!!! scanner.sys -- foul language detected in precleanup !!!',
      '!!! scanner.sys --- disconnected, port=Q1',
    ]);
  });

  it('check 1: a create by the connected scanUser process is trusted — not scanned, foul.doc opens', () => {
    let opened = '';
    const { sim, system } = run({}, (sim, system) => {
      sim.spawn('scanuser opens', function* () {
        yield* sleep(1); // scanUser is connected by then
        const r = yield* sim.io.NtCreateFile('C:\\foul.doc', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
        opened = ntStatusName(r.status);
        if (r.handle !== null) yield* sim.io.NtClose(r.handle);
      }, { process: system.process! });
    });
    expect(opened).toBe('STATUS_SUCCESS');
    expect(system.image.DbgPrint).toContain('!!! scanner.sys -- allowing create for trusted process');
    // Only app 2's open of foul.doc was read by the scanner.
    expect(compactTrace(sim.log, { types: ['IoStart'] }).filter((l) => /READ \\foul\.doc/.test(l))).toHaveLength(1);
  });

  it('check 3: with nothing connected every file is "safe": foul.doc opens and the foul write goes through', () => {
    const { sim, system } = run({ scanUser: 'no' });
    expect(statusNames(system)).toEqual({
      'app 1': ['STATUS_SUCCESS', 'STATUS_SUCCESS', 'STATUS_SUCCESS', 'STATUS_SUCCESS', 'STATUS_INVALID_DEVICE_REQUEST', 'STATUS_SUCCESS'],
      'app 2': ['STATUS_SUCCESS', 'STATUS_SUCCESS', 'STATUS_SUCCESS', 'STATUS_SUCCESS'],
    });
    expect(sim.log.some((f) => f.type === 'FltSendMessage')).toBe(false);
  });

  it('the registry\'s Extensions list replaces "doc": with Extensions=txt,log the .txt is refused and the .doc files open unscanned', () => {
    const { system } = run({ Extensions: 'txt,log' });
    expect(statusNames(system)['app 2']).toEqual(['STATUS_SUCCESS', 'STATUS_SUCCESS', 'STATUS_ACCESS_DENIED']);
  });

  it('§17.2: the unload closes the server port, disconnects scanUser (its gets end with ERROR_INVALID_HANDLE), and leaves nothing behind', () => {
    const { sim, system } = run();
    expect(system.user!.output.slice(-3)).toEqual([
      'Scanner: Port is disconnected, probably due to scanner filter unloading.',
      'Scanner: Port is disconnected, probably due to scanner filter unloading.',
      'Scanner:  All done. Result = S_OK',
    ]);
    expect(system.user!.threads.map((t) => t.result)).toEqual([HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE), HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE)]);
    expect(resultOf(sim, 'scanuser main')).toBe(S_OK);
    const state = sim.state();
    expect([state.violations, state.poolBlocks, state.contexts]).toEqual([[], {}, {}]);
    expect(nothingLeaked(sim.log)).toEqual([]);
    expect(checkPortInvariants(sim.log)).toEqual([]);
    expect(foldLog(sim.log)).toEqual(state);
  });

  it('runs from the command line: fltsim run examples/samples/scanner', async () => {
    const out: string[] = [];
    const code = await main(['run', 'examples/samples/scanner'], { out: (l) => out.push(l), err: (l) => out.push(l) });
    expect(out[0]).toMatch(/^# fltsim run sample-scanner, seed 1, strategy in-order: idle after \d+ facts/);
    expect(code).toBe(0);
  });

  it('PCT: the unload racing two applications\' scans (after scanUser started): no violation, nothing leaked', () => {
    // 4 schedules in npm test; test:deep 300 (scanner.deep.test.ts).
    const r = explore(scenario, { strategy: 'pct', seed: 1, schedules: budget(4, 300), shrink: false, args: { unloadAt: '1' }, monitors: [nothingLeaked] });
    expect(r.violation).toBeNull();
  });

  it('PCT finds a bug in scanUser.c: an unload between CreateThread and the first FilterGetMessage leaves a worker in GetQueuedCompletionStatus forever, and main waiting for it', () => {
    const r = explore(scenario, { strategy: 'pct', seed: 1, schedules: budget(20, 100), shrink: false, args: { unloadAt: '0' } });
    expect(r.violation).toMatchObject({ kind: 'deadlock' });
    expect(r.violation!.message).toMatch(/T\d+ \(scanuser main\) waits on W\d+ for join T\d+; T\d+ \(scanuser worker \d\) waits on W\d+ for GetQueuedCompletionStatus\(H\d+\)/);
    // The first get failed: the connection was gone before main posted it, so no completion is ever queued.
    const failedGet = r.trace.findIndex((l) => /RoutineFailed routine=FilterGetMessage status=STATUS_PORT_DISCONNECTED/.test(l));
    const disconnected = r.trace.findIndex((l) => /DisconnectNotify reason=FltUnregisterFilter/.test(l));
    expect(disconnected).toBeGreaterThan(-1);
    expect(failedGet).toBeGreaterThan(disconnected);
    expect(r.trace.some((l) => / FilterGetMessage get=/.test(l))).toBe(false);
  });
});
