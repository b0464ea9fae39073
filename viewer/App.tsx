/**
 * The viewer: a trace (or an exploration's original and shrunk schedules) with a cursor. The App
 * holds which trace is shown; TraceView holds the cursor and the selection, and lays out the
 * scrubber, the stack at the cursor, the diff, the why chain and the event list.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ViewerPayload } from '../src/viewer/payload.js';
import { ViewerModel } from '../src/viewer/viewerModel.js';
import { ExplorationPanel } from './ExplorationPanel.js';
import { TraceView } from './TraceView.js';

export function App({ payload }: { readonly payload: ViewerPayload }) {
  const models = useMemo(() => ({ main: new ViewerModel(payload.main), beside: payload.beside === null ? null : new ViewerModel(payload.beside) }), [payload]);
  const [view, setView] = useState<{ readonly shown: 'main' | 'beside'; readonly start: number | null; readonly visit: number }>({ shown: 'main', start: null, visit: 0 });
  const shown = view.shown;
  const show = (which: 'main' | 'beside', start?: number): void => setView({ shown: which, start: start ?? null, visit: view.visit + 1 });
  const model = shown === 'beside' && models.beside !== null ? models.beside : models.main;
  useEffect(() => {
    // For the browser test and the bench: when the first picture is on screen.
    requestAnimationFrame(() => {
      const w = window as unknown as { fltsimViewer?: { firstPaint: number } };
      w.fltsimViewer = { firstPaint: performance.now() };
      document.body.dataset['painted'] = '1';
    });
  }, []);
  return (
    <div class="viewer">
      <header class="title">
        <strong>fltsim view</strong> <span data-testid="title">{model.trace.title}</span>
        <span class="muted"> · {model.length} facts · ←/→ fact · Shift+←/→ operation · Alt+←/→ thread · v/V violation · Home/End · g jump</span>
      </header>
      {models.beside !== null ? <ExplorationPanel main={models.main} beside={models.beside} shown={shown} onShow={show} /> : null}
      <TraceView key={`${shown}:${view.visit}`} model={model} start={view.start} />
    </div>
  );
}
