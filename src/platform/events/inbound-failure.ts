import { In, type DataSource } from 'typeorm';
import { InboundEvent } from '../../../entities';
import type { EventFailure, EventHandlerRegistry } from './event-handler.registry';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';

export interface EventFailureDeps {
  dataSource: DataSource;
  handlers: EventHandlerRegistry;
  logger: Logger;
  metrics: Metrics;
}

const UNFINISHED = ['received', 'processing', 'deferred'] as const;

/**
 * Ends an event as failed, visibly: the reason on its row, a metric, a log line, and the notice of
 * its kind (the salesperson who typed a command is answered). Only the caller that moves the row
 * out of an unfinished state does this, so a job and a sweeper failing one event tell once.
 * Returns false when the event had already ended.
 */
export async function failEvent(deps: EventFailureDeps, event: InboundEvent, failure: EventFailure): Promise<boolean> {
  const written = await deps.dataSource
    .getRepository(InboundEvent)
    .update({ id: event.id, status: In([...UNFINISHED]) }, { status: 'failed', lastError: failure.reason });
  if (!written.affected) return false;
  deps.metrics.eventsFailed.inc({ kind: event.kind, cause: failure.cause });
  deps.logger.warn({ eventId: event.id, kind: event.kind, cause: failure.cause, attempts: event.attempts }, 'event failed for good');
  const notice = deps.handlers.resolveFailureNotice(event.kind);
  if (notice) {
    try {
      await notice(event, failure);
    } catch (error) {
      // The row says what happened; the notice is a courtesy that must not turn the failure into a retry.
      deps.logger.error({ eventId: event.id, kind: event.kind, err: error }, 'could not tell anyone that the event failed');
    }
  }
  return true;
}
