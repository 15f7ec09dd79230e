import type { DataSource } from 'typeorm';
import { InboundEvent } from '../../../entities';
import { type EventFailure, isDeferred, type EventHandlerRegistry } from './event-handler.registry';
import { classifyFailure, describeFailure } from './failure';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { failEvent } from './inbound-failure';
import type { InboundJobData, InboundProducer } from './inbound.producer';
import type { Job } from '../queue/queues';

export interface InboundProcessorDeps {
  dataSource: DataSource;
  handlers: EventHandlerRegistry;
  producer: InboundProducer;
  logger: Logger;
  metrics: Metrics;
}

/**
 * Loads the stored event and runs its handler. Safe to run twice: a finished event is skipped, and
 * handlers make their own writes idempotent. The last error is kept on the row (also after a later
 * attempt succeeds). A permanent failure (failure.ts) fails the event at once; a transient one is
 * retried by Bull with backoff, and the row is marked failed when no attempt is left. Either way the
 * event's failure notice runs (the salesperson is answered). A handler that defers the rest of its
 * work leaves the row `deferred` and a low-priority `later` job that finishes it.
 */
export function createInboundProcessor(deps: InboundProcessorDeps) {
  const repo = deps.dataSource.getRepository(InboundEvent);
  return async (job: Job<InboundJobData>): Promise<string> => {
    const event = await repo.findOneBy({ id: job.data.eventId });
    if (!event) {
      deps.logger.warn({ eventId: job.data.eventId }, 'inbound job for a missing event');
      return 'missing';
    }
    if (event.status === 'done' || event.status === 'ignored') return event.status;
    const later = job.data.stage === 'later';
    if (!later && event.status === 'deferred') {
      // The first stage already ran (this job was re-added): only make sure the second one is queued.
      await deps.producer.enqueueLater(event.id);
      return 'deferred';
    }

    const handler = later ? deps.handlers.resolveLater(event.kind) : deps.handlers.resolve(event.kind);
    if (!handler) {
      await repo.update({ id: event.id }, later ? { status: 'done', processedAt: new Date() } : { status: 'ignored', processedAt: new Date() });
      if (!later) {
        deps.metrics.eventsProcessed.inc({ kind: event.kind, outcome: 'ignored' });
        deps.logger.info({ eventId: event.id, kind: event.kind }, 'no handler for event kind; ignored');
      }
      return later ? 'done' : 'ignored';
    }

    // `attempts` counts tries of the event; a deferred stage's first run belongs to the try that
    // deferred it (and the row already says `deferred`: nothing to write).
    if (!later || job.attemptsMade > 0) await repo.update({ id: event.id }, { status: later ? 'deferred' : 'processing', attempts: event.attempts + 1 });
    const lastTry = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    let outcome: unknown;
    try {
      outcome = await handler(event, { final: lastTry }, job.data.carry);
    } catch (error) {
      // Classified here, once: a failure a retry cannot fix ends the event now, with its reason;
      // anything else backs off and tries again until no attempt is left.
      const permanent = classifyFailure(error) === 'permanent';
      const reason = describeFailure(error);
      const attempt = job.attemptsMade + 1;
      deps.metrics.jobFailures.inc({ queue: 'inbound', final: String(permanent || lastTry) });
      deps.logger.warn(
        { eventId: event.id, kind: event.kind, stage: later ? 'later' : 'first', attempt, permanent, final: permanent || lastTry, err: error },
        'event handler failed',
      );
      if (permanent || lastTry) {
        const failure: EventFailure = permanent
          ? { cause: 'permanent', reason: `permanent (a retry cannot fix it): ${reason}` }
          : { cause: 'retries_exhausted', reason: `gave up after ${attempt} attempts: ${reason}` };
        await failEvent(deps, { ...event, attempts: event.attempts + 1 }, failure);
        // Bull keeps the job in its failed set (retry by hand from /admin/queues), without retrying it.
        if (permanent) await job.discard();
      } else {
        // The last error stays on the row, also once a later attempt succeeds.
        await repo.update({ id: event.id }, { status: later ? 'deferred' : 'processing', lastError: reason });
      }
      throw error;
    }
    if (!later && isDeferred(outcome)) {
      // Marked before the job is added: a crash in between leaves a deferred row the sweeper completes.
      await repo.update({ id: event.id }, { status: 'deferred' });
      await deps.producer.enqueueLater(event.id, outcome.carry);
      return 'deferred';
    }
    await repo.update({ id: event.id }, { status: 'done', processedAt: new Date() });
    deps.metrics.eventsProcessed.inc({ kind: event.kind, outcome: 'done' });
    return 'done';
  };
}
