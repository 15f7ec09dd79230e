/**
 * Says whether a line of this kind may be logged now: the first of each kind at once, then at most
 * one per interval, carrying how many were held back. A flood of bad requests or an outage's
 * thousand failures costs a few log lines, and the first one is never lost.
 */
export class OncePerInterval {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
    /** kinds remembered at most (kinds can come from input: bounded so they cannot fill memory) */
    private readonly maxKinds = 1000,
  ) {}

  check(kind: string): { log: boolean; suppressed: number } {
    const now = this.now();
    const seen = this.last.get(kind);
    if (seen && now - seen.at < this.intervalMs) {
      seen.suppressed += 1;
      return { log: false, suppressed: seen.suppressed };
    }
    if (!seen && this.last.size >= this.maxKinds) this.last.delete(this.last.keys().next().value!);
    this.last.set(kind, { at: now, suppressed: 0 });
    return { log: true, suppressed: seen?.suppressed ?? 0 };
  }
}
