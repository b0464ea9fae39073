/**
 * One trace and its cursor. Keyboard: ←/→ by fact, Shift+←/→ by the selected operation's facts,
 * Alt+←/→ by the selected thread's facts, v/V next/previous violation, Home/End, g to the jump box.
 * The selected operation and thread follow the fact at the cursor; a click on an operation or a
 * thread in the stack view selects it.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { StateDiff } from '../src/travel/diff.js';
import { stackPicture } from '../src/viewer/stackModel.js';
import type { ViewerModel } from '../src/viewer/viewerModel.js';
import { DiffPanel } from './DiffPanel.js';
import { EventList } from './EventList.js';
import { JumpBox } from './JumpBox.js';
import { Scrubber } from './Scrubber.js';
import { StackView } from './StackView.js';
import { WhyPanel } from './WhyPanel.js';

/** Facts folded per slice of the background fold: small enough to keep the page responsive. */
const FOLD_SLICE = 20_000;

export function TraceView({ model, start = null }: { readonly model: ViewerModel; readonly start?: number | null }) {
  const [position, setPosition] = useState(() => start ?? model.openingPosition);
  // The first picture needs the trace folded up to the cursor only; the rest folds after it.
  const [folded, setFolded] = useState(() => (model.foldMore(Math.max(0, position - model.folded)), model.folded));
  // A click pins an operation or a thread; until then the selection follows the fact at the cursor.
  const [pinned, setPinned] = useState<{ readonly operation: string | null; readonly thread: string | null; readonly at: number }>({ operation: null, thread: null, at: -1 });
  const jumpInput = useRef<HTMLInputElement>(null);

  // Decode and fold the rest of the trace a slice at a time after the first paint.
  useEffect(() => {
    let cancelled = false;
    const more = async (): Promise<void> => {
      await model.decodeMore(FOLD_SLICE);
      if (cancelled) return;
      const done = model.foldMore(FOLD_SLICE);
      setFolded(model.folded);
      if (!done) setTimeout(() => void more(), 0);
    };
    if (model.folded < model.length) setTimeout(() => void more(), 0);
    return () => void (cancelled = true);
  }, [model]);

  const fact = position === 0 || position > model.index.indexed ? undefined : model.index.facts[position - 1];
  const followed = useMemo(() => followSelection(model, position), [model, position]);
  // A pin holds while the cursor stays where it was made or moves along the pinned object.
  const selectedOperation = pinned.operation !== null && (pinned.at === position || fact?.object === pinned.operation) ? pinned.operation : followed.operation;
  const selectedThread = pinned.thread !== null && (pinned.at === position || model.index.threadOf(position - 1) === pinned.thread) ? pinned.thread : followed.thread;
  const setSelectedOperation = (operation: string): void => setPinned({ operation, thread: selectedThread, at: position });
  const setSelectedThread = (thread: string): void => setPinned({ operation: selectedOperation, thread, at: position });

  const move = useCallback((p: number) => setPosition(model.clamp(p)), [model]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const target = e.target as HTMLElement | null;
      if (target !== null && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA')) return;
      let next: number | null = null;
      const forward = e.key === 'ArrowRight';
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        if (e.shiftKey && selectedOperation !== null) {
          const list = model.index.factsOf(selectedOperation);
          next = forward ? model.nextIn(list, position) : model.previousIn(list, position);
        } else if (e.altKey && selectedThread !== null) {
          const list = model.index.factsOnThread(selectedThread);
          next = forward ? model.nextIn(list, position) : model.previousIn(list, position);
        } else if (!e.shiftKey && !e.altKey) next = position + (forward ? 1 : -1);
      } else if (e.key === 'Home') next = 0;
      else if (e.key === 'End') next = model.length;
      else if (e.key === 'v') next = model.nextViolation(position);
      else if (e.key === 'V') next = model.previousViolation(position);
      else if (e.key === 'g') {
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
  }, [model, position, selectedOperation, selectedThread, move]);

  const state = position <= folded ? model.stateAt(position) : null;
  // The diff needs the state before the cursor's fact too: at hand after a step, folded after the
  // picture is on screen after a jump (so a jump costs one fold before it paints, not two).
  const [lateDiff, setLateDiff] = useState<{ readonly position: number; readonly diff: StateDiff | null } | null>(null);
  const ready = state !== null && (position === 0 || model.hasState(position - 1));
  const diff: StateDiff | null = useMemo(() => (ready ? model.diffAt(position) : lateDiff?.position === position ? lateDiff.diff : null), [ready, model, position, lateDiff]);
  useEffect(() => {
    if (ready || state === null) return;
    const timer = setTimeout(() => setLateDiff({ position, diff: model.diffAt(position) }), 0);
    return () => clearTimeout(timer);
  }, [ready, state, model, position]);
  const picture = useMemo(() => (state === null ? null : stackPicture(state, model.index, position)), [state, model, position]);
  const changed = useMemo(() => new Set(diff === null ? [] : [...diff.added.map((a) => a.id), ...diff.changed.map((c) => c.id)]), [diff]);

  return (
    <div class="trace" data-position={position} data-folded={folded} data-length={model.length}>
      <Scrubber model={model} position={position} folded={folded} onMove={move} />
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
        <JumpBox model={model} inputRef={jumpInput} onMove={move} />
      </div>
      <div class="panes">
        <section class="left">
          {picture === null ? (
            <p class="folding" data-testid="folding">
              folding the trace: {folded} of {model.length} facts ({Math.floor((100 * folded) / Math.max(1, model.length))}%)
            </p>
          ) : (
            <StackView picture={picture} changed={changed} selectedOperation={selectedOperation} selectedThread={selectedThread} onSelectOperation={setSelectedOperation} onSelectThread={setSelectedThread} />
          )}
          <DiffPanel diff={diff} atStart={position === 0} />
          <WhyPanel model={model} seq={position <= folded ? position - 1 : -1} onMove={move} />
        </section>
        <section class="right">
          <EventList model={model} position={position} indexed={model.index.indexed} onMove={move} />
        </section>
      </div>
    </div>
  );
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
