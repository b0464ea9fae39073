// Which thread appended each fact, inside which callback, and the causal chain of a fact
// (`fltsim replay --why`, issue 13 item 4) — read off the log alone and checked against the
// running simulation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTrace } from '../../src/index.js';
import { startRun, type RunSpec } from '../../src/travel/recording.js';
import { threadActivity } from '../../src/travel/threadActivity.js';
import { whyFact } from '../../src/travel/why.js';
import { registry } from './everyScenario.js';

/** Run `spec`, recording the live running thread as each fact is appended. */
function runWithThreads(spec: RunSpec): { facts: ReturnType<typeof startRun>['log']; live: (string | null)[]; built: number } {
  const sim = startRun(spec, registry);
  const live: (string | null)[] = new Array<string | null>(sim.log.length).fill(null);
  sim.facts$.subscribe(() => live.push(sim.currentThread()));
  sim.run();
  return { facts: sim.log, live, built: sim.built.facts };
}

describe('threadActivity', () => {
  it('names the thread the kernel was running when each fact was appended, in random I/O runs and races', () => {
    const specs = fc.constantFrom<RunSpec>(
      { scenario: 'random-io' },
      { scenario: 'race-cancel-completion', args: { variant: 'fixed' } },
      { scenario: 'race-unload-async-read' },
      { scenario: 'scanner', args: { setup: 'run', apps: 3 } },
    );
    fc.assert(
      fc.property(specs, fc.integer({ min: 1, max: 2 ** 31 - 1 }), (spec, seed) => {
        const { facts, live, built } = runWithThreads({ ...spec, options: { seed, strategy: 'random' } });
        const { threadOf } = threadActivity(facts, built);
        // A Choice is appended just before its thread runs: the log gives it to the chosen thread.
        // Facts of a build (before the subscription) are not compared.
        const differ = facts.filter((f) => f.seq >= built && f.type !== 'Choice' && threadOf[f.seq] !== live[f.seq]).map((f) => `#${f.seq} ${f.type}: ${threadOf[f.seq]} vs ${live[f.seq]}`);
        expect(differ, `${spec.scenario} seed ${seed}`).toEqual([]);
      }),
      // Unseeded: any schedule must attribute right. The example is a schedule that once did not: a
      // ThreadWake of T4 right after T2's ThreadExit that the exit did not cause (only a thread
      // joining the exited one is woken in its name; without that check it reads T2 for T4).
      { numRuns: 25, examples: [[{ scenario: 'race-cancel-completion', args: { variant: 'fixed' } }, 417919020]] },
    );
  });
});

describe('whyFact', () => {
  const { facts, built } = runWithThreads({ scenario: 'scanner', args: { apps: 1 }, options: { seed: 1 } });
  const lines = formatTrace(facts);

  it('walks the scanner\'s generated read back through its post-create to the application\'s open and thread', () => {
    const read = facts.find((f) => f.type === 'IoStart' && f.major === 3 && f.initiator !== null)!;
    const complete = facts.find((f) => f.type === 'IoComplete' && f.object === read.object)!;
    const chain = whyFact(facts, complete.seq, { buildFacts: built });
    expect(chain.map((l) => `${l.relation}: ${lines[l.seq]}`)).toMatchInlineSnapshot(`
      [
        "fact: #42 t=0 D3(READ \\doc1.txt) IoComplete status=STATUS_SUCCESS information=8",
        "object: #39 t=0 D3(READ \\doc1.txt) IoStart IRP_MJ_READ file=O2:\\doc1.txt from=I1:scanner@320000 on C: flags=IRP_OPERATION|GENERATED_IO KernelMode {Offset: 0, Length: 8}",
        "callback: #30 t=0 D1(CREATE \\doc1.txt) PostOperation instance=I1:scanner@320000 on C: params=as-issued",
        "object: #23 t=0 D1(CREATE \\doc1.txt) IoStart IRP_MJ_CREATE file=O1:\\doc1.txt flags=IRP_OPERATION UserMode {Desired Access: Generic Read, Disposition: Open, Options: n/a, Attributes: n/a, ShareMode: Read}",
        "thread: #18 t=0 T3(app 1) ThreadCreate name="app 1"",
      ]
    `);
  });

  it('a position outside the log is a UsageError naming the range', () => {
    expect(() => whyFact(facts, facts.length)).toThrow(/BAD_POSITION.*no fact #\d+: the log holds facts 0 to/);
  });
});
