import type { Customer } from '../../entities';
import dayjs from '../../src/dayjs';
import { STAGE_NAMES } from '../../src/services/stage.service';
import type { TemplateCard } from '../../src/wecom/api/wecom-api.types';
import { customerProfileCard } from '../../templates/cards/bot-cards';
import { formatChineseDateTime } from '../dates/chinese-date.parser';
import type { BotServices } from './bot-services';

/** The 360° profile card of one customer (查客户, and the 查看客户 button of a reminder card). */
export async function buildProfileCard(services: BotServices, customer: Customer, now: Date, timezone: string): Promise<TemplateCard> {
  const profile = await services.customers.profile(customer.id);
  const [tags, recent, reminders, opportunities] = await Promise.all([
    services.tags.namesFor(customer.id),
    services.followUps.recent(customer.id, 3),
    services.reminders.pendingForCustomer(customer.id),
    services.opportunities.openFor(customer.id),
  ]);
  const firstAdded = profile.relations.map((r) => r.addedAt).filter((d): d is Date => !!d).sort((a, b) => a.getTime() - b.getTime())[0];
  const opportunity = opportunities[0];
  return customerProfileCard({
    name: customer.name,
    stage: STAGE_NAMES[customer.stage] ?? customer.stage,
    daysAsCustomer: firstAdded ? dayjs(now).diff(firstAdded, 'day') : null,
    owners: profile.relations.filter((r) => r.status === 'active').map((r) => r.staffName ?? r.staffUserid),
    channel: profile.relations.find((r) => r.state)?.state ?? null,
    tags,
    recentFollowUps: recent.map((f) => ({ when: dayjs(f.createdAt).tz(timezone).format('M/D'), content: f.content })),
    nextReminder: reminders[0] ? `${formatChineseDateTime(reminders[0].dueAt, timezone, now)} ${reminders[0].content}` : null,
    openOpportunity: opportunity ? `¥${opportunity.amount}${opportunity.probability !== null ? ` · ${opportunity.probability}%` : ''}` : null,
  });
}
