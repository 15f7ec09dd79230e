import { In } from 'typeorm';
import { InboundEvent, OutboundMessage } from '../../entities';
import type { Container } from '../../src/container';
import type { Queue } from '../../src/platform/queue/queues';

/**
 * "Nothing more happens" as a fact instead of a fixed sleep: the system is quiet when every stored
 * callback is settled, no job is running, waiting or due, and no outbound message is queued or
 * being sent — and it stays so for a short observation window (a job that ends can add the next
 * one; the window covers that hand-over). A test then asserts what happened, once.
 */
export interface QuietOptions {
  /** how long the quiet must hold (ms); long enough for one job to hand over to the next */
  windowMs?: number;
  /** fail after this long (ms), naming what was still busy */
  timeoutMs?: number;
  /**
   * a delayed job counts as busy when it is due within this (ms, on Bull's real clock): a retry's
   * backoff is about to run, while tomorrow's reminder or a repeatable sweep is not work in progress
   */
  dueWithinMs?: number;
}

const UNSETTLED_EVENTS = ['received', 'processing', 'deferred'] as const;
const UNSENT_MESSAGES = ['queued', 'sending'] as const;

/** Waits until `container` is quiet (see QuietOptions); throws naming what was busy when it is not by the timeout. */
export async function waitForQuiet(container: Container, options: QuietOptions = {}): Promise<void> {
  const windowMs = options.windowMs ?? 250;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const dueWithinMs = options.dueWithinMs ?? 1_000;
  const deadline = Date.now() + timeoutMs;
  let quietSince: number | undefined;
  let busy: string[] = [];
  while (Date.now() < deadline) {
    busy = await whatIsBusy(container, dueWithinMs);
    if (busy.length > 0) quietSince = undefined;
    else if (quietSince === undefined) quietSince = Date.now();
    else if (Date.now() - quietSince >= windowMs) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`not quiet after ${timeoutMs} ms: ${busy.join('; ') || `quiet for less than ${windowMs} ms at a time`}`);
}

/** What keeps the system from being quiet now, one line per kind (empty when quiet). */
export async function whatIsBusy(container: Container, dueWithinMs = 1_000): Promise<string[]> {
  const busy: string[] = [];
  const events = await container.dataSource
    .getRepository(InboundEvent)
    .find({ where: { status: In([...UNSETTLED_EVENTS]) }, select: { id: true, status: true } });
  if (events.length > 0) busy.push(`inbound events ${events.map((e) => `#${e.id} ${e.status}`).join(', ')}`);
  // A message held for quiet hours waits for the morning on purpose: parked, not in progress.
  const messages = await container.dataSource
    .getRepository(OutboundMessage)
    .find({ where: { status: In([...UNSENT_MESSAGES]) }, select: { id: true, status: true, heldFor: true } });
  const unsent = messages.filter((m) => m.heldFor !== 'quiet_hours');
  if (unsent.length > 0) busy.push(`outbound messages ${unsent.map((m) => `#${m.id} ${m.status}${m.heldFor ? ` (${m.heldFor})` : ''}`).join(', ')}`);
  for (const queue of container.queues.all()) {
    const jobs = await queueBusy(queue, dueWithinMs);
    if (jobs) busy.push(`queue ${queue.name}: ${jobs}`);
  }
  return busy;
}

async function queueBusy(queue: Queue, dueWithinMs: number): Promise<string | undefined> {
  // Bull scores a delayed job by when it runs (ms × 0x1000 plus a counter); a retry's backoff moves that, not job.opts.delay.
  const horizon = (Date.now() + dueWithinMs + 1) * 0x1000 - 1;
  const [active, waiting, due] = await Promise.all([queue.getActive(), queue.getWaiting(), queue.client.zrangebyscore(queue.toKey('delayed'), 0, horizon)]);
  const named = (what: string, ids: string[]) => (ids.length ? `${ids.length} ${what} (${ids.join(', ')})` : undefined);
  const ids = (jobs: Array<{ name: string; id: unknown } | null>) => jobs.filter((j) => j !== null).map((j) => `${j.name}#${String(j.id)}`);
  const parts = [named('active', ids(active)), named('waiting', ids(waiting)), named('delayed and due', due)].filter(Boolean);
  return parts.length ? parts.join(', ') : undefined;
}
