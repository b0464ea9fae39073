/**
 * The state of every object, and what one step changed, as lines a person reads (`fltsim replay
 * --at`). Generic over the records of SimState, so objects that later facilities add (contexts,
 * ports, locks) are listed without changes here: one line per object, `id field=value …`, with
 * machine states as their XState value.
 */
import { shapeArgument, type Shape } from '../kernel/dataArguments.js';
import { simStateArgument } from '../projection/stateArguments.js';
import type { SimState } from '../projection/simState.js';
import type { StateDiff } from '../travel/diff.js';

function value(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'string') return /^[\w.:\\-]*$/.test(v) && v !== '' ? v : JSON.stringify(v);
  return JSON.stringify(v);
}

function fields(view: object): string {
  return Object.entries(view)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
}

const DIFF_SHAPE: Shape = { time: 'array', added: 'array', removed: 'array', changed: 'array', violations: 'array' };

/** Every object of every record (threads, filters, volumes, instances, file objects, operations, …), one line each. */
export function formatObjects(state: SimState): string[] {
  simStateArgument('formatObjects', 'state', state);
  const lines: string[] = [];
  for (const [record, content] of Object.entries(state)) {
    if (typeof content !== 'object' || content === null || Array.isArray(content)) continue;
    const entries = Object.entries(content as Record<string, unknown>).filter(([, v]) => typeof v === 'object' && v !== null);
    if (entries.length === 0) continue;
    lines.push(`${record}:`);
    for (const [id, view] of entries) lines.push(`  ${id} ${fields(view as object)}`);
  }
  if (state.violations.length > 0) {
    lines.push('violations:');
    for (const v of state.violations) lines.push(`  #${v.seq} ${v.rule} on ${v.object}`);
  }
  return lines;
}

/** What changed between two states: `+` added, `-` removed, `~` changed with before → after. */
export function formatDiff(diff: StateDiff): string[] {
  shapeArgument('formatDiff', 'diff', diff, DIFF_SHAPE, 'a StateDiff (diffStates)');
  const lines: string[] = [];
  for (const a of diff.added) lines.push(`  + ${a.id} (${a.record})`);
  for (const r of diff.removed) lines.push(`  - ${r.id} (${r.record})`);
  for (const c of diff.changed) {
    lines.push(`  ~ ${c.id} ${Object.entries(c.fields).map(([k, [before, after]]) => `${k}: ${value(before)} → ${value(after)}`).join(', ')}`);
  }
  for (const v of diff.violations) lines.push(`  ! violation ${v.rule} on ${v.object} (#${v.seq})`);
  if (diff.time[0] !== diff.time[1]) lines.push(`  ~ time: ${diff.time[0]} → ${diff.time[1]}`);
  return lines.length === 0 ? ['  (nothing)'] : lines;
}
