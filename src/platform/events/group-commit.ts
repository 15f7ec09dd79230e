/** What a batch's flush answers for each of its items, in order: its result, or why it alone failed. */
export type ItemOutcome<Out> = { ok: true; value: Out } | { ok: false; error: unknown };

export interface GroupCommitOptions<In, Out> {
  /** writes the batch; throwing fails every item of it */
  flush: (items: In[]) => Promise<Array<ItemOutcome<Out>>>;
  /** items per flush at most */
  maxItems: number;
  /** the weight of a batch at most (e.g. its bytes: one statement must fit the server's packet limit); one heavier item goes alone */
  maxWeight?: number;
  weight?: (item: In) => number;
}

interface Waiting<In, Out> {
  item: In;
  resolve: (value: Out) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted while a flush is in flight wait for it and then go together in the
 * next one, so a burst costs one write (one statement, one fsync) per flush instead of one per item,
 * while an item alone is flushed at once (after the current event-loop turn) and waits for nothing
 * else. The wait of an item in a burst is at most one flush, the time the database takes to commit
 * anyway. One flush is in flight at a time.
 */
export class GroupCommit<In, Out> {
  private readonly queue: Array<Waiting<In, Out>> = [];
  private flushing = false;

  constructor(private readonly options: GroupCommitOptions<In, Out>) {}

  /** items waiting behind the flush in flight */
  get waiting(): number {
    return this.queue.length;
  }

  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.flushing) return;
      this.flushing = true;
      // The flush starts after the current turn of the event loop, so items submitted in the same
      // turn (requests whose bodies were read in one poll) share it; an item alone waits microseconds.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.flushOne(this.takeBatch());
    } finally {
      this.flushing = false;
    }
  }

  private takeBatch(): Array<Waiting<In, Out>> {
    const { maxItems, maxWeight = Number.POSITIVE_INFINITY, weight = () => 0 } = this.options;
    let total = 0;
    let count = 0;
    while (count < this.queue.length && count < maxItems) {
      total += weight(this.queue[count]!.item);
      if (count > 0 && total > maxWeight) break;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  private async flushOne(batch: Array<Waiting<In, Out>>): Promise<void> {
    let outcomes: Array<ItemOutcome<Out>>;
    try {
      outcomes = await this.options.flush(batch.map((w) => w.item));
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const outcome = outcomes[i];
      if (!outcome) w.reject(new Error('the flush answered fewer items than it was given'));
      else if (outcome.ok) w.resolve(outcome.value);
      else w.reject(outcome.error);
    });
  }
}
