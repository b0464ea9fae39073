/**
 * The timeline scrubber: a slider over every position of the trace, the markers (violations,
 * unloads, teardowns, preemptions) as buttons that move the cursor, and a lane per busiest thread
 * showing where it appended facts. The part of the trace not yet folded is shaded.
 */
import { memo } from 'preact/compat';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { ViewerModel } from '../src/viewer/viewerModel.js';

/** Markers drawn as buttons; a longer list is thinned evenly (the event list's filters find every one). */
const MAX_MARKERS = 400;
const LANES = 8;

export function Scrubber({ model, position, folded, onMove }: { readonly model: ViewerModel; readonly position: number; readonly folded: number; readonly onMove: (p: number) => void }) {
  return (
    <div class="scrubber">
      <input
        type="range"
        aria-label="position in the trace"
        data-testid="scrubber"
        min={0}
        max={model.length}
        step={1}
        value={position}
        onInput={(e) => onMove(Number((e.currentTarget as HTMLInputElement).value))}
      />
      <div class="folded-bar" title="folded so far">
        <div class="folded-fill" style={{ width: `${(100 * folded) / Math.max(1, model.length)}%` }} />
      </div>
      <Tracks model={model} complete={folded === model.length} onMove={onMove} />
    </div>
  );
}

/**
 * The markers and thread lanes: they depend on the trace only, so a step does not redraw them. A
 * long trace draws them twice: for what the first picture decoded, and once it is whole.
 */
const Tracks = memo(function Tracks({ model, complete, onMove }: { readonly model: ViewerModel; readonly complete: boolean; readonly onMove: (p: number) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const length = Math.max(1, model.length);
  const markers = useMemo(() => (model.markers.length <= MAX_MARKERS ? model.markers : model.markers.filter((_, i) => i % Math.ceil(model.markers.length / MAX_MARKERS) === 0)), [model, complete]);
  const lanes = useMemo(() => busiestThreads(model, LANES), [model, complete]);

  useEffect(() => {
    const c = canvas.current;
    if (c === null) return;
    const width = (c.width = Math.max(100, c.clientWidth));
    const laneHeight = 6;
    c.height = lanes.length * laneHeight;
    const g = c.getContext('2d');
    if (g === null) return;
    g.clearRect(0, 0, width, c.height);
    lanes.forEach((thread, lane) => {
      g.fillStyle = LANE_COLOURS[lane % LANE_COLOURS.length]!;
      let lastX = -1;
      for (const seq of model.index.factsOnThread(thread)) {
        const x = Math.floor((seq / length) * width);
        if (x === lastX) continue;
        lastX = x;
        g.fillRect(x, lane * laneHeight, 1, laneHeight - 1);
      }
    });
  }, [model, lanes]);

  return (
    <>
      <div class="markers">
        {markers.map((m) => (
          <button
            key={`${m.kind}${m.seq}`}
            class={`marker marker-${m.kind}`}
            data-marker={m.kind}
            data-seq={m.seq}
            title={`#${m.seq} ${m.label}`}
            style={{ left: `${(100 * m.seq) / length}%` }}
            onClick={() => onMove(m.seq + 1)}
          />
        ))}
      </div>
      <div class="lanes">
        <canvas ref={canvas} class="lane-canvas" aria-label="thread activity" />
        <div class="lane-names">
          {lanes.map((t, i) => (
            <span key={t} style={{ color: LANE_COLOURS[i % LANE_COLOURS.length] }}>
              {model.index.namer.label(t)}{' '}
            </span>
          ))}
        </div>
      </div>
    </>
  );
});

const LANE_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

function busiestThreads(model: ViewerModel, n: number): string[] {
  return [...model.index.threads].sort((a, b) => model.index.factsOnThread(b).length - model.index.factsOnThread(a).length || (a < b ? -1 : 1)).slice(0, n);
}
