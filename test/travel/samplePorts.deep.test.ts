// test:deep only (~4 CPU-s). Time travel over the WDK sample ports' own logs (docs/time-travel.md): the Timeline's state at a
// position, from checkpoints plus a folded tail, equals folding the whole prefix, at positions spread
// over each port's run and at its end. The samples exercise what the built-in scenarios do not
// (communication ports connected and disconnected, contexts, names, transactions, sections), and a
// fact the Timeline could not follow there once hid behind a sample's passing tests (a client port's
// disconnect changing its server port: test/explore/factFootprintsFold.test.ts).
import { describe, expect, it } from 'vitest';
import { foldLog, Timeline } from '../../src/index.js';
import { runSample, sampleScenarios } from '../samples/run.js';

const samples = await sampleScenarios();
const json = (x: unknown): string => JSON.stringify(x);

describe('Timeline.stateAt on every sample port', () => {
  it.each(samples)('%s: equals foldLog of the prefix at spread positions and at the end', (_, scenario) => {
    const { sim } = runSample(scenario, {}, 2, 'random');
    const timeline = Timeline.of(sim.log, 16);
    const points = 60;
    for (let k = 1; k <= points; k++) {
      const p = Math.round((k * sim.log.length) / (points + 1));
      expect(json(timeline.stateAt(p)), `position ${p}`).toBe(json(foldLog(sim.log.slice(0, p))));
    }
    expect(json(timeline.stateAt(sim.log.length))).toBe(json(foldLog(sim.log)));
  });
});
