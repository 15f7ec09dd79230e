import { driftReportMarkdown } from '../../../templates/cards/capture-alert.cards';
import type { DataSource } from 'typeorm';
import type { Logger } from '../../platform/logger';
import { defineJob } from '../../platform/queue/job-definition';
import { JOB_OPTIONS } from '../../platform/queue/job-options';
import type { Queue } from '../../platform/queue/queues';
import { syncRepeatableJob } from '../../platform/queue/repeatable';
import type { WecomApiClient } from '../../platform/wecom/api/wecom-api.client';
import { shortId } from './capture-alerts';
import type { CaptureAlerts } from './capture-alerts';
import type { CorpTagDictionary } from './corp-tag-dictionary';
import type { CustomerGroupSync } from './customer-group.sync';
import { CustomerSync, type EndedRelation, type SyncReport } from './customer-sync';

export const RECONCILE_JOB = 'reconcile';
export const RECONCILE = defineJob({ queue: 'maintenance', name: RECONCILE_JOB, concurrency: 1, options: JOB_OPTIONS.scheduled });

/** The parts of capture (capture.module.ts) a reconciliation uses. */
export interface ReconcileParts {
  dictionary: CorpTagDictionary;
  groups: CustomerGroupSync;
  alerts: CaptureAlerts;
}

export interface ReconcileDeps {
  dataSource: DataSource;
  wecomApi: WecomApiClient;
  logger: Logger;
}

/** The nightly reconciliation as a Bull repeatable job, its schedule kept equal to the config at every worker start. */
export async function scheduleReconciliation(queue: Queue, cron: string | undefined, tz: string): Promise<void> {
  await syncRepeatableJob(queue, RECONCILE_JOB, cron, tz);
}

/**
 * Runs the reconciliation; tells each salesperson whose customers WeCom no longer lists (a 删人提醒,
 * as a del_follow_user would have) and the leads of salespeople who left customer contact; sends
 * the drift report (admins, or every team lead when CRM_ADMINS is empty) when anything differed.
 */
export async function reconcileAndReport(deps: ReconcileDeps, capture: ReconcileParts, now: () => Date = () => new Date()): Promise<SyncReport> {
  const sync = new CustomerSync(deps.dataSource, deps.wecomApi, capture.dictionary, capture.groups);
  const report = await sync.run('reconcile');
  const total =
    [report.customers, report.relations, report.tags, report.groups].reduce((n, d) => n + d.added + d.removed + d.changed, 0) +
    report.customerTags.added +
    report.customerTags.removed;
  deps.logger.info(
    {
      runId: report.runId,
      customers: report.customers,
      relations: report.relations,
      tags: report.tags,
      customerTags: report.customerTags,
      groups: report.groups,
    },
    'reconciliation finished',
  );
  if (total === 0) return report;
  const at = capture.alerts.formatTime(now());
  await alertEndedRelations(capture, report, at);
  const content = driftReportMarkdown({
    at,
    customers: report.customers,
    relations: { added: report.relations.added, ended: report.relations.removed, changed: report.relations.changed },
    tags: report.tags,
    customerTags: report.customerTags,
    groups: report.groups,
    samples: report.samples,
  });
  await capture.alerts.driftReport(content, `drift:${report.runId}`);
  return report;
}

/** One alert per salesperson and kind for the run (keyed by the run, so a retried job sends each once). */
async function alertEndedRelations(capture: ReconcileParts, report: SyncReport, at: string): Promise<void> {
  const groups = new Map<string, EndedRelation[]>();
  for (const ended of report.ended) {
    const key = `${ended.reason === 'missing_in_wecom' ? 'missing' : 'left'}:${shortId(ended.staffUserid)}`;
    groups.set(key, [...(groups.get(key) ?? []), ended]);
  }
  for (const [key, ended] of groups) {
    const { reason, staffUserid } = ended[0]!;
    const input = { customers: ended.map((e) => e.customerName), total: ended.length, staffUserid, at };
    const alertKey = `alert:reconcile:${report.runId}:${key}`;
    if (reason === 'missing_in_wecom') await capture.alerts.customersMissing(input, alertKey);
    else await capture.alerts.followerGone(input, alertKey);
  }
}
