import type { DataSource } from 'typeorm';
import { pruneInboundPayloads } from './inbound-retention';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { Queue } from '../queue/queues';
import { scheduledTime, syncRepeatableJob } from '../queue/repeatable';

/** The repeatable job's name on the maintenance queue (beside `reconcile` and the digests). */
export const PRUNE_INBOUND_JOB = 'prune-inbound-payloads';

export interface InboundRetentionDeps {
  dataSource: DataSource;
  logger: Logger;
  metrics: Metrics;
  payloadDays: number;
  /** 5-field cron in `timezone`; undefined = off */
  cron: string | undefined;
  timezone: string;
}

/**
 * The daily prune of inbound payloads as a Bull repeatable job: one run a day across every worker
 * (Bull hands a repeatable occurrence to one of them), its schedule made equal to the config at every
 * worker start. A run counts its days from when it was due, so a late one prunes the same rows.
 */
export async function registerInboundRetention(maintenance: Queue, deps: InboundRetentionDeps): Promise<void> {
  // Off: the schedule is removed (a worker started with the old config may have left it), and no
  // processor waits on the maintenance queue for a job that will not come.
  if (!deps.cron) return syncRepeatableJob(maintenance, PRUNE_INBOUND_JOB, undefined, deps.timezone);
  // process() settles only when the queue stops; closing the queue while it still starts up rejects
  // it with "Connection is closed.", which is no error of the prune (Bull reports real ones as 'error').
  const processing = maintenance.process(PRUNE_INBOUND_JOB, 1, async (job) => {
    const processedBefore = new Date(scheduledTime(job).getTime() - deps.payloadDays * 86_400_000);
    const pruned = await pruneInboundPayloads(deps.dataSource, { processedBefore });
    deps.metrics.inboundPayloadsPruned.inc(pruned);
    deps.logger.info({ pruned, processedBefore: processedBefore.toISOString(), days: deps.payloadDays }, 'inbound event payloads pruned');
    return pruned;
  });
  processing.catch(() => undefined);
  await syncRepeatableJob(maintenance, PRUNE_INBOUND_JOB, deps.cron, deps.timezone);
}
