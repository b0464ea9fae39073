// NDJSON trace files (issue 5, item 4; docs/trace-format.md): a written file reads back to the same
// log; a truncated, corrupt, hand-edited or newer-version file fails with a TraceFileError that
// names the line and the problem, and nothing is returned half-loaded.
import { describe, expect, it } from 'vitest';
import { readTraceFile, traceFileText, TRACE_FORMAT_VERSION } from '../../src/tracefile/index.js';
import { TraceFileError } from '../../src/travel/errors.js';
import { startRun } from '../../src/travel/recording.js';
import { toChromeTrace } from '../../src/trace/perfetto.js';
import { toMermaid } from '../../src/trace/mermaid.js';

const sim = startRun({ scenario: 'io-soak', args: { threads: 2, iterations: 2 }, options: { seed: 5, strategy: 'random' } });
sim.run();
const text = traceFileText(sim);
const lines = text.split('\n').slice(0, -1);

function failure(file: string): { line: number; problem: string } {
  try {
    readTraceFile(file);
  } catch (error) {
    expect(error).toBeInstanceOf(TraceFileError);
    const e = error as TraceFileError;
    return { line: e.line, problem: e.problem };
  }
  throw new Error('the file loaded');
}
const withLine = (n: number, replacement: string | null): string =>
  lines.flatMap((l, i) => (i === n - 1 ? (replacement === null ? [] : [replacement]) : [l])).join('\n') + '\n';

describe('trace files', () => {
  it('round-trip: header (format, seed, options, scenario, version, choices) and every fact, byte for byte', () => {
    const file = readTraceFile(text);
    expect(file.header).toMatchObject({ format: 'fltsim-trace', formatVersion: TRACE_FORMAT_VERSION, fltsimVersion: '0.1.0', seed: 5, scenario: { id: 'io-soak' }, choices: sim.choices, facts: sim.log.length });
    expect(JSON.stringify(file.facts)).toBe(JSON.stringify(sim.log));
    expect(JSON.stringify(file.timeline.stateAt(file.facts.length))).toBe(JSON.stringify(sim.state()));
    expect(text.length / sim.log.length).toBeLessThan(120); // bytes per fact (issue 5 bench target)
  });

  it('a truncated file names its last line', () => {
    expect(failure(text.slice(0, text.length - 20))).toEqual({ line: lines.length, problem: 'truncated: the last line has no newline (the file was cut short)' });
    expect(failure(lines.slice(0, 30).join('\n') + '\n').problem).toBe(`truncated: the header announces ${sim.log.length} facts, the file holds 29`);
  });

  it('a corrupt line, a seq gap, and a fact the machine rejects are each named by line', () => {
    expect(failure(withLine(10, '{"seq":8,"time":0,'))).toMatchObject({ line: 10, problem: expect.stringMatching(/^not JSON/) });
    expect(failure(withLine(10, null))).toEqual({ line: 10, problem: 'seq 9 out of order, expected 8' });
    // Hand-edited: an operation completes before it was dispatched to the file system.
    const start = sim.log.find((f) => f.type === 'IoStart')!;
    const { seq, time, object } = sim.log[start.seq + 1]!;
    const edited = { seq, time, object, type: 'FsComplete', status: 0, information: 0 };
    const r = failure(withLine(start.seq + 3, JSON.stringify(edited)));
    expect(r.line).toBe(start.seq + 3);
    expect(r.problem).toMatch(/does not accept FsComplete|FsComplete on D/);
  });

  it('a newer format or fltsim version is refused at line 1; so is a file that is not a trace', () => {
    const header = JSON.parse(lines[0]!);
    expect(failure(withLine(1, JSON.stringify({ ...header, formatVersion: 99 })))).toMatchObject({ line: 1, problem: expect.stringContaining('trace format version 99 is newer') });
    expect(failure(withLine(1, JSON.stringify({ ...header, fltsimVersion: '9.0.0' })))).toMatchObject({ line: 1, problem: expect.stringContaining('written by fltsim 9.0.0') });
    expect(failure('{"hello":1}\n')).toMatchObject({ line: 1 });
    expect(failure('')).toEqual({ line: 0, problem: 'the file is empty' });
  });

  it('an edit the machines accept still fails: the digest in the header no longer matches', () => {
    const thread = sim.log.find((f) => f.type === 'ThreadCreate')!;
    expect(failure(withLine(thread.seq + 2, JSON.stringify({ ...thread, name: 'renamed' }))).problem).toMatch(/do not match the header's digest/);
  });
});

describe('exports', () => {
  it('Perfetto: a named track per volume, instance and operation, pre/post spans, and every span well-formed', () => {
    const trace = toChromeTrace(sim.log);
    const names = trace.traceEvents.filter((e) => e.name === 'thread_name').map((e) => String(e.args?.['name']));
    expect(names).toEqual(expect.arrayContaining(['V1(C:)', 'I1(scanner@328000 on C:)', 'I2(monitor@385100 on C:)', 'D1(CREATE \\file1.txt)']));
    expect(trace.traceEvents.some((e) => e.ph === 'X' && e.name === 'pre I2:monitor@385100 on C:')).toBe(true);
    for (const e of trace.traceEvents.filter((x) => x.ph === 'X')) expect(e.dur).toBeGreaterThan(0);
  });

  it('Mermaid: a sequence diagram following an operation down the stack and back', () => {
    const diagram = toMermaid(sim.log).split('\n');
    expect(diagram[0]).toBe('sequenceDiagram');
    // The first operation the filters see (the one before them ran before automatic attachment).
    const op = sim.log.find((f) => f.type === 'PreOperation')!;
    const start = sim.log.find((f) => f.type === 'IoStart' && f.object === op.object) as { thread: string; object: string };
    const lines = diagram.filter((l) => l.includes(`: ${op.object} `));
    expect(lines.slice(1, 4)).toEqual([`  ${start.thread}->>I2: ${op.object} pre WRITE`, `  I2->>I1: ${op.object} pre WRITE`, `  I1->>FS_V1: ${op.object} WRITE`]);
    expect(lines.at(-1)).toBe(`  I2-->>${start.thread}: ${op.object} complete STATUS_SUCCESS`);
  });
});

describe('the header fields time travel added (issue 13), checked with the rest of the header', () => {
  it('a malformed scenario.module, built or violation is a line-1 error, not a crash later', async () => {
    const { readTraceFile, startRun } = await import('../../src/index.js');
    const { traceFileText } = await import('../../src/tracefile/writer.js');
    const sim = startRun({ scenario: 'race-free-before-callback', options: { seed: 1 } });
    sim.run();
    const [head, ...rest] = traceFileText(sim, { violation: { kind: 'verifier', name: 'X', seq: 3, message: 'm' } }).split('\n');
    const header = JSON.parse(head!) as Record<string, unknown>;
    expect(readTraceFile([JSON.stringify(header), ...rest].join('\n')).header.violation).toEqual({ kind: 'verifier', name: 'X', seq: 3, message: 'm' });
    const bad = [
      { ...header, violation: { kind: 'verifier', name: 'X', seq: 1e9, message: 'm' } },
      { ...header, built: -1 },
      { ...header, scenario: { ...(header['scenario'] as object), module: { path: 1, sha256: 'x' } } },
    ];
    for (const h of bad) expect(() => readTraceFile([JSON.stringify(h), ...rest].join('\n'))).toThrow(/^trace file line 1: the header's (violation|built|scenario\.module)/);
  });
});
