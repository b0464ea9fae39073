/**
 * The live "explored 1,200/5,000 schedules, 1,480/s, 0 violations" line a long exploration shows on a terminal.
 * It is drawn only when the CLI's io has a `progress` sink (bin/fltsim.mjs gives one when stderr is
 * a TTY), so piped output and tests see nothing of it. Redrawn at most every `intervalMs`.
 */
export class ProgressLine {
  private readonly started: number;
  private last = -Infinity;
  private violations = 0;

  constructor(
    private readonly draw: (line: string) => void,
    private readonly now: () => number,
    private readonly intervalMs = 100,
  ) {
    this.started = now();
  }

  /** `violations`: schedules that failed so far (exploration stops at the first, so 0 or 1 per thread). */
  update(done: number, budget: number, violations = 0): void {
    const t = this.now();
    if (t - this.last < this.intervalMs && done < budget && violations === this.violations) return;
    this.violations = violations;
    this.last = t;
    const seconds = (t - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    this.draw(`explored ${done.toLocaleString('en-US')}/${budget.toLocaleString('en-US')} schedules, ${rate.toLocaleString('en-US')}/s, ${violations} violation${violations === 1 ? '' : 's'}`);
  }

  /** Clear the line before the report is printed. */
  end(): void {
    this.draw('');
  }
}
