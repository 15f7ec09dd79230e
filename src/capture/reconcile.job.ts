import { driftReportMarkdown } from '../../templates/cards/capture-alert.cards';
import type { Container } from '../container';
import type { Queue } from '../queue/queues';
import { syncRepeatableJob } from '../queue/repeatable';
import type { CaptureModule } from './capture.module';
import { CustomerSync, type SyncReport } from './customer-sync';

export const RECONCILE_JOB = 'reconcile';

/** The nightly reconciliation as a Bull repeatable job, its schedule kept equal to the config at every worker start. */
export async function scheduleReconciliation(queue: Queue, cron: string | undefined, tz: string): Promise<void> {
  await syncRepeatableJob(queue, RECONCILE_JOB, cron, tz);
}

/** Runs the reconciliation and sends admins the drift report when anything differed. */
export async function reconcileAndReport(container: Container, capture: CaptureModule, now: () => Date = () => new Date()): Promise<SyncReport> {
  const sync = new CustomerSync(container.dataSource, container.wecomApi, capture.dictionary, capture.groups);
  const report = await sync.run('reconcile');
  const total = [report.customers, report.relations, report.tags, report.groups].reduce((n, d) => n + d.added + d.removed + d.changed, 0) + report.customerTags.added + report.customerTags.removed;
  container.logger.info({ runId: report.runId, customers: report.customers, relations: report.relations, tags: report.tags, customerTags: report.customerTags, groups: report.groups }, 'reconciliation finished');
  if (total === 0) return report;
  const content = driftReportMarkdown({
    at: capture.alerts.formatTime(now()),
    customers: report.customers,
    relations: { added: report.relations.added, ended: report.relations.removed, changed: report.relations.changed },
    tags: report.tags,
    customerTags: report.customerTags,
    groups: report.groups,
    samples: report.samples,
  });
  for (const admin of container.config.admins) {
    await container.outbound.enqueue({ channel: 'user', touser: admin, message: { msgtype: 'markdown', markdown: { content } }, idempotencyKey: `drift:${report.runId}:${admin}` });
  }
  return report;
}
