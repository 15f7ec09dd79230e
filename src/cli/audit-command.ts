import { parseArgs } from 'node:util';
import { type FindOptionsWhere, In, MoreThanOrEqual, Raw } from 'typeorm';
import { AuditLog } from '../../entities';
import type { Container } from '../container';
import dayjs from '../platform/dayjs';
import { AUDIT_ACTIONS } from '../platform/db/audit-actions';
import { createPersonalDataService } from '../personal-data-service';
import { type CommandIo, EXIT } from './customer-command';

const USAGE = [
  '用法：npm run audit -- [--customer <external_userid | 名称 | #客户编号>] [--actor <userid>] [--action <操作，如 tag 或 tag.add>] [--since <YYYY-MM-DD | ISO 时间>] [--limit 200]',
  '操作：',
  ...Object.entries(AUDIT_ACTIONS).map(([name, meaning]) => `  ${name.padEnd(24)}${meaning}`),
].join('\n');

/** `tag.add` is one action; `tag` is every `tag.*` (and an action named `tag`, were there one). */
function actionFilter(action: string) {
  return action.includes('.') ? action : Raw((alias) => `(${alias} = :action OR ${alias} LIKE :prefix)`, { action, prefix: `${action}.%` });
}

const knownAction = (action: string) => Object.keys(AUDIT_ACTIONS).some((name) => name === action || name.startsWith(`${action}.`));

/** `npm run audit -- …`: the audit trail, oldest first, filtered by customer, actor, action and time. */
export async function runAuditCommand(container: Container, argv: string[], io: CommandIo): Promise<number> {
  let values: { customer?: string; actor?: string; action?: string; since?: string; limit?: string };
  try {
    values = parseArgs({
      args: argv,
      options: { customer: { type: 'string' }, actor: { type: 'string' }, action: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' } },
    }).values;
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return EXIT.usage;
  }
  const where: FindOptionsWhere<AuditLog> = {};
  if (values.actor) where.actor = values.actor.toLowerCase();
  if (values.action) {
    const action = values.action.trim();
    if (!knownAction(action)) {
      io.err(`没有这种操作：${action}\n${USAGE}`);
      return EXIT.usage;
    }
    where.action = actionFilter(action);
  }
  if (values.since) {
    const since = dayjs.tz(values.since, container.config.timezone);
    if (!since.isValid()) {
      io.err(`--since 看不懂：${values.since}\n${USAGE}`);
      return EXIT.usage;
    }
    where.createdAt = MoreThanOrEqual(since.toDate());
  }
  const limit = Math.min(Math.max(Number(values.limit ?? 200) || 200, 1), 10_000);
  const wheres: Array<FindOptionsWhere<AuditLog>> = [];
  if (values.customer) {
    const ref = values.customer.trim();
    const byRowId = /^#?\d+$/.test(ref) ? ref.replace('#', '') : null;
    let customerId = byRowId;
    let externalUserid: string | null = null;
    if (!customerId) {
      const resolved = await createPersonalDataService(container).resolve(ref);
      if (resolved.kind !== 'found') {
        io.err(resolved.message);
        return resolved.kind === 'ambiguous' ? EXIT.ambiguous : EXIT.unknown;
      }
      customerId = String(resolved.customer.id);
      externalUserid = resolved.customer.externalUserid;
    }
    wheres.push({ ...where, targetType: 'customer', targetId: customerId });
    // events about a customer not (yet) stored name them by external_userid
    if (externalUserid) wheres.push({ ...where, targetId: In([externalUserid]) });
  } else wheres.push(where);

  const rows = await container.dataSource.getRepository(AuditLog).find({ where: wheres, order: { id: 'DESC' }, take: limit });
  if (rows.length === 0) {
    io.out('没有符合条件的操作记录。');
    return EXIT.ok;
  }
  for (const r of rows.reverse()) {
    const at = dayjs(r.createdAt).tz(container.config.timezone).format('YYYY-MM-DD HH:mm:ss');
    const detail = r.detail ? ` ${JSON.stringify(r.detail)}` : '';
    io.out(`${at}  ${r.actor}  ${r.action}  ${r.targetType}#${r.targetId}${detail}`);
  }
  if (rows.length === limit) io.out(`（只显示最近 ${limit} 条：用 --since 或 --limit 调整）`);
  return EXIT.ok;
}
