/**
 * The page's work behind the first picture: decode and index the rest of the trace (the event
 * list, the markers, the lanes and the searches need it), then fold it (the stack needs it), in
 * slices of a few milliseconds, so a key press or a jump waits at most one slice.
 *
 * What goes first: the fold up to the cursor when the cursor is past it (the user waits for that
 * stack); else indexing, while a search waits for it (a jump to a time, the next violation) or until
 * the trace is indexed; then the fold. While the user moves the cursor the work pauses (QUIET_MS
 * after the last move), unless the user waits for it. Progress is reported at most every
 * PROGRESS_MS, and once at the end.
 */
import type { ViewerModel } from '../src/viewer/viewerModel.js';

/** One slice of background work: an input event waits at most about this long (plus one block's JSON.parse). */
const SLICE_MS = 8;
/** The pause after a move of the cursor: a run of steps or jumps gets the whole main thread. */
const QUIET_MS = 300;
const PROGRESS_MS = 250;

export class BackgroundWork {
  private cursor: number;
  private quietUntil = 0;
  private stopped = false;
  private scheduled = false;
  /** A slice awaits a block's decoding: one slice at a time. */
  private running = false;
  private lastProgress = 0;
  private indexedWhole = false;
  private readonly channel = new MessageChannel();

  constructor(
    private readonly model: ViewerModel,
    cursor: number,
    private readonly onProgress: () => void,
  ) {
    this.cursor = cursor;
    // A message yields to input and rendering without setTimeout's 4 ms clamp on nested timers.
    this.channel.port1.onmessage = () => void this.run();
  }

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.channel.port1.onmessage = null;
  }

  /** The user moved the cursor (or asked for something): pause, unless the fold must reach the cursor. */
  interacted(position: number): void {
    this.cursor = position;
    this.quietUntil = performance.now() + QUIET_MS;
  }

  /** A search waits for indexing: start now rather than after the pause. */
  wake(): void {
    this.quietUntil = 0;
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.stopped || this.scheduled) return;
    this.scheduled = true;
    if (delay <= 0) this.channel.port2.postMessage(null);
    else setTimeout(() => this.channel.port2.postMessage(null), delay);
  }

  private async run(): Promise<void> {
    this.scheduled = false;
    if (this.stopped || this.running) return;
    this.running = true;
    try {
      await this.slice();
    } finally {
      this.running = false;
    }
  }

  private async slice(): Promise<void> {
    const { model } = this;
    if (model.folded === model.length) return this.progress(true);
    const now = performance.now();
    const foldToCursor = this.cursor > model.folded;
    if (!foldToCursor && !model.wantsIndexing && now < this.quietUntil) return this.schedule(this.quietUntil - now);
    const deadline = now + SLICE_MS;
    const enough = (): boolean => performance.now() >= deadline;
    if (!foldToCursor && (model.wantsIndexing || !model.complete)) await model.indexSome(enough);
    else await model.foldSome(enough);
    if (this.stopped) return;
    // The end of the indexing and of the fold are reported at once; the rest now and then.
    const justIndexed = model.complete && !this.indexedWhole;
    this.indexedWhole = model.complete;
    // And before a wait for the next block's decoding: the page shows what it has.
    const waitsForBlock = model.index.indexed === model.decoded && !model.complete;
    this.progress(justIndexed || waitsForBlock || model.folded === model.length || (foldToCursor && model.folded >= this.cursor));
    this.schedule(0);
  }

  private progress(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastProgress < PROGRESS_MS) return;
    this.lastProgress = now;
    this.onProgress();
  }
}
