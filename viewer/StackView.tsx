/**
 * The stack at the cursor, as `!fltkd` would show it: per volume its levels top to bottom (frames
 * with their instances by altitude, legacy filters between them, the file system), each with the
 * operations in its pre-op, pended there, below it, or in its post-op, and the contexts each instance
 * set; then the file objects, the threads (and a deadlock's wait-for cycle) and every other object
 * with a lifecycle. Objects the fact at the cursor changed are
 * highlighted. Every name is rendered as text (Preact escapes it).
 */
import { memo } from 'preact/compat';
import type { FrameBand, OperationAtLevel, StackLevel, StackPicture } from '../src/viewer/stackModel.js';

interface Props {
  readonly picture: StackPicture;
  readonly changed: ReadonlySet<string>;
  readonly selectedOperation: string | null;
  readonly selectedThread: string | null;
  readonly onSelectOperation: (id: string) => void;
  readonly onSelectThread: (id: string) => void;
}

/** A frame's band (§6): its index and altitude interval, and how many instances it holds on this volume. */
function frameBand(f: FrameBand) {
  return (
    <div key={`frame${f.index}`} class="frame" data-frame={f.index} data-frame-low={f.low} data-frame-high={f.high ?? ''}>
      frame {f.index} · altitudes {f.low} to {f.high === null ? '∞' : `below ${f.high}`}
      {f.instances === 0 ? ' · no instance' : ''}
    </div>
  );
}

const PHASES: readonly { readonly phase: OperationAtLevel['phase']; readonly title: string }[] = [
  { phase: 'pre', title: 'pre' },
  { phase: 'prePended', title: 'pended (pre)' },
  { phase: 'below', title: 'below' },
  { phase: 'post', title: 'post' },
  { phase: 'postPended', title: 'pended (post)' },
];

// Memoized: the background work re-renders the page a few times a second, and this part only changes with the cursor.
export const StackView = memo(function StackView({ picture, changed, selectedOperation, selectedThread, onSelectOperation, onSelectThread }: Props) {
  const mark = (id: string, extra = ''): string => `${extra}${changed.has(id) ? ' changed' : ''}`;
  const op = (o: OperationAtLevel) => (
    <button key={o.id} class={mark(o.id, `op phase-${o.phase}${o.id === selectedOperation ? ' selected' : ''}`)} data-op={o.id} data-phase={o.phase} data-state={o.state} title={`${o.state} on ${o.thread ?? 'no thread'}`} onClick={() => onSelectOperation(o.id)}>
      {o.id} {o.label}
    </button>
  );
  const level = (l: StackLevel) => (
    <div key={l.id} class={mark(l.id, `level level-${l.kind}`)} data-level={l.id} data-kind={l.kind} data-altitude={l.altitude ?? ''}>
      <div class="level-name">
        {l.kind === 'fileSystem' ? '' : `${l.id} `}
        {l.name}
        {l.altitude === null ? '' : ` @ ${l.altitude}`}
        {l.state === null ? '' : <span class="state"> {l.state}</span>}
        {l.kind === 'legacy' && l.aboveFrame !== null ? <span class="muted">{l.aboveFrame < 0 ? ' (legacy, below every frame)' : ` (legacy, above frame ${l.aboveFrame})`}</span> : ''}
      </div>
      {l.contexts.length === 0 ? null : (
        <div class="level-contexts" data-contexts={l.id}>
          contexts: {l.contexts.join(' · ')}
        </div>
      )}
      <div class="level-ops">
        {PHASES.map(({ phase, title }) => {
          const ops = l.operations.filter((o) => o.phase === phase);
          return ops.length === 0 ? null : (
            <span key={phase} class="phase">
              <span class="phase-title">{title}:</span> {ops.map(op)}
            </span>
          );
        })}
      </div>
    </div>
  );
  return (
    <div class="stack" data-testid="stack">
      {picture.volumes.length === 0 ? <p class="muted">no volume mounted yet</p> : null}
      {picture.volumes.map((v) => (
        <div key={v.id} class={mark(v.id, 'volume')} data-volume={v.id} data-state={v.state}>
          <h3>
            {v.id} {v.name} ({v.fsType}, <span class="state">{v.state}</span>)
          </h3>
          {v.contexts.length === 0 ? null : <div class="level-contexts">volume contexts: {v.contexts.join(' · ')}</div>}
          {v.rows.map((row) => (row.kind === 'frame' ? frameBand(row.frame) : level(row.level)))}
          {v.idle.length === 0 ? null : <div class="idle">not at a level: {v.idle.map(op)}</div>}
        </div>
      ))}
      <h4>file objects ({picture.fileObjects.length})</h4>
      <table class="objects" data-testid="file-objects">
        <tbody>
          {picture.fileObjects.map((f) => (
            <tr key={f.id} class={mark(f.id)} data-file-object={f.id} data-state={f.state}>
              <td>{f.id}</td>
              <td class="path">{f.fileName === '' ? '<volume>' : f.fileName}</td>
              <td class="state">{f.state}</td>
              <td>{f.handles.length === 0 ? '' : `handles ${f.handles.join(', ')}`}</td>
              <td>{f.currentByteOffset === 0 ? '' : `offset ${f.currentByteOffset}`}</td>
              <td class="file-contexts" data-file-contexts={f.id}>
                {f.contexts.join(' · ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h4>
        threads ({picture.threads.length}
        {picture.exitedThreads === 0 ? '' : `, ${picture.exitedThreads} exited`})
      </h4>
      <table class="objects" data-testid="threads">
        <tbody>
          {picture.threads.map((t) => (
            <tr key={t.id} class={mark(t.id, t.id === selectedThread ? 'selected' : '')} data-thread={t.id} data-state={t.state} onClick={() => onSelectThread(t.id)}>
              <td>{t.id}</td>
              <td>{t.name}</td>
              <td class="state">{t.state}</td>
              <td>{t.waiting === null ? (t.running ?? '') : `waits on ${t.waiting}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {picture.waitCycles.length === 0 ? null : (
        <div class="deadlock" data-testid="wait-cycles">
          {picture.waitCycles.map((cycle, i) => (
            <p key={i}>
              <strong>deadlock:</strong> {cycle.join('; ')}
            </p>
          ))}
        </div>
      )}
      {picture.others.length === 0 ? null : (
        <>
          <h4>locks, events, contexts, ports, queues and other objects ({picture.others.length})</h4>
          <table class="objects" data-testid="others">
            <tbody>
              {picture.others.map((o) => (
                <tr key={o.id} class={mark(o.id)} data-object={o.id} data-record={o.record} data-state={o.state}>
                  <td>{o.id}</td>
                  <td class="state">{o.state}</td>
                  <td>{o.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );});
