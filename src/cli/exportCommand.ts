/** `fltsim export <trace | scenario>`: a trace file, or a scenario run here, as Perfetto JSON, Mermaid or text. */
import type { Fact } from '../kernel/facts.js';
import { toMermaid } from '../trace/mermaid.js';
import { toChromeTrace } from '../trace/perfetto.js';
import { formatTrace } from '../trace/textFormat.js';
import { oneOf, onePositional, parseCommand, stringOption } from './args.js';
import { EXIT, usageError } from './exitCodes.js';
import { writeChunks } from './files.js';
import { TRUST_NOTE, type Command } from './io.js';
import { runToEnd, SCENARIO_HELP, SCENARIO_OPTIONS, startScenario } from './runCommand.js';
import { isTracePath, loadTrace } from './traceInput.js';
import { resolveScenario } from './scenarioModule.js';

export const exportCommand: Command = {
  name: 'export',
  help: `fltsim export <trace.ndjson | scenario> --format perfetto|mermaid|text [--out FILE]
  Convert a trace file — or run a scenario here and convert its trace: Chrome trace-event JSON
  (open it in ui.perfetto.dev: a track per object and per simulated thread, virtual time, flow
  arrows from an operation to the I/O it generated), a Mermaid sequence diagram, or the
  one-line-per-event text format (docs/trace-format.md). Writes to stdout unless --out is given.
  A positional ending in .ndjson is a trace file; anything else is a scenario:
${SCENARIO_HELP}
  ${TRUST_NOTE}`,
  async run(argv, io) {
    const p = parseCommand('export', argv, { ...SCENARIO_OPTIONS, format: { type: 'string' }, out: { type: 'string' } });
    if (p.values['help'] === true) return (io.out(exportCommand.help), EXIT.ok);
    const source = onePositional(p, 'export', 'trace file or scenario');
    if (stringOption(p, 'format') === undefined) throw usageError('--format must be perfetto, mermaid or text, got nothing');
    const format = oneOf(p, 'format', ['perfetto', 'mermaid', 'text'] as const, 'text');
    let facts: readonly Fact[];
    if (isTracePath(source)) facts = loadTrace(source).facts;
    else {
      const sim = startScenario(p, await resolveScenario(source));
      runToEnd(sim);
      facts = sim.log;
    }
    const text = format === 'perfetto' ? JSON.stringify(toChromeTrace(facts)) + '\n' : format === 'mermaid' ? toMermaid(facts) : formatTrace(facts).join('\n') + '\n';
    const out = stringOption(p, 'out');
    if (out === undefined) io.out(text.replace(/\n$/, ''));
    else writeChunks(out, [text]);
    return EXIT.ok;
  },
};
