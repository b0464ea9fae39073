/**
 * Sample figures: the ported scanner sample (examples/samples/scanner) scanning OPENS opens per
 * second — each open a create, the post-create's non-cached FltReadFile, a FltSendMessage to
 * scanUser's workers (completion port, FilterGetMessage, FilterReplyMessage) and a cleanup and
 * close — beside the XState actor.send baseline measured in the same run.
 *
 * Public API and the sample's own modules only. The filter is loaded and scanUser connected before
 * the clock starts; the clock covers one application thread opening and closing a .doc OPENS times,
 * run to idle; then the unload (not timed) checks every open was scanned.
 */
import { XSTATE_SEND } from './baselines.js';
import { compare, rateSpread, summarize, type BenchContext, type Row } from './harness.js';
import { runToIdle } from './workloads.js';
import { ADMINISTRATORS_SID, createSimulation, FILE_GENERIC_READ, FILE_OPEN, FILE_SHARE_READ, STATUS_SUCCESS, type Simulation } from '../src/index.js';
import { SCANNER_INSTANCES, SCANNER_NAME, scanner } from '../examples/samples/scanner/scanner.js';
import { scanUser } from '../examples/samples/scanner/scanUser.js';

const OPENS = 1000;

function prepare(): Simulation {
  const sim = createSimulation({ seed: 1, onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\report.doc', 'a report with nothing to hide');
  const image = scanner(sim);
  sim.loadDriver({ name: SCANNER_NAME, instances: SCANNER_INSTANCES }, image.DriverEntry);
  runToIdle(sim);
  const process = sim.createProcess('scanuser.exe', { token: ADMINISTRATORS_SID });
  const user = scanUser(sim, process);
  sim.spawn('scanuser main', () => user.main(['scanuser', '5', '2']), { process });
  // scanUser connects, posts its gets and waits for its workers: the run stops there, nothing ready.
  runToIdleOrBlocked(sim);
  return sim;
}

/** Run until nothing can run: scanUser's threads stay blocked in their waits, which is not an error here. */
function runToIdleOrBlocked(sim: Simulation): void {
  const r = sim.run({ maxSteps: 10_000_000 });
  if (r.reason !== 'idle' && r.reason !== 'deadlock') throw new Error(`bench: run ended with ${r.reason}`);
}

/** OPENS opens and closes of \report.doc, each scanned; throws unless every one succeeded and was scanned. */
function opens(sim: Simulation): number {
  let ok = 0;
  sim.spawn('app', function* () {
    for (let i = 0; i < OPENS; i++) {
      const r = yield* sim.io.NtCreateFile('C:\\report.doc', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
      if (r.status === STATUS_SUCCESS && r.handle !== null && (yield* sim.io.NtClose(r.handle)) === STATUS_SUCCESS) ok++;
    }
  });
  runToIdleOrBlocked(sim);
  const scanned = sim.log.filter((f) => f.type === 'FltSendMessageReturned' && f.status === STATUS_SUCCESS).length;
  if (ok !== OPENS || scanned !== OPENS) throw new Error(`bench: ${ok} of ${OPENS} opens succeeded, ${scanned} scanned`);
  return ok;
}

export function samples(context: BenchContext): Row[] {
  // Two untimed repetitions warm the JIT; each repetition prepares its simulation before the clock starts.
  const seconds: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const sim = prepare();
    const start = process.hrtime.bigint();
    opens(sim);
    const end = process.hrtime.bigint();
    if (rep >= 2) seconds.push(Number(end - start) / 1e9);
    sim.spawn('fltmc unload scanner', () => sim.FilterUnload(SCANNER_NAME));
    runToIdle(sim);
  }
  const timed = summarize(seconds);
  const row: Row = { name: 'scanner sample: opens scanned (create, FltReadFile, FltSendMessage to scanUser, close)', value: OPENS / timed.median, unit: 'opens/s', note: rateSpread(OPENS, timed) };
  return [compare(row, context.baseline(XSTATE_SEND))];
}
