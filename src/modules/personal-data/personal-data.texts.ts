import type { Candidate } from './customer-lookup';
import type { CustomerExport } from './customer-export.service';
import type { ErasureCounts } from './customer-erasure.service';

/** What a person reads: the CLI and the admin route say the same things, in Chinese. */

export const unknownCustomerText = (ref: string): string => `找不到客户「${ref}」：请给出 external_userid 或客户名称。`;

export const erasedCustomerText = (ref: string): string => `客户「${ref}」的个人信息已删除过，没有可导出或再删除的内容。`;

export function ambiguousText(ref: string, candidates: Candidate[]): string {
  const lines = candidates
    .slice(0, 20)
    .map((c) => `  ${c.externalUserid ?? '（无 external_userid）'}  ${c.name}${c.owners.length ? `  跟进人：${c.owners.join('、')}` : ''}`);
  const more = candidates.length > 20 ? ['  ……（还有更多，请写得更具体）'] : [];
  return [`「${ref}」对应 ${candidates.length > 20 ? '20 个以上' : candidates.length} 个客户，请用 external_userid 指定其中一个：`, ...lines, ...more].join(
    '\n',
  );
}

export function exportSummary(doc: CustomerExport, stageName: (stage: string) => string = (s) => s): string {
  const c = doc.customer;
  const owners = doc.relations.map((r) => `${r.staffUserid}${r.status === 'active' ? '' : `（${r.status}）`}`);
  return [
    `客户：${c.name}（${c.externalUserid ?? '无 external_userid'}）`,
    `跟进人：${owners.length ? owners.join('、') : '无'}`,
    `阶段：${stageName(c.stage)}，阶段变更 ${doc.stageChanges.length} 次`,
    `跟进记录 ${doc.followUps.length} 条，提醒 ${doc.reminders.length} 条，商机 ${doc.opportunities.length} 个（变更 ${doc.opportunityChanges.length} 次），标签 ${doc.tags.length} 个`,
    `SOP ${doc.sopRuns.length} 次（步骤 ${doc.sopRuns.reduce((n, r) => n + r.steps.length, 0)} 个），所在客户群 ${doc.groupMemberships.length} 个`,
    `提到该客户的回调 ${doc.inboundEvents.length} 条，发出的消息 ${doc.outboundMessages.length} 条，操作记录 ${doc.auditTrail.length} 条，时间线 ${doc.timeline.length} 条`,
  ].join('\n');
}

export function erasureCountsText(counts: ErasureCounts): string {
  const tables = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  return tables.length ? tables.map(([table, n]) => `  ${table}: ${n} 行`).join('\n') : '  （无）';
}
