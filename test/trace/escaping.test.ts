// Every export escapes names taken from the simulation: a file, filter or thread name may hold any
// Unicode (and a trace file may be hostile), yet each export stays one well-formed document.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  formatTrace,
  toMermaid,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_OPEN_IF,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_POSTOP_FINISHED_PROCESSING,
  IRP_MJ_CREATE,
  type Fact,
} from '../../src/index.js';
import { toChromeTrace } from '../../src/trace/perfetto.js';
import { installFilter, operations } from '../../src/testing/index.js';

// Legal in a Windows file name: ';', '#', '&', quotes, '%', brackets, any letter or emoji.
const HOSTILE_FILE = "a;b#c & 'q' [x]{y} %z% ü 🙂.txt";
// Thread and filter names are any string: line breaks, markup.
const HOSTILE_THREAD = 'app\n#999 t=0 T1 ThreadExit result=STATUS_SUCCESS\u2028</script><script>alert(1)</script>';
const HOSTILE_FILTER = 'scan;ner#1\r\n  participant EVIL as injected';

function hostileRun(): readonly Fact[] {
  const sim = createSimulation({ seed: 3 });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  installFilter(sim, {
    name: HOSTILE_FILTER,
    altitude: '320000',
    registration: { OperationRegistration: operations([IRP_MJ_CREATE], { PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK, PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING }) },
  });
  sim.run();
  sim.spawn(HOSTILE_THREAD, function* () {
    const open = yield* sim.io.NtCreateFile(`C:\\${HOSTILE_FILE}`, {
      DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE,
      CreateDisposition: FILE_OPEN_IF,
      CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT,
    });
    yield* sim.io.NtWriteFile(open.handle!, 'x', 0);
    yield* sim.io.NtClose(open.handle!);
  });
  sim.run();
  return sim.log;
}

describe('exports escape every name (hostile names)', () => {
  const facts = hostileRun();

  it('the run really carries the hostile names', () => {
    expect(facts.some((f) => f.type === 'FileObjectCreate' && f.fileName.includes(HOSTILE_FILE))).toBe(true);
    expect(facts.some((f) => f.type === 'IoComplete' && f.status === 0)).toBe(true);
    expect(facts.some((f) => f.type === 'ThreadCreate' && f.name === HOSTILE_THREAD)).toBe(true);
  });

  it('text trace: one line per fact, control characters shown as escapes', () => {
    const lines = formatTrace(facts);
    expect(lines).toHaveLength(facts.length);
    for (const line of lines) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(lines.join('\n').split('\n')).toHaveLength(facts.length);
    expect(lines.some((l) => l.includes('name="app\\n#999 t=0 T1 ThreadExit result=STATUS_SUCCESS\\u{2028}</script>'))).toBe(true);
    expect(lines.some((l) => l.includes(HOSTILE_FILE))).toBe(true);
  });

  it('Mermaid: every line is one statement of the diagram; names become entity codes', () => {
    const diagram = toMermaid(facts);
    const lines = diagram.trimEnd().split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    for (const line of lines.slice(1)) {
      expect(line).toMatch(/^ {2}(participant [A-Za-z0-9_]+ as |Note over [A-Za-z0-9_]+: |[A-Za-z0-9_]+-{1,2}>>[A-Za-z0-9_]+: )/);
      // Only the statement's own syntax may use ';', '#' or ':' raw: names are encoded.
      const text = line.replace(/^ {2}(participant [A-Za-z0-9_]+ as |Note over [A-Za-z0-9_]+: |[A-Za-z0-9_]+-{1,2}>>[A-Za-z0-9_]+: )/, '');
      expect(text.replace(/#\d+;/g, '')).not.toMatch(/[;#:<>"&\n\r\u2028]/);
    }
    expect(lines.filter((l) => l.includes('participant EVIL')).every((l) => !l.startsWith('  participant EVIL'))).toBe(true);
    expect(diagram).toContain('#60;/script#62;');
    expect(diagram).toContain('a#59;b#35;c #38; #39;q#39; [x]{y} #37;z#37; #252; #128578;.txt'); // an astral character is one entity, not two halves
  });

  it('Perfetto: one JSON document whose names read back exactly', () => {
    const json = JSON.stringify(toChromeTrace(facts));
    const parsed = JSON.parse(json) as { traceEvents: { name?: string; args?: Record<string, unknown> }[] };
    expect(json).not.toMatch(/[\u0000-\u001f]/);
    expect(parsed.traceEvents.length).toBeGreaterThan(0);
    expect(json.includes(JSON.stringify(HOSTILE_THREAD).slice(1, -1)) || json.includes(JSON.stringify(HOSTILE_FILE).slice(1, -1))).toBe(true);
  });

  it("Mermaid's own parser accepts the diagram of the hostile run", async () => {
    // Loaded by name at run time: a devDependency of this one test, and type-checking stays
    // independent of whether it is installed.
    const name = 'mermaid';
    const { default: mermaid } = (await import(name)) as { default: { parse(text: string): Promise<{ diagramType: string }> } };
    await expect(mermaid.parse(toMermaid(facts))).resolves.toMatchObject({ diagramType: 'sequence' });
    // And it is a real check: the same diagram with one raw name spliced in is refused.
    await expect(mermaid.parse(`${toMermaid(facts)}  I1->>X: a\nparticipant\n`)).rejects.toThrow();
  });

  it('a hostile object id (a damaged trace) is refused before it can become a Mermaid participant', () => {
    const forged: Fact[] = [
      { seq: 0, time: 0, object: 'T1', type: 'ThreadCreate', name: 'x', parent: null },
      { seq: 1, time: 0, object: 'A;B\nparticipant Z', type: 'VerifierViolation', rule: 'R;1', message: 'm' } as Fact,
    ];
    // The helper checks each fact against the schema first: an object id must look like one.
    expect(() => toMermaid(forged)).toThrow(
      'toMermaid: facts[1] is not a fact of the schema: object "A;B\\nparticipant Z" is not an object id (sim, or a letter and a number such as T12)',
    );
  });
});
