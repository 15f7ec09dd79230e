import type { InboundProducer } from './inbound.producer';

export interface PendingEnqueuesDeps {
  producer: InboundProducer;
  /** whether Redis answers now */
  available: () => boolean;
  onEnqueued?: (count: number) => void;
  retryEveryMs?: number;
  /** ids kept at most; beyond that the worker's sweeper finds the rows (it would anyway, later) */
  maxIds?: number;
}

/**
 * Events stored while Redis was down: their jobs are added as soon as it answers again, so a welcome
 * stored during a short Redis restart can still go out inside its 20 s. Kept in memory only: if this
 * process dies first, the rows are `received` with no job, which is what the sweeper re-enqueues.
 */
export class PendingEnqueues {
  private readonly ids = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;

  constructor(private readonly deps: PendingEnqueuesDeps) {}

  get size(): number {
    return this.ids.size;
  }

  add(eventId: number): void {
    if (this.ids.size >= (this.deps.maxIds ?? 100_000)) return;
    this.ids.add(eventId);
    this.timer ??= setInterval(() => void this.flush(), this.deps.retryEveryMs ?? 250);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async flush(): Promise<void> {
    if (this.flushing || !this.deps.available()) return;
    this.flushing = true;
    let enqueued = 0;
    try {
      for (const id of [...this.ids]) {
        await this.deps.producer.enqueue(id);
        this.ids.delete(id);
        enqueued += 1;
      }
    } catch {
      // Redis went away again: the rest waits for the next tick.
    } finally {
      this.flushing = false;
      if (enqueued > 0) this.deps.onEnqueued?.(enqueued);
      if (this.ids.size === 0) this.stop();
    }
  }
}
