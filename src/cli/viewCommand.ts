/**
 * `fltsim view <trace | scenario>`: one self-contained HTML file — the viewer page, the trace in
 * it, no network — that opens on the violation (if any) and steps through the run: the stack at
 * the cursor, the event list, why each fact happened (docs/viewer.md).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { builtInScenarios } from '../scenarios/index.js';
import type { Fact } from '../kernel/facts.js';
import type { TraceHeader } from '../tracefile/header.js';
import { traceHeader } from '../tracefile/header.js';
import { schedulePreemptions } from '../viewer/preemptions.js';
import { FACTS_PER_BLOCK, MAX_VIEWER_FACTS, viewerHtml, type ViewerTrace } from '../viewer/payload.js';
import { flagOption, integerOption, onePositional, parseCommand, stringOption } from './args.js';
import { CliError, EXIT, usageError } from './exitCodes.js';
import { writeChunks } from './files.js';
import { TRUST_NOTE, type Command } from './io.js';
import { runToEnd, SCENARIO_HELP, SCENARIO_OPTIONS, startScenario } from './runCommand.js';
import { resolveScenario } from './scenarioModule.js';
import { isTracePath, loadTrace } from './traceInput.js';
import { interrupted, serveViewer } from './viewServer.js';

export const VIEW_HELP = `fltsim view <trace.ndjson | scenario> [--out FILE] [--beside TRACE] [--open] [--serve] [--port N] [--max-facts N] [--facts-per-block N]
  Write the time-travel viewer: one HTML file with the trace in it that any browser opens from
  disk, with no network and no server. A timeline scrubber with the violations, unloads,
  teardowns and each thread's activity; the stack of every volume at the cursor (instances by
  altitude in their frames, legacy filters, the file system, and the operations in each level's
  pre-op, pended, below it or in its post-op), the file objects, threads and locks; what the fact
  at the cursor changed; why it happened (links); and the event list with filters and search.
  Keys: ←/→ by fact, Shift+←/→ by operation, Alt+←/→ by thread, v/V violations, g jump.
  A trace written by \`fltsim explore --trace\` opens on its violation, its preemptions marked.
  --out FILE        where to write it (default: the trace's or scenario's name with .html)
  --beside TRACE    a second trace shown beside the first: \`--trace-shrunk\`'s shrunk schedule
  --open            open it in the system's browser (with --serve: open its URL)
  --serve           serve it on this machine only (http://127.0.0.1:PORT/, printed) until Ctrl+C,
                    instead of writing a file (with --out: both)
  --port N          the port --serve listens on (default: one the system picks)
  --max-facts N     the most facts a trace file may hold (default 5000000)
  --facts-per-block N  facts in each of the page's data blocks (default 20000): the page decodes
                    a block when it first needs it, so the first picture waits for fewer facts
  A positional ending in .ndjson is a trace file; anything else is a scenario, run here:
${SCENARIO_HELP}
  ${TRUST_NOTE}`;

export const viewCommand: Command = {
  name: 'view',
  help: VIEW_HELP,
  async run(argv, io) {
    const p = parseCommand('view', argv, { ...SCENARIO_OPTIONS, out: { type: 'string' }, beside: { type: 'string' }, open: { type: 'boolean' }, serve: { type: 'boolean' }, port: { type: 'string' }, 'max-facts': { type: 'string' }, 'facts-per-block': { type: 'string' } });
    if (p.values['help'] === true) return (io.out(VIEW_HELP), EXIT.ok);
    const source = onePositional(p, 'view', 'trace file or scenario');
    const maxFacts = integerOption(p, 'max-facts', { min: 1, max: 50_000_000 });
    const factsPerBlock = integerOption(p, 'facts-per-block', { min: 1, max: MAX_VIEWER_FACTS }) ?? FACTS_PER_BLOCK;
    const serve = flagOption(p, 'serve');
    const port = integerOption(p, 'port', { min: 0, max: 65_535 });
    if (port !== undefined && !serve) throw usageError('--port needs --serve');
    const limits = maxFacts === undefined ? {} : { maxFacts };
    const template = readTemplate();
    let main: ViewerTrace;
    if (isTracePath(source)) main = traceFromFile(source, limits);
    else {
      const resolved = await resolveScenario(source);
      const sim = startScenario(p, resolved);
      runToEnd(sim);
      main = { title: `${resolved.scenario.id} (seed ${sim.save().options.seed})`, header: traceHeader(sim), facts: sim.log, preemptions: null };
    }
    const besidePath = stringOption(p, 'beside');
    const beside = besidePath === undefined ? null : traceFromFile(besidePath, limits);
    const html = viewerHtml(template, { main, beside }, (json) => gzipSync(json).toString('base64'), factsPerBlock);
    const named = stringOption(p, 'out');
    if (!serve || named !== undefined) {
      const out = named ?? `${basename(source).replace(/\.(?:ndjson|jsonl|[mc]?[jt]s)$/i, '')}.html`;
      writeChunks(out, [html]);
      io.out(`# the viewer for ${main.facts.length} facts is in ${out}: open it in a browser (no network needed)`);
      if (!serve && flagOption(p, 'open')) openInBrowser(out);
    }
    if (serve) {
      const server = await serveViewer(html, port ?? 0).catch((error: unknown) => {
        throw new CliError(EXIT.output, `cannot serve on 127.0.0.1:${port ?? 0}: ${(error as { code?: string }).code ?? String(error)}`);
      });
      io.out(`# the viewer for ${main.facts.length} facts is at ${server.url} (this machine only; Ctrl+C stops)`);
      if (flagOption(p, 'open')) openInBrowser(server.url);
      await interrupted(io.stop);
      await server.close();
    }
    return EXIT.ok;
  },
};

function traceFromFile(path: string, limits: { readonly maxFacts?: number }): ViewerTrace {
  const file = loadTrace(path, limits);
  return { title: basename(path), header: file.header, facts: file.facts, preemptions: preemptionsOf(file.header, file.facts) };
}

/** A built-in scenario's schedule can be re-run here to find its preemptions; a module's is code, so it is not. */
function preemptionsOf(header: TraceHeader, facts: readonly Fact[]): readonly number[] | null {
  if (header.scenario.module !== undefined) return null;
  const scenario = builtInScenarios.find((s) => s.id === header.scenario.id);
  return scenario === undefined ? null : schedulePreemptions(scenario, header, facts);
}

/** The template the build writes to dist/viewer/: beside this file when installed, under dist/ when run from src/. */
export function viewerTemplatePath(): string | null {
  const candidates = [new URL('../viewer/viewer.html', import.meta.url), new URL('../../dist/viewer/viewer.html', import.meta.url)];
  for (const url of candidates) {
    const path = fileURLToPath(url);
    if (existsSync(path)) return path;
  }
  return null;
}

function readTemplate(): string {
  const path = viewerTemplatePath();
  if (path === null) throw new CliError(EXIT.input, 'the viewer page is not built (dist/viewer/viewer.html): run npm run build');
  return readFileSync(path, 'utf8');
}

/** The system's own opener, on a file or a URL. */
function openInBrowser(path: string): void {
  const [command, args] = process.platform === 'darwin' ? ['open', [path]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', path]] : ['xdg-open', [path]];
  const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined);
  child.unref();
}
