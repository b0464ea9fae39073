/**
 * The timeline scrubber: a slider over every position of the trace, the markers (violations,
 * unloads, teardowns, preemptions) as buttons that move the cursor, and a lane per busiest thread
 * showing where it appended facts. Under the slider, how far the trace is indexed (the event list,
 * the markers, the lanes and the searches cover that part) and folded (the stack can be shown up to
 * there); the markers and lanes are drawn again as the indexing goes on, the part not indexed yet
 * hatched.
 */
import { memo } from 'preact/compat';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { ViewerModel } from '../src/viewer/viewerModel.js';

/** Markers drawn as buttons; a longer list is thinned evenly (the event list's filters find every one). */
const MAX_MARKERS = 400;
const LANES = 8;

export function Scrubber({ model, position, folded, indexed, onMove }: { readonly model: ViewerModel; readonly position: number; readonly folded: number; readonly indexed: number; readonly onMove: (p: number) => void }) {
  const length = Math.max(1, model.length);
  const whole = folded === model.length;
  // Redrawn at each tenth of the indexing, and once the trace is whole.
  const tenth = indexed === model.length ? 10 : Math.floor((10 * indexed) / length);
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
      <div class="progress-bar" title="indexed and folded so far">
        <div class="indexed-fill" style={{ width: `${(100 * indexed) / length}%` }} />
        <div class="folded-fill" style={{ width: `${(100 * folded) / length}%` }} />
      </div>
      {whole ? null : (
        <div class="progress" data-testid="progress" data-indexed={indexed} data-folded={folded}>
          {indexed === model.length ? 'indexed' : `indexing: ${indexed} of ${model.length} facts (${Math.floor((100 * indexed) / length)}%)`} · folded {folded} ({Math.floor((100 * folded) / length)}%) · the event list, markers, lanes and searches cover
          the indexed part; a search past it waits for it
        </div>
      )}
      <Tracks model={model} tenth={tenth} indexedTo={indexed === model.length ? 1 : tenth / 10} onMove={onMove} />
    </div>
  );
}

/**
 * The markers and thread lanes: they depend on the trace only, so a step does not redraw them. A
 * long trace draws them twice: for what the first picture decoded, and once it is whole.
 */
const Tracks = memo(function Tracks({ model, tenth, indexedTo, onMove }: { readonly model: ViewerModel; readonly tenth: number; readonly indexedTo: number; readonly onMove: (p: number) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const length = Math.max(1, model.length);
  const markers = useMemo(() => (model.markers.length <= MAX_MARKERS ? model.markers : model.markers.filter((_, i) => i % Math.ceil(model.markers.length / MAX_MARKERS) === 0)), [model, tenth]);
  const lanes = useMemo(() => busiestThreads(model, LANES), [model, tenth]);

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
    // Not indexed yet: nothing is known there.
    if (indexedTo < 1) {
      g.fillStyle = '#e8e8e8';
      g.fillRect(Math.floor(indexedTo * width), 0, width, c.height);
    }
  }, [model, lanes, tenth]);

  return (
    <>
      <div class="markers" data-tenth={tenth}>
        {indexedTo < 1 ? <div class="not-indexed" style={{ left: `${100 * indexedTo}%` }} title="not indexed yet" /> : null}
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
