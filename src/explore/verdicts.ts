/**
 * Verdicts of the §14 checkers by log, shared by the schedules of one exploration. Many schedules
 * of a small scenario produce the same log (1,000 random schedules of race-free-before-callback
 * give about 150 distinct ones), and the checkers are pure functions of the facts, so a log seen
 * before needs no checker run.
 *
 * A log is found by its outline (a number folded from its length and its scheduler Choice facts)
 * and then compared with the remembered log fact by fact, field by field, in the same key order: a
 * hit is a log whose JSON text would be the same, so no hash collision can hand out a wrong
 * verdict. Building the whole log's JSON text as the key instead cost about three times the
 * comparison (measured on the smallest race) and a tenth of each schedule. The comparison leaves
 * out the seed in SimulationStart, the only field that differs between equal schedules of
 * different seeds; no checker reads it. Bounded so a long run of distinct logs cannot grow it
 * without end.
 */
import type { Fact } from '../kernel/facts.js';
import { idleLivenessViolation, invariantViolation } from './check.js';
import type { ExplorationViolation } from './types.js';

interface Remembered {
  /** The log's length. */
  readonly length: number;
  /** Each remembered fact's keys in order (one array shared by every fact of that key list): read once, when remembered. */
  readonly keys: readonly (readonly string[])[];
  /**
   * Each remembered fact's values, in its keys' order: compared by index, where reading them off
   * the remembered fact by key was a look-up in V8's cache for objects of many shapes per field.
   */
  readonly values: readonly (readonly unknown[])[];
  readonly verdict: ExplorationViolation | null;
  /** What an idle run with this log still owes (idleLivenessViolation), once asked. */
  idle?: ExplorationViolation | null;
}

/** Facts remembered in all (beside the count of logs): a few large logs cannot hold on to unbounded memory. */
const MAX_REMEMBERED_FACTS = 2_000_000;

export class InvariantVerdicts {
  private readonly verdicts = new Map<number, Remembered[]>();
  private logs = 0;
  private facts = 0;
  /** The log `check` was last given (the array itself) and its entry, for `idleLiveness` on the same log. */
  private lastLog: readonly Fact[] | null = null;
  private lastEntry: Remembered | null = null;
  constructor(private readonly capacity = 4096) {}

  /** The earliest §14 violation over the log (invariantViolation), remembered. */
  check(facts: readonly Fact[]): ExplorationViolation | null {
    this.lastLog = facts;
    const key = outline(facts);
    const known = this.verdicts.get(key);
    if (known !== undefined) {
      for (const entry of known) {
        if (sameLog(entry, facts)) {
          this.lastEntry = entry;
          return entry.verdict;
        }
      }
    }
    const verdict = invariantViolation(facts);
    this.lastEntry = null;
    if (this.logs < this.capacity && this.facts + facts.length <= MAX_REMEMBERED_FACTS) {
      const entry: Remembered = { length: facts.length, ...this.fieldsOf(facts), verdict };
      if (known === undefined) this.verdicts.set(key, [entry]);
      else known.push(entry);
      this.logs++;
      this.facts += facts.length;
      this.lastEntry = entry;
    }
    return verdict;
  }

  /** Key lists interned by fact type: most facts share the key list of every other fact of their type. */
  private readonly keyLists = new Map<string, (readonly string[])[]>();

  /** Each fact's keys (interned) and values, in order. */
  private fieldsOf(facts: readonly Fact[]): Pick<Remembered, 'keys' | 'values'> {
    const keys: (readonly string[])[] = [];
    const values: unknown[][] = [];
    for (const fact of facts) {
      keys.push(this.interned(fact.type, Object.keys(fact)));
      values.push(Object.values(fact));
    }
    return { keys, values };
  }

  private interned(type: string, keys: string[]): readonly string[] {
    let lists = this.keyLists.get(type);
    if (lists === undefined) this.keyLists.set(type, (lists = []));
    next: for (const list of lists) {
      if (list.length !== keys.length) continue;
      for (let i = 0; i < keys.length; i++) if (list[i] !== keys[i]) continue next;
      return list;
    }
    lists.push(keys);
    return keys;
  }

  /**
   * What an idle run still owes (idleLivenessViolation): remembered beside the §14 verdict when
   * `facts` is the very log `check` was last given and nothing was appended since, else computed.
   */
  idleLiveness(facts: readonly Fact[]): ExplorationViolation | null {
    const entry = this.lastEntry;
    if (entry === null || facts !== this.lastLog || facts.length !== entry.length) return idleLivenessViolation(facts);
    if (entry.idle === undefined) entry.idle = idleLivenessViolation(facts);
    return entry.idle;
  }
}

/**
 * The log's length and the thread each scheduler choice picked, of how many, folded into a number
 * (FNV-1a): equal logs have equal outlines. Only a bucket: a hit is still decided by `sameLog`, so
 * two logs sharing an outline cost a comparison, never a wrong verdict. A number, not the text of
 * the choices: building that string was an allocation per choice of every schedule.
 */
function outline(facts: readonly Fact[]): number {
  let h = mix(0x811c9dc5, facts.length);
  for (let i = 0; i < facts.length; i++) {
    const f = facts[i]!;
    if (f.type !== 'Choice') continue;
    const task = f.task;
    for (let c = 0; c < task.length; c++) h = mix(h, task.charCodeAt(c));
    h = mix(mix(h, 0x2f), f.of);
  }
  // Within V8's small integers: a Map keyed by a larger number hashes a boxed one.
  return h & 0x3fffffff;
}

function mix(h: number, value: number): number {
  return Math.imul(h ^ value, 0x01000193) >>> 0;
}

/**
 * The remembered log's facts against the new log's, each new fact's keys walked once against the
 * remembered key list and its values against the remembered values: reading the remembered fact's
 * keys again on every hit was a third of the comparison.
 */
function sameLog(entry: Remembered, b: readonly Fact[]): boolean {
  if (entry.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) {
    if (!sameFact(entry.keys[i]!, entry.values[i]!, b[i] as unknown as Record<string, unknown>, i === 0 ? 'seed' : null)) return false;
  }
  return true;
}

/** sameRecord for a remembered fact whose keys and values are known. */
function sameFact(keys: readonly string[], values: readonly unknown[], b: Record<string, unknown>, skip: string | null): boolean {
  let i = 0;
  for (const k in b) {
    if (i === keys.length || k !== keys[i]) return false;
    if (k !== skip && !sameValue(values[i], b[k], 1)) return false;
    i++;
  }
  return i === keys.length;
}

/**
 * One array of keys per nesting depth, reused: `Object.keys` on both sides of every record was
 * the largest allocation of a schedule (7% of its bytes), and for-in over a plain object walks
 * its own keys in the order Object.keys and JSON.stringify give, without allocating.
 */
const keysAtDepth: string[][] = [];

/** Same keys in the same order with the same values (JSON-valued facts), leaving out the key `skip`. */
function sameRecord(a: Record<string, unknown>, b: Record<string, unknown>, skip: string | null, depth: number): boolean {
  const keys = (keysAtDepth[depth] ??= []);
  let n = 0;
  for (const k in a) keys[n++] = k;
  let i = 0;
  for (const k in b) {
    if (i === n || k !== keys[i]) return false;
    if (k !== skip && !sameValue(a[k], b[k], depth + 1)) return false;
    i++;
  }
  return i === n;
}

function sameValue(x: unknown, y: unknown, depth: number): boolean {
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  if (Array.isArray(x)) {
    if (!Array.isArray(y) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!sameValue(x[i], y[i], depth)) return false;
    return true;
  }
  if (Array.isArray(y)) return false;
  return sameRecord(x as Record<string, unknown>, y as Record<string, unknown>, null, depth);
}
