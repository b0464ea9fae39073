/**
 * Jump to a seq (`#123` or `123`), a time (`t=50`) or a violation (`v`). A time or a violation past
 * the part of the trace indexed so far waits for the indexing (`onSeek`), which goes first meanwhile.
 */
import type { RefObject } from 'preact';
import { useState } from 'preact/hooks';
import type { ViewerModel } from '../src/viewer/viewerModel.js';

export function JumpBox({
  model,
  inputRef,
  onMove,
  onSeek,
}: {
  readonly model: ViewerModel;
  readonly inputRef: RefObject<HTMLInputElement | null>;
  readonly onMove: (p: number) => void;
  readonly onSeek: (find: () => number | null, what: string) => void;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (text: string): void => {
    const t = text.trim();
    let m: RegExpExecArray | null;
    if ((m = /^#?(\d+)$/.exec(t)) !== null) onMove(model.positionOfSeq(Number(m[1])));
    else if ((m = /^t\s*=\s*(\d+)$/.exec(t)) !== null) {
      const time = Number(m[1]);
      onSeek(() => model.findTime(time), `the first fact at t=${time}`);
    } else if (/^v(iolation)?$/i.test(t)) onSeek(() => model.findNextViolation(0), 'the first violation');
    else return setProblem('a seq (#12), a time (t=5) or v');
    setProblem(null);
    inputRef.current?.blur();
  };
  return (
    <form
      class="jump"
      onSubmit={(e) => {
        e.preventDefault();
        submit(inputRef.current?.value ?? '');
      }}
    >
      <input ref={inputRef} data-testid="jump" placeholder="jump: #seq, t=time, v" size={16} />
      {problem === null ? null : <span class="problem">{problem}</span>}
    </form>
  );
}
