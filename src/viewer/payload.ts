/**
 * What `fltsim view` embeds in the viewer's HTML: the trace (its header, when it came from a trace
 * file or a run, and its facts), and for an exploration report the shrunk schedule's trace beside
 * the original.
 *
 * A trace is untrusted input (docs/security.md): a file or thread name may hold `</script>`. The
 * payload goes into `<script type="application/json">` data blocks (never executed, so the page's
 * Content-Security-Policy need not allow them), and every `<`, `>` and `&` in their JSON is written
 * as a `\u003c`-style escape, so nothing in it can close a block or open markup; the page reads it
 * back with JSON.parse and renders every name as text.
 *
 * One block holds the titles, headers and lengths and how many facts a block holds (FACTS_PER_BLOCK
 * unless `fltsim view --facts-per-block` says otherwise); the facts follow in blocks of that many,
 * which the page decodes only as its cursor or its background fold reaches them: a million facts
 * are 100 MB of JSON, and decoding them all before the first picture cost most of its wait. `fltsim
 * view` writes each block gzipped and in base64 (a tenth of the size: the browser reads and parses
 * the file that much sooner); the page inflates a block with the browser's own DecompressionStream.
 * The head is checked like the rest of the page's data: a page may come from anyone.
 */
import type { Fact } from '../kernel/facts.js';
import { UsageError } from '../kernel/errors.js';
import type { TraceHeader } from '../tracefile/header.js';

/** One trace as the viewer shows it. */
export interface ViewerTrace {
  /** What the page calls it: the trace file's name or the scenario's id. */
  readonly title: string;
  /** The trace file's header (seed, choices, the violation it was written for), or null. */
  readonly header: TraceHeader | null;
  readonly facts: readonly Fact[];
  /**
   * Seqs of the Choice facts that preempt a thread that could still run (as the explorer's
   * shrinker counts them), or null when they are not known (the trace's scenario could not be
   * re-run, or the trace was not scheduled by choices).
   */
  readonly preemptions: readonly number[] | null;
  /** On the page: the facts are decoded a block at a time into `facts` (absent: they are all there). */
  readonly lazy?: LazyFacts;
}

/** The facts of an embedded trace, decoded on demand: `facts` holds the first `decoded` of them. */
export interface LazyFacts {
  readonly decoded: number;
  /** Decode blocks until at least `count` facts (or all of them) are in `facts`; calls queue behind each other. */
  decodeTo(count: number): Promise<void>;
  /** The seq of the trace's first VerifierViolation, found when the page was written (the page opens there). */
  readonly firstViolation: number | null;
}

export interface ViewerPayload {
  readonly main: ViewerTrace;
  /** The shrunk schedule of an exploration (or any second trace) shown beside the main one. */
  readonly beside: ViewerTrace | null;
}

/** The one place in the template where the payload's data blocks go. */
export const PAYLOAD_PLACEHOLDER = '<!--FLTSIM-PAYLOAD-->';
/** The id of the data block with the titles, headers and lengths. */
export const PAYLOAD_ELEMENT_ID = 'fltsim-payload';
/** Facts per data block unless the writer asks for another size: about 2 MB of JSON, a few milliseconds to decode. */
export const FACTS_PER_BLOCK = 20_000;
/** The most facts a trace (and so a block) may hold on the page: the trace reader's own ceiling. */
export const MAX_VIEWER_FACTS = 50_000_000;

/** The id of block `k` of a trace's facts. */
export function factsBlockId(which: 'main' | 'beside', k: number): string {
  return `fltsim-facts-${which}-${k}`;
}

/** How the facts' blocks are written: JSON as it is, or gzipped JSON in base64 (see viewerHtml). */
export type BlockEncoding = 'json' | 'gzip-base64';

/** What the payload block says of one trace; its facts are in blocks of their own. */
interface TraceHead {
  readonly title: string;
  readonly header: TraceHeader | null;
  readonly preemptions: readonly number[] | null;
  readonly length: number;
  readonly firstViolation: number | null;
}

function headOf(trace: ViewerTrace): TraceHead {
  const firstViolation = trace.facts.findIndex((f) => f.type === 'VerifierViolation');
  return { title: trace.title, header: trace.header, preemptions: trace.preemptions, length: trace.facts.length, firstViolation: firstViolation < 0 ? null : firstViolation };
}

function dataBlock(id: string, json: string): string {
  return `<script type="application/json" id="${id}">${json}</script>`;
}

const UNSAFE_IN_HTML = /[<>&\u2028\u2029]/g;

/** JSON that stays inert inside an HTML data block: still valid JSON, and JSON.parse gives back the same value. */
export function inertJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE_IN_HTML, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Whether `n` can be the facts per block of a page: a whole number from 1 to MAX_VIEWER_FACTS. */
function isBlockSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 1 && n <= MAX_VIEWER_FACTS;
}

/**
 * The viewer's HTML: the template (dist/viewer/viewer.html) with the payload's data blocks in it.
 * `gzipBase64` (Node's zlib, passed by the CLI: this module also runs in the page) compresses the
 * facts' blocks; without it they are plain JSON. `factsPerBlock` (default FACTS_PER_BLOCK) is how
 * many facts each block holds; the head records it for the page.
 */
export function viewerHtml(template: string, payload: ViewerPayload, gzipBase64?: (json: string) => string, factsPerBlock: number = FACTS_PER_BLOCK): string {
  const at = template.indexOf(PAYLOAD_PLACEHOLDER);
  if (at < 0 || template.lastIndexOf(PAYLOAD_PLACEHOLDER) !== at) {
    throw new UsageError('BAD_VIEWER_TEMPLATE', 'the viewer template must hold the payload placeholder exactly once (rebuild it: npm run build)');
  }
  if (!isBlockSize(factsPerBlock)) throw new UsageError('BAD_ARGUMENT', `factsPerBlock must be a whole number from 1 to ${MAX_VIEWER_FACTS}, got ${String(factsPerBlock)}`);
  const encoding: BlockEncoding = gzipBase64 === undefined ? 'json' : 'gzip-base64';
  const blocks = [dataBlock(PAYLOAD_ELEMENT_ID, inertJson({ encoding, factsPerBlock, main: headOf(payload.main), beside: payload.beside === null ? null : headOf(payload.beside) }))];
  for (const which of ['main', 'beside'] as const) {
    const facts = payload[which]?.facts ?? [];
    for (let k = 0; k * factsPerBlock < facts.length; k++) {
      const json = inertJson(facts.slice(k * factsPerBlock, (k + 1) * factsPerBlock));
      // base64 holds no <, > or &: inert too.
      blocks.push(dataBlock(factsBlockId(which, k), gzipBase64 === undefined ? json : gzipBase64(json)));
    }
  }
  // Concatenation, not String.replace: a `$&` in a file name must stay text.
  return template.slice(0, at) + blocks.join('\n') + template.slice(at + PAYLOAD_PLACEHOLDER.length);
}

/**
 * The page's side of viewerHtml: the payload, its facts decoded a block at a time as the viewer asks
 * (`lazy.decodeTo`). `textOf` reads a data block by id (null if absent); `release` lets the page drop
 * a block once decoded.
 */
export function embeddedPayload(textOf: (id: string) => string | null, release: (id: string) => void = () => undefined): ViewerPayload | null {
  const text = textOf(PAYLOAD_ELEMENT_ID);
  if (text === null) return null;
  const heads = JSON.parse(text) as { readonly encoding: BlockEncoding; readonly factsPerBlock: unknown; readonly main: TraceHead; readonly beside: TraceHead | null };
  const decodeBlock = heads.encoding === 'gzip-base64' ? gunzipBase64 : (block: string) => Promise.resolve(block);
  const perBlock = heads.factsPerBlock;
  // A size of 0 (or a fraction, or none) would never reach the end of the facts, or read blocks that are not there.
  if (!isBlockSize(perBlock)) throw new UsageError('BAD_VIEWER_PAYLOAD', `the page's payload gives ${perBlock === undefined ? 'no number of' : String(perBlock).slice(0, 40)} facts per block`);
  const trace = (which: 'main' | 'beside', head: TraceHead): ViewerTrace => {
    if (!Number.isSafeInteger(head.length) || head.length < 0 || head.length > MAX_VIEWER_FACTS) throw new UsageError('BAD_VIEWER_PAYLOAD', `the page's payload gives ${which} a length of ${String(head.length)} facts`);
    const facts: Fact[] = new Array<Fact>(head.length);
    let decoded = 0;
    const decodeTo = async (count: number): Promise<void> => {
      while (decoded < Math.min(count, head.length)) {
        const id = factsBlockId(which, decoded / perBlock);
        const block = textOf(id);
        const part = block === null ? null : (JSON.parse(await decodeBlock(block)) as unknown);
        if (!Array.isArray(part) || part.length !== Math.min(perBlock, head.length - decoded)) throw new UsageError('BAD_VIEWER_PAYLOAD', `the page's data block ${id} is missing or damaged`);
        for (let i = 0; i < part.length; i++) facts[decoded + i] = part[i] as Fact;
        decoded += part.length;
        release(id);
      }
    };
    // One decode at a time: the first picture's and the background fold's must not decode a block twice.
    let queue: Promise<void> = Promise.resolve();
    const lazy: LazyFacts = {
      get decoded() {
        return decoded;
      },
      decodeTo(count) {
        queue = queue.then(() => decodeTo(count));
        return queue;
      },
      firstViolation: head.firstViolation,
    };
    return { title: head.title, header: head.header, preemptions: head.preemptions, facts, lazy };
  };
  return { main: trace('main', heads.main), beside: heads.beside === null ? null : trace('beside', heads.beside) };
}

/** A block `fltsim view` gzipped and wrote in base64, back to its JSON (the browser's and Node's DecompressionStream). */
async function gunzipBase64(block: string): Promise<string> {
  const binary = atob(block);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}
