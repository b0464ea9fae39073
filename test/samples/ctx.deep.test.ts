// The ctx sample (wdk-samples §9) under a long PCT exploration: three applications racing their
// post-creates on one stream, a rename and the unload (§15, §16.5, §4); no violation, and every
// stream context freed with Create ≥ Cleanup ≥ Close (equal unless the unload cut it short, §15.8).
import { describe, expect, it } from 'vitest';
import { explore, type MonitorViolation, type Scenario, type ScenarioArgs, type Simulation } from '../../src/index.js';
import { ctxSystem, scenario } from '../../examples/samples/ctx/index.js';
import type { CtxImage } from '../../examples/samples/ctx/ctxInit.js';

let latest: CtxImage | null = null;
const monitored: Scenario = { ...scenario, build: (sim: Simulation, args: ScenarioArgs) => void (latest = ctxSystem(sim, { DebugLevel: 0x21, ...args })) };
const balanced = (): MonitorViolation[] =>
  latest!.Globals.DebugOutput.map((l) => /CreateCount = (\d+) CleanupCount = (\d+) CloseCount = (\d+)/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && !(Number(m[1]) >= Number(m[2]) && Number(m[2]) >= Number(m[3])))
    .map((m) => ({ name: 'CTX_COUNTS', seq: 0, message: m.input }));

describe('ctx sample, deep', () => {
  for (const unloadAt of ['0', '2', '6']) {
    it(`PCT depth 3, 400 schedules, unload at t=${unloadAt}: no violation`, () => {
      const r = explore(monitored, { strategy: 'pct', depth: 3, seed: 5, schedules: 400, shrink: false, args: { apps: '3', unloadAt }, monitors: [balanced] });
      expect(r.violation).toBeNull();
    });
  }
});
