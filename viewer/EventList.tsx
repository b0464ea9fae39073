/**
 * The event list, Process Monitor-style: a row per fact with decoded columns, filters by object,
 * fact type, thread and path, and a search over every column. Virtualized: only the rows on
 * screen are decoded and rendered, and filters run over the trace in slices between frames, so
 * a million facts stay responsive. While a long trace is still being indexed, the list holds the
 * facts indexed so far (`indexed`) and says so; a filter goes on over each part as it is indexed,
 * and says how far it has looked. Clicking a row moves the cursor to it; the cursor's row is kept
 * in view.
 */
import { memo } from 'preact/compat';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { eventRow } from '../src/viewer/eventRows.js';
import { filterRange, isEmptyFilter, type EventFilter } from '../src/viewer/eventFilter.js';
import type { ViewerModel } from '../src/viewer/viewerModel.js';

const ROW_HEIGHT = 20;
/** Browsers cap an element's height (~33M px in Chromium): past this the scroll range is scaled. */
const MAX_SCROLL_HEIGHT = 8_000_000;
const FILTER_SLICE = 50_000;

export function EventList({
  model,
  position,
  indexed,
  onMove,
  onFilter,
}: {
  readonly model: ViewerModel;
  readonly position: number;
  readonly indexed: number;
  readonly onMove: (p: number) => void;
  /** The user changed a filter (the page's background work pauses meanwhile). */
  readonly onFilter: () => void;
}) {
  const complete = indexed === model.length;
  const [filter, setFilter] = useState<EventFilter>({});
  // The matching seqs, over the facts up to `upTo`.
  const [matches, setMatches] = useState<{ readonly rows: readonly number[]; readonly upTo: number } | null>(null);
  const rows = matches?.rows ?? null;
  const run = useRef<FilterRun | null>(null);
  const [filtering, setFiltering] = useState<number | null>(null);
  // The list's scroll offset: set by the user's scrolling, or in the render that moves the cursor
  // out of view (one render and one layout per move: no second render from an effect, and no
  // layout forced by the scroll event that follows).
  const scrollTop = useRef(0);
  const [, scrolled] = useState(0);
  /** The offset the box was last given or scrolled to: a render that keeps it leaves the box alone (reading its scrollTop would force a layout). */
  const applied = useRef(-1);
  const followed = useRef<{ readonly position: number; readonly rows: readonly number[] | null }>({ position: -1, rows: null });
  const [viewHeight, setViewHeight] = useState(480);
  const box = useRef<HTMLDivElement>(null);
  const types = useMemo(() => [...model.index.types].sort(), [model, complete]);

  useEffect(() => {
    const measure = (): void => {
      if (box.current !== null) setViewHeight(box.current.clientHeight || 480);
    };
    measure();
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, []);

  // Run the filter a slice at a time; a newer filter cancels an older run. A run that has caught up
  // with the indexing goes on when more of the trace is indexed.
  const advance = (r: FilterRun): void => {
    if (r.cancelled) return;
    const end = model.index.indexed;
    const to = Math.min(end, r.from + FILTER_SLICE);
    filterRange(model.index, r.filter, r.from, to, r.out);
    r.from = to;
    r.timer = null;
    if (r.from < end) {
      setFiltering(r.from / end);
      r.timer = setTimeout(() => advance(r), 0);
    } else {
      setMatches({ rows: r.out, upTo: r.from });
      setFiltering(null);
    }
  };
  useEffect(() => {
    if (isEmptyFilter(filter)) {
      run.current = null;
      setMatches(null);
      setFiltering(null);
      return;
    }
    const r: FilterRun = { filter, out: [], from: 0, cancelled: false, timer: null };
    run.current = r;
    r.timer = setTimeout(() => advance(r), 150);
    return () => {
      r.cancelled = true;
      if (r.timer !== null) clearTimeout(r.timer);
    };
  }, [model, filter]);
  useEffect(() => {
    const r = run.current;
    if (r !== null && r.timer === null && r.from < indexed) r.timer = setTimeout(() => advance(r), 0);
  }, [indexed]);

  const count = rows === null ? indexed : rows.length;
  const total = count * ROW_HEIGHT;
  const scrollHeight = Math.min(total, MAX_SCROLL_HEIGHT);
  const scale = total > scrollHeight && scrollHeight > viewHeight ? (total - viewHeight) / (scrollHeight - viewHeight) : 1;
  const visible = Math.ceil(viewHeight / ROW_HEIGHT) + 1;
  const maxTop = Math.max(0, scrollHeight - viewHeight);
  const firstAt = (top: number): number => Math.max(0, Math.min(count - 1, Math.floor((Math.min(top, maxTop) * scale) / ROW_HEIGHT)));
  const seqAt = (i: number): number => (rows === null ? i : rows[i]!);
  /** The row index of the cursor's fact, or of the last shown fact before it. */
  const cursorIndex = position === 0 ? -1 : rows === null ? Math.min(position, indexed) - 1 : indexAtOrBefore(rows, position - 1);
  // Keep the cursor's row in view when the cursor moves (or the filter changes the rows).
  if (followed.current.position !== position || followed.current.rows !== rows) {
    followed.current = { position, rows };
    const shownFirst = firstAt(scrollTop.current);
    if (cursorIndex >= 0 && (cursorIndex < shownFirst || cursorIndex >= shownFirst + visible - 1)) scrollTop.current = Math.min(maxTop, Math.max(0, (cursorIndex * ROW_HEIGHT) / scale - viewHeight / 3));
  }
  // A filter that shrinks the list leaves the old scroll offset past its end.
  const top = Math.min(scrollTop.current, maxTop);
  const first = firstAt(scrollTop.current);
  // Before the browser paints: the box shows the offset this render drew.
  useLayoutEffect(() => {
    const el = box.current;
    if (el === null || top === applied.current) return;
    applied.current = top;
    if (Math.abs(el.scrollTop - top) >= 1) el.scrollTop = top;
  });

  const set = (key: keyof EventFilter) => (e: Event) => {
    onFilter();
    setFilter({ ...filter, [key]: (e.currentTarget as HTMLInputElement).value });
  };
  const shown: number[] = [];
  for (let i = first; i < Math.min(count, first + visible); i++) shown.push(i);

  return (
    <div class="events">
      <div class="filters">
        <input placeholder="object (O3, D12, name)" data-filter="object" value={filter.object ?? ''} onInput={set('object')} />
        <select data-filter="type" value={filter.type ?? ''} onChange={set('type')}>
          <option value="">any type</option>
          {types.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <input placeholder="thread (T3)" data-filter="thread" value={filter.thread ?? ''} onInput={set('thread')} size={8} />
        <input placeholder="path" data-filter="path" value={filter.path ?? ''} onInput={set('path')} size={12} />
        <input placeholder="search" data-filter="search" value={filter.search ?? ''} onInput={set('search')} size={12} />
        <span class="muted" data-testid="event-count" data-complete={complete && filtering === null ? '1' : '0'}>
          {filtering !== null
            ? `filtering ${Math.floor(filtering * 100)}%`
            : complete
              ? `${count} of ${model.length}`
              : rows === null
                ? `${count} of ${model.length} (indexing: the rest follows)`
                : `${count} in the first ${matches?.upTo ?? 0} of ${model.length} facts (indexing: more follow)`}
        </span>
      </div>
      <div class="event-head">
        <span>seq</span>
        <span>time</span>
        <span>thread</span>
        <span>object</span>
        <span>operation</span>
        <span>path</span>
        <span>result</span>
        <span>detail</span>
      </div>
      <div
        class="event-box"
        ref={box}
        data-testid="events"
        onScroll={(e) => {
          const at = (e.currentTarget as HTMLDivElement).scrollTop;
          if (Math.abs(at - Math.min(scrollTop.current, maxTop)) < 1) return; // the offset the last render set
          scrollTop.current = at;
          applied.current = at;
          scrolled((n) => n + 1);
        }}
      >
        <div class="event-spacer" style={{ height: `${scrollHeight}px` }}>
          {shown.map((i) => {
            const seq = seqAt(i);
            // Keyed by its slot on screen: a jump rewrites the rows' text instead of building new rows.
            return <EventRow key={i - first} model={model} seq={seq} current={seq === position - 1} top={top + (i - first) * ROW_HEIGHT - ((top * scale) % ROW_HEIGHT)} onMove={onMove} />;
          })}
        </div>
      </div>
    </div>
  );
}

/** One row: decoded and rendered again only when it moves, or becomes or stops being the cursor's. */
const EventRow = memo(function EventRow({ model, seq, current, top, onMove }: { readonly model: ViewerModel; readonly seq: number; readonly current: boolean; readonly top: number; readonly onMove: (p: number) => void }) {
  const r = eventRow(model.index, seq);
  return (
    <div class={`event-row${current ? ' current' : ''}`} data-seq={seq} style={{ top: `${top}px` }} onClick={() => onMove(seq + 1)}>
      <span>{seq}</span>
      <span>{r.time}</span>
      <span title={r.thread}>{r.thread}</span>
      <span title={r.object}>{r.object}</span>
      <span>{r.operation}</span>
      <span title={r.path}>{r.path}</span>
      <span>{r.result}</span>
      <span title={r.detail}>{r.detail}</span>
    </div>
  );
});

/** A filter's pass over the trace, a slice at a time: the matches so far, and where it has got to. */
interface FilterRun {
  readonly filter: EventFilter;
  readonly out: number[];
  from: number;
  cancelled: boolean;
  timer: ReturnType<typeof setTimeout> | null;
}

/** The index of the last element ≤ seq in an ascending list, or -1. */
function indexAtOrBefore(sorted: readonly number[], seq: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
