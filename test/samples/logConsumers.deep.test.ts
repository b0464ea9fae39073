// test:deep only (~10 CPU-s). Every consumer of a log, on each WDK sample port's own log (a random
// schedule): the trace file (written, read back as untrusted input, the same facts), the text, Perfetto
// and Mermaid exports, the fold equal to the live state, the thread activity and "why" links, the viewer's model at spread positions
// (its state equal to foldLog's, its stack picture drawn) and the state views. The built-in scenarios
// are the consumers' own tests; the samples use what those do not (communication ports, contexts,
// names, transactions, sections), and a fact the Timeline could not follow once hid there behind
// the samples' passing tests (test/explore/factFootprintsFold.test.ts).
import { describe, expect, it } from 'vitest';
import { foldLog, formatObjects, formatStacks, formatTrace, readTraceFile, threadActivity, toChromeTrace, toMermaid, traceFileText, whyFact } from '../../src/index.js';
import { ViewerModel } from '../../src/viewer/viewerModel.js';
import { runSample, sampleScenarios } from './run.js';

const samples = await sampleScenarios();
const json = (x: unknown): string => JSON.stringify(x);

describe('every log consumer on every sample port', () => {
  it.each(samples)('%s', (_, scenario) => {
    const { sim } = runSample(scenario, {}, 3, 'random');
    const log = sim.log;
    const file = readTraceFile(traceFileText(sim));
    expect(json(file.facts)).toBe(json(log));
    expect(formatTrace(log)).toHaveLength(log.length);
    expect(toChromeTrace(log).traceEvents.length).toBeGreaterThan(0);
    expect(toMermaid(log)).toMatch(/^sequenceDiagram/);
    const activity = threadActivity(log);
    for (let k = 1; k <= 40; k++) whyFact(log, Math.floor((k * log.length) / 41), { activity });
    const model = new ViewerModel({ title: scenario.id, header: file.header, facts: file.facts, preemptions: null });
    model.foldMore(log.length);
    for (let k = 0; k <= 20; k++) {
      const p = Math.round((k * log.length) / 20);
      expect(json(model.stateAt(p)), `viewer at ${p}`).toBe(json(foldLog(log.slice(0, p))));
      expect(model.viewAt(p), `viewer at ${p}`).not.toBeNull();
    }
    const end = foldLog(log);
    expect(json(end), 'the fold of the log is the live state').toBe(json(sim.state()));
    expect(formatStacks(end).length).toBeGreaterThan(0);
    expect(formatObjects(end).length).toBeGreaterThan(0);
  });
});
