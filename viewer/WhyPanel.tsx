/**
 * Why the fact at the cursor happened: its causal chain (whyFact: the operation, the callback and
 * thread that issued it, up to the application's request or the host's action), each link a
 * button that moves the cursor there. Computed after the step is on screen, from the trace index
 * (no pass over the log), and only once the fact at the cursor is folded.
 */
import { memo } from 'preact/compat';
import { useEffect, useState } from 'preact/hooks';
import { whyFactUnchecked, type CausalLink } from '../src/travel/why.js';
import { factLine } from '../src/viewer/eventRows.js';
import type { ViewerModel } from '../src/viewer/viewerModel.js';

const RELATION_TEXT: Readonly<Record<CausalLink['relation'], string>> = {
  fact: 'this fact',
  object: 'begun by',
  callback: 'inside the callback',
  operation: 'for the operation',
  thread: 'on the thread created by',
};

// Memoized: the background work re-renders the page a few times a second, and this part only changes with the cursor.
export const WhyPanel = memo(function WhyPanel({ model, seq, onMove }: { readonly model: ViewerModel; readonly seq: number; readonly onMove: (p: number) => void }) {
  const [chain, setChain] = useState<readonly CausalLink[] | null>(null);
  useEffect(() => {
    setChain(null);
    if (seq < 0) return;
    // The index knows where each object's story starts (its origins), so a chain is a few look-ups.
    const timer = setTimeout(() => setChain(whyFactUnchecked(model.index.facts, seq, model.index.activity, model.index)), 0);
    return () => clearTimeout(timer);
  }, [model, seq]);
  if (seq < 0) return null;
  return (
    <div class="why" data-testid="why">
      <h4>why #{seq}</h4>
      {chain === null ? (
        <span class="muted">…</span>
      ) : (
        <ol>
          {chain.map((link) => (
            <li key={link.seq}>
              <span class="muted">{RELATION_TEXT[link.relation]} </span>
              <button class="why-link" data-why-seq={link.seq} data-relation={link.relation} onClick={() => onMove(link.seq + 1)}>
                {factLine(model.index, link.seq)}
              </button>
              {link.thread === null ? null : <span class="muted"> on {model.index.namer.label(link.thread)}</span>}
            </li>
          ))}
        </ol>
      )}
    </div>
  );});
