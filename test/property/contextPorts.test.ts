// §15, §17, §19.9: random filters that set, get, replace, delete and release contexts and send
// messages to a user-mode scanner, while applications open files, an operator detaches an instance
// and an unload races all of it (test/property/contextPortRun.ts). Every run ends idle with no
// verifier finding, every §14/§19.9 invariant holding over the log, the filter unloaded with all
// its contexts freed and every sender returned, and fold(log) = live state. Seeds replay exactly.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { foldLog, STATUS_PORT_DISCONNECTED, STATUS_SUCCESS, STATUS_TIMEOUT } from '../../src/index.js';
import { SAFETY_CHECKS } from '../../src/explore/check.js';
import { RECORD_OF_PREFIX } from '../../src/travel/foldEngine.js';
import { budget } from '../support/deep.js';
import { contextPortRun } from './contextPortRun.js';

const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

function checkContextPortRun(seed: number): void {
  const { sim, outcome } = contextPortRun(seed);
  const where = `seed ${seed}`;
  expect(outcome, `${where}: the run ends idle`).toBe('idle');
  expect(plain(sim.state().violations), `${where}: no verifier finding`).toEqual([]);
  for (const [name, check] of Object.entries(SAFETY_CHECKS)) expect(check(sim.log), `${where}: ${name}`).toEqual([]);
  const state = sim.state();
  expect(state.filters['F1']?.state, `${where}: the unload finished`).toBe('Unloaded');
  expect(state.contexts, `${where}: every context freed (§15.8, §19.9 inv. 6)`).toEqual({});
  expect(state.messages, `${where}: every FltSendMessage returned (§19.9 inv. 14)`).toEqual({});
  expect(Object.values(state.serverPorts).map((p) => p.state), `${where}: the server port closed`).toEqual(['Closed']);
  expect(plain(foldLog(sim.log)), `${where}: fold = live`).toEqual(plain(state));
  // Every object sits in the record its id's prefix names: no two kinds share a prefix (R server
  // ports beside P processes, U get requests beside G ECP lists, C contexts, M messages).
  const misplaced = Object.entries(RECORD_OF_PREFIX).flatMap(([, record]) =>
    Object.keys(state[record]).filter((id) => RECORD_OF_PREFIX[id[0]!] !== record).map((id) => `${id} in ${record}`),
  );
  expect(misplaced, `${where}: id prefixes`).toEqual([]);
}

describe('contexts and messages while instances tear down and an unload races (§15, §17, §19.9)', () => {
  it('every run ends idle, with no finding, the invariants holding, nothing leaked and fold = live', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => checkContextPortRun(seed)), { numRuns: budget(15, 1500), seed: 1511 });
  });

  it('reaches what it is for: replies, timeouts, disconnects by the unload, instances torn down before the unload, contexts replaced by a verdict', () => {
    const statuses = new Set<number>();
    const seen = { unloadDisconnects: 0, detachedFirst: 0, verdicts: 0 };
    for (let seed = 1; seed <= 40; seed++) {
      const { sim, sends, verdicts } = contextPortRun(seed);
      for (const s of sends) statuses.add(s);
      const unregister = sim.log.findIndex((f) => f.type === 'FltUnregisterFilter');
      if (sim.log.some((f) => f.type === 'DisconnectNotify' && f.reason === 'FltUnregisterFilter')) seen.unloadDisconnects++;
      if (sim.log.findIndex((f) => f.type === 'InstanceTeardownStart') < unregister && sim.log.some((f) => f.type === 'InstanceTeardownStart')) seen.detachedFirst++;
      seen.verdicts += verdicts;
    }
    expect([...statuses].sort()).toEqual([STATUS_SUCCESS, STATUS_TIMEOUT, STATUS_PORT_DISCONNECTED].sort());
    expect(seen.unloadDisconnects).toBeGreaterThan(0);
    expect(seen.detachedFirst).toBeGreaterThan(0);
    expect(seen.verdicts).toBeGreaterThan(0);
  });

  it('is deterministic: the same seed gives the same log', () => {
    const a = contextPortRun(4242).sim.log.map((f) => JSON.stringify(f));
    const b = contextPortRun(4242).sim.log.map((f) => JSON.stringify(f));
    expect(b).toEqual(a);
  });
});
