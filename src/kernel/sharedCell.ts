/**
 * A filter's private JavaScript variable that several simulated threads share, declared to
 * exploration. Partial-order reduction cannot see plain variables (footprint.ts): a scenario that
 * keeps every such variable in a SharedCell, and says so with `sharedState: 'cells'`, lets it tell
 * which steps touched which variable; reading is a read, writing and `modify` are writes.
 * Outside exploration a cell is just a box.
 */
import type { Kernel } from './kernel.js';

export class SharedCell<T> {
  private readonly id: string;

  constructor(
    private readonly kernel: Kernel,
    /** The name footprints use (`js:<name>`); cells with one name are one variable. */
    readonly name: string,
    private value: T,
  ) {
    this.id = `js:${name}`;
  }

  get(): T {
    this.kernel.footprintRecorder?.read(this.id);
    return this.value;
  }

  set(value: T): void {
    this.kernel.footprintRecorder?.write(this.id);
    this.value = value;
  }

  /** Change the value in place (an array's push or shift) and return what `change` returns: a write. */
  modify<R>(change: (value: T) => R): R {
    this.kernel.footprintRecorder?.write(this.id);
    return change(this.value);
  }
}
