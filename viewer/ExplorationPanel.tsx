/**
 * An exploration's result: the failing schedule as found and the shrunk one beside it, each with
 * its violation and its choices, the preemptions marked. A click on a choice shows that trace
 * with the cursor just after it.
 */
import type { ViewerModel } from '../src/viewer/viewerModel.js';

interface Props {
  readonly main: ViewerModel;
  readonly beside: ViewerModel;
  readonly shown: 'main' | 'beside';
  readonly onShow: (which: 'main' | 'beside', position?: number) => void;
}

export function ExplorationPanel({ main, beside, shown, onShow }: Props) {
  const column = (which: 'main' | 'beside', model: ViewerModel, heading: string) => {
    const v = model.trace.header?.violation;
    const preempted = new Set(model.trace.preemptions ?? []);
    const choices = model.index.facts.filter((f) => f.type === 'Choice');
    return (
      <div class={`schedule${shown === which ? ' shown' : ''}`} data-schedule={which}>
        <h4>
          <button data-testid={`show-${which}`} onClick={() => onShow(which)}>
            {heading}
          </button>{' '}
          {model.length} facts, {choices.length} choices,{' '}
          <span data-testid={`preemptions-${which}`}>{model.trace.preemptions === null ? 'preemptions unknown' : `${preempted.size} preemption(s)`}</span>
        </h4>
        {v === undefined ? null : (
          <div class="violation-line">
            {v.name} ({v.kind}) at #{v.seq}: {v.message}
          </div>
        )}
        <div class="choices">
          {choices.map((f) => (
            <button key={f.seq} class={`choice${preempted.has(f.seq) ? ' preemption' : ''}`} data-choice={f.seq} title={`#${f.seq}: ${f.object} chosen of ${(f as { of?: number }).of ?? '?'} ready`} onClick={() => onShow(which, f.seq + 1)}>
              {f.object}
            </button>
          ))}
        </div>
      </div>
    );
  };
  return (
    <div class="exploration" data-testid="exploration">
      {column('main', main, 'schedule as found')}
      {column('beside', beside, 'shrunk schedule')}
    </div>
  );
}
