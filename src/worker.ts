import type { Container } from './container';
import { createInboundProcessor } from './platform/events/inbound.processor';
import { INBOUND_JOB } from './platform/events/inbound.producer';
import { sweepStaleEvents } from './platform/events/stale-event.sweeper';
import { processor, type WorkModule } from './platform/module';
import { createOutboundProcessor } from './platform/outbound/outbound.processor';
import { OUTBOUND_JOB } from './platform/outbound/outbound.types';
import { bindWork } from './platform/queue/job-registry';
import { retentionModule } from './platform/retention/retention.job';
import { coreModules } from './feature-modules';

export interface WorkerHandle {
  /** stop taking jobs and sweeping; running jobs finish when the container's queues close. */
  stop(): void;
  sweepNow(): Promise<number>;
  /** settles when the start-up work (schedules, module start-up) is done */
  ready: Promise<void>;
}

export interface WorkerOptions {
  sweepEveryMs?: number;
  /** the feature modules this worker runs (default: reminders only; src/modules/index.ts builds them all) */
  modules?: WorkModule[];
}

/**
 * Starts the worker role in this process: the platform's work (inbound events, outbound messages,
 * the retention job, the sweeps of rows whose job is gone) and the modules', all bound through the
 * job registry, which refuses at start a job nobody runs, or a job or event kind claimed twice.
 */
export function startWorker(container: Container, options: WorkerOptions = {}): WorkerHandle {
  const { queues, logger, config } = container;
  const sweepNow = () => sweepStaleEvents(container, { staleAfterMs: config.staleEventAfterMs, batchSize: 500, maxAttempts: config.inboundRetry.attempts });
  const platform: WorkModule = {
    name: 'platform',
    processors: [
      processor({ ...INBOUND_JOB, concurrency: config.workerConcurrency }, createInboundProcessor(container)),
      // Waiting (pacing, quiet hours, backoff) is a Bull retry with a computed delay: not worth a log line.
      processor({ ...OUTBOUND_JOB, concurrency: config.outbound.concurrency }, createOutboundProcessor(container)),
    ],
    produces: [INBOUND_JOB, OUTBOUND_JOB],
    periodic: [
      { name: 'stale-event sweep', run: sweepNow },
      { name: 'outbound sweep', run: () => container.outbound.requeueStale(config.staleEventAfterMs) },
    ],
    // Messages held by quiet hours follow the setting this worker started with (CRM_QUIET_HOURS=off releases them).
    start: async () => void (await container.outbound.reevaluateQuietHolds()),
  };
  // Callback payloads, outbound bodies and audit entries past their retention go (a daily job on the maintenance queue).
  const retention = retentionModule({
    dataSource: container.dataSource,
    logger,
    metrics: container.metrics,
    periods: {
      inboundPayloadDays: config.inboundRetention.payloadDays,
      outboundBodyDays: config.retention.outboundBodyDays,
      auditDays: config.retention.auditDays,
    },
    cron: config.inboundRetention.cron,
    timezone: config.timezone,
  });

  const work = bindWork(container, [platform, retention, ...(options.modules ?? coreModules(container))]);
  queues.get('inbound').on('failed', (job, error) => {
    logger.debug({ queue: 'inbound', jobId: job.id, err: error }, 'job attempt failed');
  });

  const runAll = (atStart: boolean) =>
    Promise.all(
      work.periodic.filter((task) => !atStart || task.atStart).map((task) => task.run().catch((error) => logger.warn({ err: error }, `${task.name} failed`))),
    );
  // start-up work and the sweeps that run at start (a lost reminder fired late): what `ready` waits for
  const ready = Promise.all([work.start(), runAll(true)]).then(() => undefined);
  const timer = setInterval(() => void runAll(false), options.sweepEveryMs ?? 30_000);
  timer.unref();

  logger.info({ concurrency: config.workerConcurrency, handlers: container.handlers.kinds(), jobs: work.jobs, queues: queues.keyPrefix }, 'worker started');
  return { stop: () => clearInterval(timer), sweepNow, ready };
}
