/**
 * A cursor over a timeline: a position (0 … log length) and the state there. Cursors are values:
 * every move returns a new cursor, so a debugger can keep a history of where it has been.
 * An *operation* is the facts of one callback data (`D…`) from its IoStart to its IoComplete.
 */
import { integerArgument, objectArgument, optionalStringArgument } from '../kernel/arguments.js';
import type { Fact } from '../kernel/facts.js';
import type { SimState } from '../projection/simState.js';
import { Timeline } from './timeline.js';

export class Cursor {
  private cached: SimState | null = null;

  constructor(
    readonly timeline: Timeline,
    readonly position: number,
    /** The operation the last operation step landed on. */
    readonly operation: string | null = null,
  ) {
    objectArgument('Cursor', 'timeline', timeline, Timeline, 'a Timeline');
    integerArgument('Cursor', 'position', position, 0, timeline.length, `a position from 0 to ${timeline.length}`);
    optionalStringArgument('Cursor', 'operation', operation);
  }

  /** The state after the first `position` facts. */
  get state(): SimState {
    return (this.cached ??= this.timeline.stateAt(this.position));
  }

  /** The fact that led here (the last one folded), or undefined at position 0. */
  get fact(): Fact | undefined {
    return this.position === 0 ? undefined : this.timeline.log[this.position - 1];
  }

  at(position: number): Cursor {
    integerArgument('Cursor.at', 'position', position, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a whole number (clamped to the timeline)');
    return new Cursor(this.timeline, Math.max(0, Math.min(this.timeline.length, position)));
  }

  next(events = 1): Cursor {
    integerArgument('Cursor.next', 'events', events, 0, Number.MAX_SAFE_INTEGER, 'a whole number of facts');
    return this.at(this.position + events);
  }

  back(events = 1): Cursor {
    integerArgument('Cursor.back', 'events', events, 0, Number.MAX_SAFE_INTEGER, 'a whole number of facts');
    return this.at(this.position - events);
  }

  /** To just after the IoComplete of the next operation that starts here or later (the log's end if none). */
  nextOperation(): Cursor {
    const log = this.timeline.log;
    const start = log.findIndex((f, seq) => seq >= this.position && f.type === 'IoStart');
    if (start < 0) return this.at(log.length);
    const id = log[start]!.object;
    for (let seq = start + 1; seq < log.length; seq++) {
      const f = log[seq]!;
      if (f.object === id && f.type === 'IoComplete') return new Cursor(this.timeline, seq + 1, id);
    }
    return new Cursor(this.timeline, log.length, id);
  }

  /** To just before the IoStart of the last operation that completed before here (position 0 if none). */
  previousOperation(): Cursor {
    const log = this.timeline.log;
    for (let seq = this.position - 1; seq >= 0; seq--) {
      const f = log[seq]!;
      if (f.type !== 'IoComplete') continue;
      for (let s = seq - 1; s >= 0; s--) {
        const g = log[s]!;
        if (g.object === f.object && g.type === 'IoStart') return new Cursor(this.timeline, s, f.object);
      }
    }
    return this.at(0);
  }
}
