/**
 * A filter's private JavaScript variable that several simulated threads share, declared to
 * exploration. Partial-order reduction cannot see plain variables (footprint.ts): a scenario that
 * keeps every such variable in a SharedCell, and says so with `sharedState: 'cells'`, lets it tell
 * which steps touched which variable; reading is a read, writing and `modify` are writes.
 * Outside exploration a cell is just a box.
 */
import { Kernel } from './kernel.js';

/**
 * The cell's creator and how many cells it made before (a cell built without a kernel has none:
 * never explored). The counts live on the kernel (`cellsMade`), not in a WeakMap keyed by it: a new
 * key per simulation cost ~0.5% of a schedule of the smallest race, and a weak table's entries are
 * more work for every young-generation collection. Anything else passed as the kernel is none.
 */
function madeBy(kernel: Kernel): string {
  if (!(kernel instanceof Kernel)) return 'nobody';
  const counts = (kernel.cellsMade ??= new Map());
  const creator = kernel.current?.id ?? 'build';
  const n = counts.get(creator) ?? 0;
  counts.set(creator, n + 1);
  return `${creator}.${n}`;
}

export class SharedCell<T> {
  private readonly id: string;
  /**
   * This cell among cells of the same name, for stateful exploration's key: its creator and how
   * many cells that creator made before it. A thread's code is deterministic, so runs in which a
   * thread got equally far made the same cells, whatever order other threads made theirs in.
   */
  private readonly cellKey: string;

  constructor(
    private readonly kernel: Kernel,
    /** The name footprints use (`js:<name>`); cells with one name are one variable. */
    readonly name: string,
    private value: T,
  ) {
    this.id = `js:${name}`;
    this.cellKey = `${this.id}@${madeBy(kernel)}`;
  }

  get(): T {
    this.kernel.footprintRecorder?.readCell(this.id, this.cellKey, this.value, this.kernel.current === null);
    return this.value;
  }

  set(value: T): void {
    const recorder = this.kernel.footprintRecorder;
    recorder?.write(this.id);
    this.value = value;
    recorder?.cellValue(this.cellKey, value, this.kernel.current === null);
  }

  /** Change the value in place (an array's push or shift) and return what `change` returns: a write (that sees the value). */
  modify<R>(change: (value: T) => R): R {
    const recorder = this.kernel.footprintRecorder;
    recorder?.readCell(this.id, this.cellKey, this.value, this.kernel.current === null);
    recorder?.write(this.id);
    try {
      return change(this.value);
    } finally {
      recorder?.cellValue(this.cellKey, this.value, this.kernel.current === null);
    }
  }
}
