/**
 * `fltsim replay <trace>`: re-run a trace and check it fact by fact; land on its violation; show
 * the state of every object at a fact and what that fact changed (`--at`, `--back`); print the
 * causal chain of a fact (`--why`). Stepping uses the trace's own facts (the reader folds them all
 * anyway); only the check re-executes the scenario.
 */
import { invariantViolation, verifierViolation } from '../explore/check.js';
import type { Fact } from '../kernel/facts.js';
import { builtInScenarios } from '../scenarios/index.js';
import type { Scenario } from '../scenarios/scenario.js';
import { formatStacks } from '../trace/stackView.js';
import { formatDiff, formatObjects } from '../trace/stateView.js';
import { formatTrace } from '../trace/textFormat.js';
import type { TraceViolation } from '../tracefile/header.js';
import { recordingOf, type TraceFile } from '../tracefile/index.js';
import { diffStates } from '../travel/diff.js';
import { DEFAULT_REPLAY_BUDGET } from '../travel/budget.js';
import { replayChecked } from '../travel/recording.js';
import { threadActivity, type ThreadActivity } from '../travel/threadActivity.js';
import { whyFact, type CausalLink } from '../travel/why.js';
import { flagOption, integerOption, onePositional, parseCommand, stringOption } from './args.js';
import { EXIT, inputError, usageError } from './exitCodes.js';
import type { CliIo, Command } from './io.js';
import { loadScenarioModule } from './scenarioModule.js';
import { loadTrace } from './traceInput.js';

export const replayCommand: Command = {
  name: 'replay',
  help: `fltsim replay <trace.ndjson> [--at violation|SEQ] [--back N] [--why SEQ] [--json] [--scenario PATH]
                             [--max-facts N] [--max-steps N] [--max-memory MIB]
  With no option: re-run the trace's scenario with its recorded schedule and compare every fact
  (exit 4 at the first that differs), then, if the run has a violation, land on it.
  --at violation|SEQ    the state of every object right after fact #SEQ (or the violation's fact),
                        the device stacks there, and what that fact changed
  --back N              step N facts back from --at (default: from the violation, or the end)
  --why SEQ             the causal chain of fact #SEQ: the operation, callback and thread that led
                        to it, back to the application's request (or the host)
  --json                with --at: the state as JSON instead of lines
  --scenario PATH       the scenario module, when it moved since the trace was written
  --max-facts N         read and replay at most N facts (default 5000000)
  --max-steps N         replay at most N scheduler steps (default 5000000)
  --max-memory MIB      stop the replay past MIB MiB of heap (default 4096)
  A trace is data: it is checked, never executed. A trace of a scenario module names the module
  (path and SHA-256); replay loads that module — code, trusted — and refuses it if it changed.`,
  async run(argv, io) {
    const p = parseCommand('replay', argv, {
      at: { type: 'string' },
      back: { type: 'string' },
      why: { type: 'string' },
      json: { type: 'boolean' },
      scenario: { type: 'string' },
      'max-facts': { type: 'string' },
      'max-steps': { type: 'string' },
      'max-memory': { type: 'string' },
    });
    if (p.values['help'] === true) return (io.out(replayCommand.help), EXIT.ok);
    const path = onePositional(p, 'replay', 'trace file');
    const back = integerOption(p, 'back', { min: 0, max: Number.MAX_SAFE_INTEGER });
    const why = integerOption(p, 'why', { min: 0, max: Number.MAX_SAFE_INTEGER });
    const at = stringOption(p, 'at');
    if (at !== undefined && at !== 'violation' && !/^\d+$/.test(at)) throw usageError(`--at must be 'violation' or a fact number, got '${at}'`);
    const maxFacts = integerOption(p, 'max-facts', { min: 1, max: Number.MAX_SAFE_INTEGER }) ?? DEFAULT_REPLAY_BUDGET.maxFacts;
    const maxSteps = integerOption(p, 'max-steps', { min: 1, max: Number.MAX_SAFE_INTEGER }) ?? DEFAULT_REPLAY_BUDGET.maxSteps;
    const maxMemoryMiB = integerOption(p, 'max-memory', { min: 1, max: 2 ** 30 });
    const budget = { maxFacts, maxSteps, maxMemory: maxMemoryMiB === undefined ? DEFAULT_REPLAY_BUDGET.maxMemory : maxMemoryMiB * 2 ** 20, heapUsed: () => process.memoryUsage().heapUsed };
    const file = loadTrace(path, { maxFacts });
    const facts = file.facts;
    const violation = violationOf(file);
    const activity = threadActivity(facts, file.header.built ?? 0);
    if (why !== undefined) {
      if (why >= facts.length) throw usageError(`--why ${why}: ${path} has facts #0 to #${facts.length - 1}`);
      printWhy(io, facts, whyFact(facts, why, { activity }), activity);
      return EXIT.ok;
    }
    if (at !== undefined || back !== undefined) {
      const anchor = at === undefined || at === 'violation' ? (violation?.seq ?? (at === 'violation' ? null : facts.length - 1)) : Number(at);
      if (anchor === null) throw inputError(`${path} has no violation to land on (try --at SEQ)`);
      const seq = anchor - (back ?? 0);
      if (seq < 0 || seq >= facts.length) throw usageError(`fact #${seq} is outside ${path}, which has facts #0 to #${facts.length - 1}`);
      printAt(io, file, seq, activity, flagOption(p, 'json'), violation);
      return EXIT.ok;
    }
    const scenarios = await scenariosFor(file, stringOption(p, 'scenario'));
    replayChecked(recordingOf(file.header), facts, scenarios, budget);
    io.out(`# replayed ${file.header.scenario.id} seed ${file.header.seed}: ${facts.length} facts, identical (every fact compared with the trace)`);
    if (violation !== null) {
      io.out(`# VIOLATION (${violation.kind}) ${violation.name} at #${violation.seq}: ${violation.message}`);
      printAt(io, file, violation.seq, activity, false, violation);
      io.out(`# step back: fltsim replay ${path} --at violation --back 1; ask why: fltsim replay ${path} --why ${violation.seq}`);
    }
    return EXIT.ok;
  },
};

/** The registry a trace's scenario is found in: the built-in one, or its module (loaded and checked). */
async function scenariosFor(file: TraceFile, override: string | undefined): Promise<readonly Scenario[]> {
  const { id, module } = file.header.scenario;
  if (module === undefined && override === undefined) {
    if (!builtInScenarios.some((s) => s.id === id)) {
      throw inputError(`cannot check this replay: the trace's scenario '${id}' is not built in and the trace names no module (pass --scenario PATH)`);
    }
    return builtInScenarios;
  }
  const loaded = await loadScenarioModule(override ?? module!.path, module);
  if (loaded.scenario.id !== id) throw inputError(`cannot check this replay: ${loaded.module!.path} exports scenario '${loaded.scenario.id}', the trace was written by '${id}'`);
  return loaded.registry;
}

/** Where the run went wrong: what the writer recorded, else the first verifier violation or broken §14 invariant. */
export function violationOf(file: TraceFile): TraceViolation | null {
  return file.header.violation ?? verifierViolation(file.facts) ?? invariantViolation(file.facts);
}

function describeFact(facts: readonly Fact[], seq: number, activity: ThreadActivity): string {
  const thread = activity.threadOf[seq] ?? null;
  const callback = activity.callbackOf[seq]!;
  const threadName = thread === null ? 'outside any thread' : `on ${thread}${threadNames(facts).get(thread) === undefined ? '' : ` (${threadNames(facts).get(thread)})`}`;
  const inside = callback < 0 ? '' : `, inside ${facts[callback]!.type} #${callback}`;
  return `${threadName}${inside}`;
}

const namesCache = new WeakMap<readonly Fact[], Map<string, string>>();
function threadNames(facts: readonly Fact[]): Map<string, string> {
  let names = namesCache.get(facts);
  if (names === undefined) {
    names = new Map();
    for (const f of facts) if (f.type === 'ThreadCreate') names.set(f.object, f.name);
    namesCache.set(facts, names);
  }
  return names;
}

function printAt(io: CliIo, file: TraceFile, seq: number, activity: ThreadActivity, json: boolean, violation: TraceViolation | null): void {
  const { facts, timeline } = file;
  const before = timeline.stateAt(seq);
  const after = timeline.stateAt(seq + 1);
  if (json) {
    io.out(JSON.stringify(after, null, 2));
    return;
  }
  const line = formatTrace(facts.slice(0, seq + 1)).at(-1)!;
  const mark = violation !== null && violation.seq === seq ? '  <- the violation' : '';
  io.out(`# at fact #${seq} of ${facts.length} (t=${after.time}), ${describeFact(facts, seq, activity)}:`);
  io.out(`${line}${mark}`);
  io.out('# what it changed:');
  for (const l of formatDiff(diffStates(before, after))) io.out(l);
  io.out('# device stacks:');
  for (const l of formatStacks(after)) io.out(`  ${l}`);
  io.out(`# every object after #${seq}:`);
  for (const l of formatObjects(after)) io.out(`  ${l}`);
  io.out(`# back one fact: --at ${seq} --back 1; why: --why ${seq}`);
}

const RELATION: Readonly<Record<CausalLink['relation'], string>> = {
  fact: 'the fact',
  object: 'belongs to the operation or file object started at',
  callback: 'issued inside the callback',
  operation: 'opened by the create',
  thread: 'on the thread created at',
};

function printWhy(io: CliIo, facts: readonly Fact[], chain: readonly CausalLink[], activity: ThreadActivity): void {
  const text = formatTrace(facts.slice(0, chain[0]!.seq + 1));
  io.out(`# why #${chain[0]!.seq}? (the fact first, its root last)`);
  for (const link of chain) {
    if (link.relation !== 'fact') io.out(`  ↑ ${RELATION[link.relation]}`);
    io.out(`${text[link.seq]}   [${describeFact(facts, link.seq, activity)}]`);
  }
  const root = chain[chain.length - 1]!.fact;
  io.out(root.type === 'ThreadCreate' && root.parent === null ? `# root: thread ${root.object} (${root.name}), started by the scenario or the host` : `# root: #${root.seq} ${root.type}`);
}
