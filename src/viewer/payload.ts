/**
 * What `fltsim view` embeds in the viewer's HTML: the trace (its header, when it came from a trace
 * file or a run, and its facts), and for an exploration report the shrunk schedule's trace beside
 * the original.
 *
 * A trace is untrusted input (docs/security.md): a file or thread name may hold `</script>`. The
 * payload goes into a `<script type="application/json">` data block (never executed, so the page's
 * Content-Security-Policy need not allow it), and every `<`, `>` and `&` in its JSON is written as a
 * `\u003c`-style escape, so nothing in it can close the block or open markup; the page reads it back
 * with JSON.parse and renders every name as text.
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
}

export interface ViewerPayload {
  readonly main: ViewerTrace;
  /** The shrunk schedule of an exploration (or any second trace) shown beside the main one. */
  readonly beside: ViewerTrace | null;
}

/** The one place in the template where the payload goes, inside its data block. */
export const PAYLOAD_PLACEHOLDER = '<!--FLTSIM-PAYLOAD-->';
/** The id of the data block the page reads. */
export const PAYLOAD_ELEMENT_ID = 'fltsim-payload';

const UNSAFE_IN_HTML = /[<>&\u2028\u2029]/g;

/** JSON that stays inert inside an HTML data block: still valid JSON, and JSON.parse gives back the same value. */
export function inertJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE_IN_HTML, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The viewer's HTML: the template (dist/viewer/viewer.html) with the payload in its data block. */
export function viewerHtml(template: string, payload: ViewerPayload): string {
  const at = template.indexOf(PAYLOAD_PLACEHOLDER);
  if (at < 0 || template.lastIndexOf(PAYLOAD_PLACEHOLDER) !== at) {
    throw new UsageError('BAD_VIEWER_TEMPLATE', 'the viewer template must hold the payload placeholder exactly once (rebuild it: npm run build)');
  }
  // Concatenation, not String.replace: a `$&` in a file name must stay text.
  return template.slice(0, at) + inertJson(payload) + template.slice(at + PAYLOAD_PLACEHOLDER.length);
}
