import type { Reminder } from '../entities';
import type { Container } from './container';
import { createOutboundDelivery, createOutboundProcessor } from './platform/outbound/outbound.processor';
import { createInboundProcessor } from './platform/events/inbound.processor';
import { registerInboundRetention } from './platform/events/inbound-retention.job';
import { jobStanding } from './platform/queue/queues';
import { createReminderProcessor } from './modules/reminders/reminder.processor';
import { reminderJobId } from './modules/reminders/reminder.scheduler';
import { createSopScheduler } from './modules/sop/sop.scheduler';
import { sweepStaleEvents } from './platform/events/stale-event.sweeper';
import { overdueAt } from './modules/reminders/overdue-escalation';

export interface WorkerHandle {
  /** stop taking jobs and sweeping; running jobs finish when the container's queues close. */
  stop(): void;
  sweepNow(): Promise<number>;
}

export interface WorkerOptions {
  sweepEveryMs?: number;
}

/** Starts the Bull processors and the stale-event sweeper in this process. */
export function startWorker(container: Container, options: WorkerOptions = {}): WorkerHandle {
  const { queues, logger, config } = container;
  const inbound = queues.get('inbound');
  void inbound.process(config.workerConcurrency, createInboundProcessor(container));
  inbound.on('failed', (job, error) => {
    logger.debug({ queue: 'inbound', jobId: job.id, err: error }, 'job attempt failed');
  });

  // Waiting (pacing, quiet hours, backoff) is a Bull retry with a computed delay: not worth a log line.
  void queues.get('outbound').process(config.outbound.concurrency, createOutboundProcessor(container));
  // Welcomes are sent from the handler that has the code (outbound.sendNow), not one queue hop later.
  container.outbound.attachDelivery(createOutboundDelivery(container));
  // Messages held by quiet hours follow the setting this worker started with (CRM_QUIET_HOURS=off releases them).
  container.outbound.reevaluateQuietHolds().catch((error) => logger.warn({ err: error }, 'quiet-hours re-evaluation failed'));

  // A fired reminder still open CRM_OVERDUE_AFTER_MINUTES after its due time goes to the team group (reminders/overdue-escalation.ts).
  const sopScheduler = createSopScheduler(queues, container.now);
  const afterFired = (reminder: Reminder, firedAt: Date) =>
    sopScheduler.scheduleOverdueCheck(reminder.id, firedAt, overdueAt({ dueAt: reminder.dueAt, firedAt }, config.sop.overdueAfterMs));
  void queues.get('reminders').process(
    16,
    createReminderProcessor({
      dataSource: container.dataSource,
      outbound: container.outbound,
      reminders: container.services.reminders,
      logger,
      timezone: config.timezone,
      afterFired,
      now: container.now,
    }),
  );
  const sweepReminders = async () => {
    // Reminders that came due while no job existed for them (Redis lost it): fire them now, late but not lost.
    const due = await container.services.reminders.dueWithoutJob(new Date(container.now()));
    const scheduler = container.reminderScheduler;
    for (const reminder of due) {
      // A job Bull only keeps (it failed for good, or it is from before a database restore) will not fire it: schedule replaces it.
      if ((await jobStanding(queues.get('reminders'), reminderJobId(reminder.id))).state !== 'pending') await scheduler.schedule(reminder.id, reminder.dueAt);
    }
  };
  sweepReminders().catch((error) => logger.warn({ err: error }, 'reminder sweep failed'));

  // Processed events lose their payload after INBOUND_PAYLOAD_RETENTION_DAYS (a daily job on the maintenance queue).
  registerInboundRetention(queues.get('maintenance'), {
    dataSource: container.dataSource,
    logger,
    metrics: container.metrics,
    payloadDays: config.inboundRetention.payloadDays,
    cron: config.inboundRetention.cron,
    timezone: config.timezone,
  }).catch((error) => logger.error({ err: error }, 'inbound retention schedule sync failed'));

  const sweepNow = () =>
    sweepStaleEvents(container, {
      staleAfterMs: config.staleEventAfterMs,
      batchSize: 500,
      maxAttempts: config.inboundRetry.attempts,
    });
  const timer = setInterval(() => {
    sweepNow().catch((error) => logger.warn({ err: error }, 'stale-event sweep failed'));
    container.outbound.requeueStale(config.staleEventAfterMs).catch((error) => logger.warn({ err: error }, 'outbound sweep failed'));
    sweepReminders().catch((error) => logger.warn({ err: error }, 'reminder sweep failed'));
  }, options.sweepEveryMs ?? 30_000);
  timer.unref();

  logger.info({ concurrency: config.workerConcurrency, handlers: container.handlers.kinds(), queues: queues.keyPrefix }, 'worker started');
  return {
    stop: () => clearInterval(timer),
    sweepNow,
  };
}
