/**
 * One trace and its cursor. Keyboard: ←/→ by fact, Shift+←/→ by the selected operation's facts,
 * Alt+←/→ by the selected thread's facts, v/V next/previous violation, Home/End, g to the jump box.
 * The selected operation and thread follow the fact at the cursor; a click on an operation or a
 * thread in the stack view selects it.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { diffStates, type StateDiff } from '../src/travel/diff.js';
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
  const [selectedOperation, setSelectedOperation] = useState<string | null>(null);
  const [selectedThread, setSelectedThread] = useState<string | null>(null);
  const jumpInput = useRef<HTMLInputElement>(null);

  // Fold the rest of the trace a slice at a time after the first paint.
  useEffect(() => {
    let cancelled = false;
    const more = (): void => {
      if (cancelled) return;
      const done = model.foldMore(FOLD_SLICE);
      setFolded(model.folded);
      if (!done) setTimeout(more, 0);
    };
    if (model.folded < model.length) setTimeout(more, 0);
    return () => void (cancelled = true);
  }, [model]);

  // The selection follows the fact at the cursor.
  const fact = position === 0 ? undefined : model.index.facts[position - 1];
  useEffect(() => {
    if (fact === undefined) return;
    if (fact.object.startsWith('D')) setSelectedOperation(fact.object);
    const thread = model.index.threadOf(position - 1);
    if (thread !== null) setSelectedThread(thread);
  }, [position]);

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
  const before = state !== null && position > 0 ? model.stateAt(position - 1) : null;
  const diff: StateDiff | null = useMemo(() => (state === null || before === null ? null : diffStates(before, state)), [state, before]);
  const picture = useMemo(() => (state === null ? null : stackPicture(state, model.index, position)), [state, model, position]);
  const changed = useMemo(() => new Set(diff === null ? [] : [...diff.added.map((a) => a.id), ...diff.changed.map((c) => c.id)]), [diff]);

  return (
    <div class="trace" data-position={position}>
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
          <DiffPanel diff={diff} />
          <WhyPanel model={model} seq={position - 1} onMove={move} />
        </section>
        <section class="right">
          <EventList model={model} position={position} onMove={move} />
        </section>
      </div>
    </div>
  );
}
