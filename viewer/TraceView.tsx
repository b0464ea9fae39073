/**
 * One trace and its cursor. Keyboard: ←/→ by fact, Shift+←/→ by the selected operation's facts,
 * Alt+←/→ by the selected thread's facts, v/V next/previous violation, Home/End, g to the jump box.
 * The selected operation and thread follow the fact at the cursor; a click on an operation or a
 * thread in the stack view selects it.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { StateDiff } from '../src/travel/diff.js';
import { stackPicture } from '../src/viewer/stackModel.js';
import type { ViewerModel } from '../src/viewer/viewerModel.js';
import { DiffPanel } from './DiffPanel.js';
import { EventList } from './EventList.js';
import { JumpBox } from './JumpBox.js';
import { Scrubber } from './Scrubber.js';
import { StackView } from './StackView.js';
import { WhyPanel } from './WhyPanel.js';
import { BackgroundWork } from './backgroundWork.js';

export function TraceView({ model, start = null }: { readonly model: ViewerModel; readonly start?: number | null }) {
  const [position, setPosition] = useState(() => start ?? model.openingPosition);
  // The first picture needs the trace folded up to the cursor only; the rest is indexed and folded after it.
  useState(() => model.foldMore(Math.max(0, position - model.folded)));
  // How far the background work has got: re-rendered a few times a second while it runs.
  const [, setProgress] = useState(0);
  const work = useMemo(() => new BackgroundWork(model, position, () => setProgress((n) => n + 1)), [model]);
  useEffect(() => {
    work.start();
    return () => work.stop();
  }, [work]);
  const folded = model.folded;
  const indexed = model.index.indexed;
  // A search that waits for the part of the trace not indexed yet (a time, the next violation, …).
  const [waiting, setWaiting] = useState<string | null>(null);
  const seekToken = useRef(0);
  // A click pins an operation or a thread; until then the selection follows the fact at the cursor.
  const [pinned, setPinned] = useState<{ readonly operation: string | null; readonly thread: string | null; readonly at: number }>({ operation: null, thread: null, at: -1 });
  const jumpInput = useRef<HTMLInputElement>(null);

  const fact = position === 0 || position > indexed ? undefined : model.index.facts[position - 1];
  const followed = useMemo(() => followSelection(model, position), [model, position, position <= indexed]);
  // A pin holds while the cursor stays where it was made or moves along the pinned object.
  const selectedOperation = pinned.operation !== null && (pinned.at === position || fact?.object === pinned.operation) ? pinned.operation : followed.operation;
  const selectedThread = pinned.thread !== null && (pinned.at === position || model.index.threadOf(position - 1) === pinned.thread) ? pinned.thread : followed.thread;
  // Stable callbacks (the stack view is memoized) that read the latest selection.
  const latest = useRef({ position, selectedOperation, selectedThread });
  latest.current = { position, selectedOperation, selectedThread };
  const setSelectedOperation = useCallback((operation: string): void => setPinned({ operation, thread: latest.current.selectedThread, at: latest.current.position }), []);
  const setSelectedThread = useCallback((thread: string): void => setPinned({ operation: latest.current.selectedOperation, thread, at: latest.current.position }), []);

  const move = useCallback(
    (p: number) => {
      const to = model.clamp(p);
      seekToken.current++;
      setWaiting(null);
      work.interacted(to);
      setPosition(to);
    },
    [model, work],
  );

  /**
   * Move to what `find` finds in the part of the trace indexed so far; when the answer may lie
   * beyond it (find gives null), say so and wait for the indexing, which goes first meanwhile.
   */
  const seek = useCallback(
    (find: () => number | null, what: string) => {
      const found = find();
      if (found !== null) return move(found);
      const token = ++seekToken.current;
      setWaiting(what);
      work.wake();
      void model.whenIndexed(() => find() !== null).then(() => {
        if (token !== seekToken.current) return; // the user moved on meanwhile
        move(find() ?? position);
      });
    },
    [model, work, move, position],
  );

  // Registered as the render that moves the cursor commits, not in the frame after it: a key pressed
  // once the new position shows, before that frame, stepped from the old one and went nowhere.
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const target = e.target as HTMLElement | null;
      if (target !== null && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA')) return;
      const forward = e.key === 'ArrowRight';
      let next: number | null = null;
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        if (e.shiftKey && selectedOperation !== null) {
          const list = (): readonly number[] => model.index.factsOf(selectedOperation);
          e.preventDefault();
          return seek(() => (forward ? model.findNextIn(list(), position) : model.findPreviousIn(list(), position)), `the ${forward ? 'next' : 'previous'} fact of ${selectedOperation}`);
        } else if (e.altKey && selectedThread !== null) {
          const list = (): readonly number[] => model.index.factsOnThread(selectedThread);
          e.preventDefault();
          return seek(() => (forward ? model.findNextIn(list(), position) : model.findPreviousIn(list(), position)), `the ${forward ? 'next' : 'previous'} fact of ${model.index.namer.label(selectedThread)}`);
        } else if (!e.shiftKey && !e.altKey) next = position + (forward ? 1 : -1);
      } else if (e.key === 'Home') next = 0;
      else if (e.key === 'End') next = model.length;
      else if (e.key === 'v' || e.key === 'V') {
        e.preventDefault();
        return e.key === 'v' ? seek(() => model.findNextViolation(position), 'the next violation') : seek(() => model.findPreviousViolation(position), 'the previous violation');
      } else if (e.key === 'g') {
        e.preventDefault();
        jumpInput.current?.focus();
        return;
      }
      if (next === null) return;
      e.preventDefault();
      move(next);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [model, position, selectedOperation, selectedThread, move, seek]);

  // One fold of the Timeline gives the state and what the cursor's fact changed (ViewerModel.viewAt).
  const view = position <= folded ? model.viewAt(position) : null;
  const state = view?.state ?? null;
  const diff: StateDiff | null = view?.diff ?? null;
  const picture = useMemo(() => (state === null ? null : stackPicture(state, model.index, position)), [state, model, position]);
  const changed = useMemo(() => new Set(diff === null ? [] : [...diff.added.map((a) => a.id), ...diff.changed.map((c) => c.id)]), [diff]);

  return (
    <div class="trace" data-position={position} data-folded={folded} data-indexed={indexed} data-length={model.length}>
      <Scrubber model={model} position={position} folded={folded} indexed={indexed} onMove={move} />
      <div class="cursor-line">
        <span data-testid="cursor">
          {position === 0 ? 'start (no fact folded)' : `#${position - 1}`} · position {position}/{model.length} · t={state?.time ?? fact?.time ?? 0}
        </span>
        {fact === undefined ? null : (
          <span class="fact-at-cursor">
            {' '}
            {fact.type} {model.index.namer.label(fact.object)}
          </span>
        )}
        <span class="muted" data-testid="selection" data-selected-operation={selectedOperation ?? ''} data-selected-thread={selectedThread ?? ''}>
          {' '}
          · operation {selectedOperation ?? '-'} · thread {selectedThread === null ? '-' : model.index.namer.label(selectedThread)}
        </span>
        <JumpBox model={model} inputRef={jumpInput} onMove={move} onSeek={seek} />
        {waiting === null ? null : (
          <span class="waiting" data-testid="waiting">
            looking for {waiting}: indexing the trace, {percent(indexed, model.length)} so far
          </span>
        )}
      </div>
      <div class="panes">
        <section class="left">
          {picture === null ? (
            <p class="folding" data-testid="folding">
              folding the trace up to the cursor: {folded} of {position} facts ({percent(folded, position)}; {percent(folded, model.length)} of the trace)
            </p>
          ) : (
            <StackView picture={picture} changed={changed} selectedOperation={selectedOperation} selectedThread={selectedThread} onSelectOperation={setSelectedOperation} onSelectThread={setSelectedThread} />
          )}
          <DiffPanel diff={diff} atStart={position === 0} />
          <WhyPanel model={model} seq={position <= folded ? position - 1 : -1} onMove={move} />
        </section>
        <section class="right">
          <EventList model={model} position={position} indexed={indexed} onMove={move} onFilter={() => work.interacted(position)} />
        </section>
      </div>
    </div>
  );
}

function percent(part: number, whole: number): string {
  return `${Math.floor((100 * part) / Math.max(1, whole))}%`;
}

/** The operation and thread of the fact at the cursor, else the last ones before it. */
function followSelection(model: ViewerModel, position: number): { readonly operation: string | null; readonly thread: string | null } {
  let operation: string | null = null;
  let thread: string | null = null;
  // A short look back: the selection is a convenience, never a scan of a long log (nor of facts not decoded yet).
  for (let seq = Math.min(position, model.index.indexed) - 1; seq >= 0 && seq >= position - 64 && (operation === null || thread === null); seq--) {
    const f = model.index.facts[seq]!;
    if (operation === null && f.object.startsWith('D')) operation = f.object;
    if (thread === null) thread = model.index.threadOf(seq);
  }
  return { operation, thread };
}
