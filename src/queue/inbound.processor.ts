import type { DataSource } from 'typeorm';
import { InboundEvent } from '../../entities';
import { isDeferred, type EventHandlerRegistry } from '../events/event-handler.registry';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { InboundJobData, InboundProducer } from './inbound.producer';
import type { Job } from './queues';

export interface InboundProcessorDeps {
  dataSource: DataSource;
  handlers: EventHandlerRegistry;
  producer: InboundProducer;
  logger: Logger;
  metrics: Metrics;
}

const MAX_ERROR_LENGTH = 4000;

/**
 * Loads the stored event and runs its handler. Safe to run twice: a finished event is skipped, and
 * handlers make their own writes idempotent. The last error is kept on the row; Bull retries with
 * backoff and the row is marked failed when no attempt is left. A handler that defers the rest of
 * its work leaves the row `deferred` and a low-priority `later` job that finishes it.
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
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    let outcome: unknown;
    try {
      outcome = await handler(event, { final }, job.data.carry);
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      await repo.update({ id: event.id }, { status: final ? 'failed' : later ? 'deferred' : 'processing', lastError: message.slice(0, MAX_ERROR_LENGTH) });
      deps.metrics.jobFailures.inc({ queue: 'inbound', final: String(final) });
      deps.logger.warn({ eventId: event.id, kind: event.kind, stage: later ? 'later' : 'first', attempt: job.attemptsMade + 1, final, err: error }, 'event handler failed');
      throw error;
    }
    if (!later && isDeferred(outcome)) {
      // Marked before the job is added: a crash in between leaves a deferred row the sweeper completes.
      await repo.update({ id: event.id }, { status: 'deferred', lastError: null });
      await deps.producer.enqueueLater(event.id, outcome.carry);
      return 'deferred';
    }
    await repo.update({ id: event.id }, { status: 'done', processedAt: new Date(), lastError: null });
    deps.metrics.eventsProcessed.inc({ kind: event.kind, outcome: 'done' });
    return 'done';
  };
}
