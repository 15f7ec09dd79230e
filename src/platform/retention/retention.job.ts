import type { DataSource } from 'typeorm';
import { pruneAuditEntries } from '../db/audit-retention';
import { pruneInboundPayloads } from '../events/inbound-retention';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { processor, type WorkModule } from '../module';
import { pruneOutboundBodies } from '../outbound/outbound-retention';
import { defineJob } from '../queue/job-definition';
import { JOB_OPTIONS } from '../queue/job-options';
import { scheduledTime } from '../queue/repeatable';

/** The repeatable job's name on the maintenance queue (beside `reconcile` and the digests). */
export const RETENTION_JOB = 'apply-retention';
const RETENTION = defineJob({ queue: 'maintenance', name: RETENTION_JOB, concurrency: 1, options: JOB_OPTIONS.scheduled });
/** The job's name when it pruned callback payloads only: its schedule, left by an older worker, is removed at start. */
const FORMER_JOB = defineJob({ queue: 'maintenance', name: 'prune-inbound-payloads', concurrency: 1, options: JOB_OPTIONS.scheduled });

/** How long each kind of personal data is kept (config: INBOUND_PAYLOAD_RETENTION_DAYS, OUTBOUND_BODY_RETENTION_DAYS, AUDIT_RETENTION_DAYS). */
export interface RetentionPeriods {
  inboundPayloadDays: number;
  outboundBodyDays: number;
  auditDays: number;
}

export interface RetentionDeps {
  dataSource: DataSource;
  logger: Logger;
  metrics: Metrics;
  periods: RetentionPeriods;
  /** 5-field cron in `timezone`; undefined = off */
  cron: string | undefined;
  timezone: string;
}

const daysBefore = (at: Date, days: number) => new Date(at.getTime() - days * 86_400_000);

/**
 * The daily retention run as a Bull repeatable job: callback payloads, outbound message bodies and
 * audit entries past their period go, each in batches. One run a day across every worker (Bull hands
 * a repeatable occurrence to one of them), its schedule made equal to the config at every worker
 * start. A run counts its days from when it was due, so a late one prunes the same rows.
 */
export function retentionModule(deps: RetentionDeps): WorkModule {
  const schedules = [
    { job: RETENTION, cron: deps.cron, tz: deps.timezone },
    { job: FORMER_JOB, cron: undefined },
  ];
  // Off: the schedule is removed (a worker started with the old config may have left it), and no
  // processor waits on the maintenance queue for a job that will not come.
  if (!deps.cron) return { name: 'retention', schedules };
  const run = processor(RETENTION, async (job) => {
    const due = scheduledTime(job);
    const { periods, logger, metrics, dataSource } = deps;
    const processedBefore = daysBefore(due, periods.inboundPayloadDays);
    const inbound = await pruneInboundPayloads(dataSource, { processedBefore });
    metrics.inboundPayloadsPruned.inc(inbound);
    logger.info({ pruned: inbound, processedBefore: processedBefore.toISOString(), days: periods.inboundPayloadDays }, 'inbound event payloads pruned');

    const createdBefore = daysBefore(due, periods.outboundBodyDays);
    const outbound = await pruneOutboundBodies(dataSource, { createdBefore });
    metrics.outboundBodiesPruned.inc(outbound);
    logger.info({ pruned: outbound, createdBefore: createdBefore.toISOString(), days: periods.outboundBodyDays }, 'outbound message bodies pruned');

    const auditBefore = daysBefore(due, periods.auditDays);
    const audit = await pruneAuditEntries(dataSource, { createdBefore: auditBefore });
    metrics.auditEntriesPruned.inc(audit);
    logger.info({ pruned: audit, createdBefore: auditBefore.toISOString(), days: periods.auditDays }, 'audit entries pruned');
    return { inbound, outbound, audit };
  });
  return { name: 'retention', processors: [run], schedules };
}
