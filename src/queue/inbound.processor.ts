import type { DataSource } from 'typeorm';
import { InboundEvent } from '../../entities';
import type { EventHandlerRegistry } from '../events/event-handler.registry';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { InboundJobData } from './inbound.producer';
import type { Job } from './queues';

export interface InboundProcessorDeps {
  dataSource: DataSource;
  handlers: EventHandlerRegistry;
  logger: Logger;
  metrics: Metrics;
}

const MAX_ERROR_LENGTH = 4000;

/**
 * Loads the stored event and runs its handler. Safe to run twice: a finished event is skipped, and
 * handlers make their own writes idempotent. The last error is kept on the row; Bull retries with
 * backoff and the row is marked failed when no attempt is left.
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

    const handler = deps.handlers.resolve(event.kind);
    if (!handler) {
      await repo.update({ id: event.id }, { status: 'ignored', processedAt: new Date() });
      deps.metrics.eventsProcessed.inc({ kind: event.kind, outcome: 'ignored' });
      deps.logger.info({ eventId: event.id, kind: event.kind }, 'no handler for event kind; ignored');
      return 'ignored';
    }

    await repo.update({ id: event.id }, { status: 'processing', attempts: event.attempts + 1 });
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      await handler(event, { final });
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      await repo.update({ id: event.id }, { status: final ? 'failed' : 'processing', lastError: message.slice(0, MAX_ERROR_LENGTH) });
      deps.metrics.jobFailures.inc({ queue: 'inbound', final: String(final) });
      deps.logger.warn({ eventId: event.id, kind: event.kind, attempt: job.attemptsMade + 1, final, err: error }, 'event handler failed');
      throw error;
    }
    await repo.update({ id: event.id }, { status: 'done', processedAt: new Date(), lastError: null });
    deps.metrics.eventsProcessed.inc({ kind: event.kind, outcome: 'done' });
    return 'done';
  };
}
