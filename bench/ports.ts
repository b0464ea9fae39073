/**
 * Communication-port figures: FltSendMessage round trips per second (§17.3) — a kernel thread of a
 * scanner-shaped filter sends, an administrator's application thread gets and replies, the sender
 * returns — beside the XState actor.send baseline measured in the same run.
 *
 * Public API only. The filter, its port and the connection are set up before the clock starts; the
 * clock covers ROUND_TRIPS messages sent, delivered, replied and returned, run to idle.
 */
import { XSTATE_SEND } from './baselines.js';
import { compare, rateSpread, summarize, type BenchContext, type Row } from './harness.js';
import { runToIdle } from './workloads.js';
import { ADMINISTRATORS_SID, createSimulation, FilterGetMessage, FilterReplyMessage, FltSendMessage, S_OK, STATUS_SUCCESS, type Simulation } from '../src/index.js';
import { installPortFilter, type PortFilter } from '../src/testing/index.js';

const ROUND_TRIPS = 2000;
const SYSTEM = 'S-1-5-18';

function prepare(): { sim: Simulation; scanner: PortFilter } {
  const sim = createSimulation({ seed: 1, onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  const scanner = installPortFilter(sim);
  runToIdle(sim);
  return { sim, scanner };
}

/** ROUND_TRIPS sends and as many get + reply pairs, run to idle; throws unless every one succeeded. */
function roundTrips({ sim, scanner }: { sim: Simulation; scanner: PortFilter }): number {
  let ok = 0;
  sim.spawn(
    'scanUser',
    function* () {
      const c = yield* sim.FilterConnectCommunicationPort('\\ScannerPort', 0, null, 0);
      const message = new Uint8Array(64);
      const reply = new Uint8Array(17);
      const view = new DataView(reply.buffer);
      for (let i = 0; i < ROUND_TRIPS; i++) {
        if ((yield* FilterGetMessage(c.hPort!, message, 64, null)) !== S_OK) throw new Error('bench: get failed');
        view.setBigUint64(8, new DataView(message.buffer).getBigUint64(8, true), true);
        if ((yield* FilterReplyMessage(c.hPort!, reply, 17)) !== S_OK) throw new Error('bench: reply failed');
      }
    },
    { token: ADMINISTRATORS_SID },
  );
  sim.spawn(
    'sender',
    function* () {
      const body = new Uint8Array(32);
      const answer = new Uint8Array(1);
      for (let i = 0; i < ROUND_TRIPS; i++) {
        const length = { value: 1 };
        if ((yield* FltSendMessage(scanner.filter(), scanner.clientPort, body, 32, answer, length, null)) === STATUS_SUCCESS) ok++;
      }
    },
    { token: SYSTEM },
  );
  runToIdle(sim);
  if (ok !== ROUND_TRIPS) throw new Error(`bench: ${ok} of ${ROUND_TRIPS} round trips succeeded`);
  return ok;
}

export function ports(context: BenchContext): Row[] {
  // Two untimed repetitions warm the JIT; each repetition prepares its simulation before the clock starts.
  const seconds: number[] = [];
  for (let rep = 0; rep < 7; rep++) {
    const prepared = prepare();
    const start = process.hrtime.bigint();
    roundTrips(prepared);
    const end = process.hrtime.bigint();
    if (rep >= 2) seconds.push(Number(end - start) / 1e9);
  }
  const timed = summarize(seconds);
  const row: Row = { name: 'FltSendMessage round trip (send, get, reply, return)', value: ROUND_TRIPS / timed.median, unit: 'round trips/s', note: rateSpread(ROUND_TRIPS, timed) };
  return [compare(row, context.baseline(XSTATE_SEND))];
}
