import type { Container } from './container';
import { createInboundProcessor } from './platform/events/inbound.processor';
import { INBOUND_JOB } from './platform/events/inbound.producer';
import { sweepStaleEvents } from './platform/events/stale-event.sweeper';
import { processor, type WorkModule } from './platform/module';
import { createOutboundProcessor } from './platform/outbound/outbound.processor';
import { BOT_OUTBOUND_JOB, OUTBOUND_JOB } from './platform/outbound/outbound.types';
import { RetryLater } from './platform/outbound/outbound.processor';
import { setLocallyPaused } from './platform/queue/queues';
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

  const work = bindWork(container, [platform, retention, ...botWork(container), ...(options.modules ?? coreModules(container))]);
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

/**
 * The smart bot (when configured): this worker competes for its connection (bot-link.ts), and works
 * the bot queue only while it holds it (a local pause otherwise). A job that still reaches a worker
 * without the connection (the moment it is lost or not yet up) waits a second and goes to whoever has it.
 */
function botWork(container: Container): WorkModule[] {
  const bot = container.bot;
  if (!bot) return [];
  const queue = container.queues.get('bot');
  const pause = (paused: boolean) =>
    setLocallyPaused(queue, paused).catch((error) => container.logger.warn({ err: error, paused }, 'bot queue: local pause not changed'));
  void pause(true);
  bot.onHolding((holding) => void pause(!holding));
  const deliver = createOutboundProcessor(container);
  return [
    {
      name: 'bot',
      processors: [processor(BOT_OUTBOUND_JOB, (job) => (bot.ready ? deliver(job) : Promise.reject(new RetryLater(1000, 'retry'))))],
      produces: [BOT_OUTBOUND_JOB],
      start: async () => bot.start(),
    },
  ];
}
