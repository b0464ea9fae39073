/** What the fact at the cursor changed: objects added, removed, and each changed field before → after. */
import { memo } from 'preact/compat';
import type { StateDiff } from '../src/travel/diff.js';

function shown(v: unknown): string {
  return v === undefined ? '-' : JSON.stringify(v);
}

// Memoized: the background work re-renders the page a few times a second, and this part only changes with the cursor.
export const DiffPanel = memo(function DiffPanel({ diff, atStart }: { readonly diff: StateDiff | null; readonly atStart: boolean }) {
  if (diff === null) return <div class="diff muted" data-testid="diff">{atStart ? 'no change to show at the start' : '…'}</div>;
  const empty = diff.added.length + diff.removed.length + diff.changed.length + diff.violations.length === 0 && diff.time[0] === diff.time[1];
  return (
    <div class="diff" data-testid="diff">
      <h4>changed by this fact</h4>
      {empty ? <div class="muted">nothing in the state</div> : null}
      <ul>
        {diff.added.map((a) => (
          <li key={`+${a.id}`} class="added" data-diff="added" data-id={a.id}>
            + {a.id} ({a.record})
          </li>
        ))}
        {diff.removed.map((r) => (
          <li key={`-${r.id}`} class="removed" data-diff="removed" data-id={r.id}>
            − {r.id} ({r.record})
          </li>
        ))}
        {diff.changed.map((c) => (
          <li key={`~${c.id}`} data-diff="changed" data-id={c.id}>
            ~ {c.id}{' '}
            {Object.entries(c.fields)
              .map(([k, [a, b]]) => `${k}: ${shown(a)} → ${shown(b)}`)
              .join(', ')}
          </li>
        ))}
        {diff.violations.map((v) => (
          <li key={`!${v.seq}`} class="violation" data-diff="violation">
            ! {v.rule} on {v.object} (#{v.seq})
          </li>
        ))}
        {diff.time[0] === diff.time[1] ? null : (
          <li>
            time {diff.time[0]} → {diff.time[1]}
          </li>
        )}
      </ul>
    </div>
  );});
