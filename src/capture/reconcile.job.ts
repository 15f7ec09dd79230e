import { driftReportMarkdown } from '../../templates/cards/capture-alert.cards';
import type { Container } from '../container';
import type { Queue } from '../queue/queues';
import type { CaptureModule } from './capture.module';
import { CustomerSync, type SyncReport } from './customer-sync';

export const RECONCILE_JOB = 'reconcile';

/**
 * The nightly reconciliation as a Bull repeatable job. Repeatable jobs outlive deploys, so at every
 * worker start the schedule in Redis is made equal to the config: others removed, ours added once
 * (Bull keys a repeatable by name + cron + tz, so adding the same one again is a no-op).
 */
export async function scheduleReconciliation(queue: Queue, cron: string | undefined, tz: string): Promise<void> {
  for (const job of await queue.getRepeatableJobs()) {
    if (job.name !== RECONCILE_JOB || job.cron !== cron || job.tz !== tz) await queue.removeRepeatableByKey(job.key);
  }
  if (cron) await queue.add(RECONCILE_JOB, {}, { repeat: { cron, tz }, removeOnComplete: 20, removeOnFail: 50, attempts: 3, backoff: { type: 'exponential', delay: 60_000 } });
}

/** Runs the reconciliation and sends admins the drift report when anything differed. */
export async function reconcileAndReport(container: Container, capture: CaptureModule, now: () => Date = () => new Date()): Promise<SyncReport> {
  const sync = new CustomerSync(container.dataSource, container.wecomApi, capture.dictionary, capture.groups);
  const report = await sync.run('reconcile');
  const total = [report.customers, report.relations, report.tags, report.groups].reduce((n, d) => n + d.added + d.removed + d.changed, 0);
  container.logger.info({ runId: report.runId, customers: report.customers, relations: report.relations, tags: report.tags, groups: report.groups }, 'reconciliation finished');
  if (total === 0) return report;
  const content = driftReportMarkdown({
    at: capture.alerts.formatTime(now()),
    customers: report.customers,
    relations: { added: report.relations.added, ended: report.relations.removed, changed: report.relations.changed },
    tags: report.tags,
    groups: report.groups,
    samples: report.samples,
  });
  for (const admin of container.config.admins) {
    await container.outbound.enqueue({ channel: 'user', touser: admin, message: { msgtype: 'markdown', markdown: { content } }, idempotencyKey: `drift:${report.runId}:${admin}` });
  }
  return report;
}
