/**
 * Why did this fact happen? The causal chain of a fact, read off the log: the operation it belongs
 * to, the callback and thread that issued that operation, the operation whose callback that was,
 * and so on up to the root — an application thread's request, a host's action, a DriverEntry. For
 * generated I/O inside a post-create that is: the read → the scanner's FltCreateFileEx open → the
 * post-create that issued it → the application's open → the application thread.
 *
 * The chain is data (links with a relation and the seq they point at), so the CLI (`fltsim replay
 * --why`) and a viewer can print it or turn each link into a jump. Threads and callbacks come from
 * threadActivity.ts.
 */
import { factsArgument, optionalShapeArgument, shapeArgument } from '../kernel/dataArguments.js';
import { UsageError } from '../kernel/errors.js';
import type { Fact } from '../kernel/facts.js';
import { threadActivity, type ThreadActivity } from './threadActivity.js';

export type CauseRelation =
  /** The fact asked about. */
  | 'fact'
  /** The first fact of the operation or file object the previous link is about (its IoStart, its FileObjectCreate). */
  | 'object'
  /** The callback invocation during which the previous link's fact was appended. */
  | 'callback'
  /** The operation (or file object) whose callback, or whose open, the previous link is. */
  | 'operation'
  /** The creation of the thread that appended the previous link's fact, when no callback was running. */
  | 'thread';

export interface CausalLink {
  readonly relation: CauseRelation;
  readonly seq: number;
  readonly fact: Fact;
  /** The thread that appended this fact (null: outside any thread — the build, a host). */
  readonly thread: string | null;
}

/**
 * Where each object's story starts, over a whole log (or the part of it read so far): what whyFact
 * otherwise finds by reading the log up to the fact asked about. A viewer keeps one, filled as it
 * reads the trace (src/viewer/traceIndex.ts), so a why costs a few look-ups instead of a pass.
 */
export interface WhyOrigins {
  /** The seq of the first fact about `object`. */
  firstOf(object: string): number | undefined;
  /** For a file object: the seq of the IoStart of the create that opened it (the first IoStart naming it). */
  openerOf(fileObject: string): number | undefined;
}

/**
 * The causal chain of the fact at `seq`, the fact first and the root last. `activity` may be
 * passed when the caller already has it (it is one pass over the log); `buildFacts` as for
 * threadActivity; `origins` (covering the log up to `seq` at least) spares the pass that finds where
 * each object's story starts.
 */
export function whyFact(facts: readonly Fact[], seq: number, options: { readonly activity?: ThreadActivity; readonly buildFacts?: number; readonly origins?: WhyOrigins } = {}): CausalLink[] {
  factsArgument('whyFact', 'facts', facts);
  optionalShapeArgument('whyFact', 'options', options, { activity: 'object?', buildFacts: 'integer?', origins: 'object?' }, '{ activity?, buildFacts?, origins? }');
  options ??= {};
  if (options.activity !== undefined) shapeArgument('whyFact', 'options.activity', options.activity, { threadOf: 'array', callbackOf: 'object', callbacks: 'object' }, 'a ThreadActivity (threadActivity)');
  if (!Number.isSafeInteger(seq) || seq < 0 || seq >= facts.length) {
    throw new UsageError('BAD_POSITION', `no fact #${String(seq)}: the log holds facts 0 to ${facts.length - 1}`);
  }
  const activity = options.activity ?? threadActivity(facts, options.buildFacts ?? 0);
  return causalChain(facts, seq, activity, options.origins === undefined ? originsOf(facts, seq) : upTo(options.origins, seq));
}

/**
 * whyFact without its argument checks, for a caller whose facts were checked when they were read
 * (the viewer: its trace was read by `fltsim view`'s trace reader). whyFact checks every fact of
 * the log on each call, a pass over a million facts per step in the viewer — and the viewer's
 * facts past the part decoded so far are holes. Reads facts[0 … seq] only, through `origins`.
 */
export function whyFactUnchecked(facts: readonly Fact[], seq: number, activity: ThreadActivity, origins: WhyOrigins): CausalLink[] {
  return causalChain(facts, seq, activity, upTo(origins, seq));
}

function causalChain(facts: readonly Fact[], seq: number, activity: ThreadActivity, origins: Origins): CausalLink[] {
  const chain: CausalLink[] = [];
  const seen = new Set<number>();
  const add = (relation: CauseRelation, at: number): boolean => {
    if (seen.has(at)) return false;
    seen.add(at);
    chain.push({ relation, seq: at, fact: facts[at]!, thread: activity.threadOf[at] ?? null });
    return true;
  };
  add('fact', seq);
  let at = seq;
  for (;;) {
    const next = causeOf(facts, at, activity, origins);
    if (next === null || !add(next.relation, next.seq)) break;
    at = next.seq;
  }
  return chain;
}

interface Origins {
  readonly first: { get(object: string): number | undefined };
  readonly opener: { get(fileObject: string): number | undefined };
}

/** An index over more of the log, seen as the log up to `end` (what originsOf reads). */
function upTo(origins: WhyOrigins, end: number): Origins {
  const seen = (seq: number | undefined): number | undefined => (seq !== undefined && seq <= end ? seq : undefined);
  return { first: { get: (o) => seen(origins.firstOf(o)) }, opener: { get: (o) => seen(origins.openerOf(o)) } };
}

/** The first fact of each object up to `end`, and for file objects the create operation that opened them. */
function originsOf(facts: readonly Fact[], end: number): Origins {
  const first = new Map<string, number>();
  const opener = new Map<string, number>();
  for (let i = 0; i <= end; i++) {
    const f = facts[i]!;
    if (!first.has(f.object)) first.set(f.object, i);
    if (f.type === 'IoStart' && f.fileObject !== null && !opener.has(f.fileObject) && first.get(f.fileObject) !== undefined && facts[first.get(f.fileObject)!]!.type === 'FileObjectCreate') {
      opener.set(f.fileObject, i);
    }
  }
  return { first, opener };
}

function causeOf(facts: readonly Fact[], at: number, activity: ThreadActivity, origins: Origins): { relation: CauseRelation; seq: number } | null {
  const f = facts[at]!;
  // A fact that is not its object's first belongs to the object's story first (the operation, the file object).
  const first = origins.first.get(f.object);
  if (first !== undefined && first < at && hasStory(f.object)) return { relation: 'object', seq: first };
  // The first fact of a file object: the create that opened it (an IoStart right after, on the same thread).
  if (f.type === 'FileObjectCreate') {
    const opener = origins.opener.get(f.object);
    if (opener !== undefined) return { relation: 'operation', seq: opener };
  }
  // A callback invocation is part of its object's story (the operation it was called for) — unless it opened it.
  const callback = activity.callbackOf[at]!;
  if (callback >= 0) return { relation: 'callback', seq: callback };
  const thread = f.type === 'ThreadCreate' ? f.parent : activity.threadOf[at];
  if (thread !== null && thread !== undefined) {
    const created = origins.first.get(thread);
    if (created !== undefined && created !== at) return { relation: 'thread', seq: created };
  }
  return null;
}

/** Operations (callback data) and file objects: objects whose later facts all follow from their first. */
function hasStory(object: string): boolean {
  return /^[DO]\d+$/.test(object);
}
