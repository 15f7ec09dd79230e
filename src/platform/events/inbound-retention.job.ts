import type { DataSource } from 'typeorm';
import { pruneInboundPayloads } from './inbound-retention';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { processor, type WorkModule } from '../module';
import { defineJob } from '../queue/job-definition';
import { JOB_OPTIONS } from '../queue/job-options';
import { scheduledTime } from '../queue/repeatable';

/** The repeatable job's name on the maintenance queue (beside `reconcile` and the digests). */
export const PRUNE_INBOUND_JOB = 'prune-inbound-payloads';
const PRUNE_INBOUND = defineJob({ queue: 'maintenance', name: PRUNE_INBOUND_JOB, concurrency: 1, options: JOB_OPTIONS.scheduled });

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
export function inboundRetentionModule(deps: InboundRetentionDeps): WorkModule {
  const schedule = { job: PRUNE_INBOUND, cron: deps.cron, tz: deps.timezone };
  // Off: the schedule is removed (a worker started with the old config may have left it), and no
  // processor waits on the maintenance queue for a job that will not come.
  if (!deps.cron) return { name: 'inbound retention', schedules: [schedule] };
  const prune = processor(PRUNE_INBOUND, async (job) => {
    const processedBefore = new Date(scheduledTime(job).getTime() - deps.payloadDays * 86_400_000);
    const pruned = await pruneInboundPayloads(deps.dataSource, { processedBefore });
    deps.metrics.inboundPayloadsPruned.inc(pruned);
    deps.logger.info({ pruned, processedBefore: processedBefore.toISOString(), days: deps.payloadDays }, 'inbound event payloads pruned');
    return pruned;
  });
  return { name: 'inbound retention', processors: [prune], schedules: [schedule] };
}
