/** What changed between two states: objects added, removed, and the fields that differ. */
import { simStateArgument } from '../projection/stateArguments.js';
import type { SimState, ViolationView } from '../projection/simState.js';
import { RECORD_OF_PREFIX, type RecordName } from './foldEngine.js';

export interface ObjectRef {
  readonly record: RecordName;
  readonly id: string;
}

export interface ObjectChange extends ObjectRef {
  /** Field → [before, after], for every field whose JSON differs. */
  readonly fields: Readonly<Record<string, readonly [unknown, unknown]>>;
}

export interface StateDiff {
  readonly from: number;
  readonly to: number;
  readonly time: readonly [number, number];
  readonly added: readonly ObjectRef[];
  readonly removed: readonly ObjectRef[];
  readonly changed: readonly ObjectChange[];
  /** Violations in `to` that `from` does not have. */
  readonly violations: readonly ViolationView[];
}

const RECORDS = [...new Set(Object.values(RECORD_OF_PREFIX))];

export function diffStates(a: SimState, b: SimState): StateDiff {
  simStateArgument('diffStates', 'a', a);
  simStateArgument('diffStates', 'b', b);
  const added: ObjectRef[] = [];
  const removed: ObjectRef[] = [];
  const changed: ObjectChange[] = [];
  for (const record of RECORDS) {
    const before = a[record] as Readonly<Record<string, object>>;
    const after = b[record] as Readonly<Record<string, object>>;
    for (const id of Object.keys(before)) if (!(id in after)) removed.push({ record, id });
    for (const [id, view] of Object.entries(after)) {
      const old = before[id];
      if (old === undefined) {
        added.push({ record, id });
        continue;
      }
      if (old === view) continue; // shared version: unchanged
      const fields: Record<string, readonly [unknown, unknown]> = {};
      for (const key of new Set([...Object.keys(old), ...Object.keys(view)])) {
        const x = (old as Record<string, unknown>)[key];
        const y = (view as Record<string, unknown>)[key];
        if (JSON.stringify(x) !== JSON.stringify(y)) fields[key] = [x, y];
      }
      if (Object.keys(fields).length > 0) changed.push({ record, id, fields });
    }
  }
  const seen = new Set(a.violations.map((v) => `${v.seq}`));
  return { from: a.seq, to: b.seq, time: [a.time, b.time], added, removed, changed, violations: b.violations.filter((v) => !seen.has(`${v.seq}`)) };
}
