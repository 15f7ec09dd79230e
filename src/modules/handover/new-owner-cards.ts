import { type DataSource, In } from 'typeorm';
import { Customer, type Handover, type HandoverCustomer } from '../../../entities';
import { type HandedCustomer, OWNER_CARDS_AT_MOST, handedCustomerCard, handedCustomersDigest } from '../../../templates/cards/handover-owner.cards';
import { reminderMatter } from '../../../templates/cards/reminder-cards';
import { formatChineseDateTime } from '../../../templates/format-date';
import { STAGE_NAMES } from '../../../templates/labels';
import { openOpportunitiesLine } from '../../../templates/opportunities';
import dayjs from '../../platform/dayjs';
import type { OutboundService } from '../../platform/outbound/outbound.service';
import { CustomerTimeline } from '../customers';

export interface NewOwnerCardDeps {
  dataSource: DataSource;
  outbound: OutboundService;
  timezone: string;
  now: () => Date;
}

/** Whole calendar days in `timezone` since `since` (null when unknown). */
function daysSince(since: Date | null, now: Date, timezone: string): number | null {
  if (!since) return null;
  const day = (at: Date) => dayjs(at).tz(timezone).startOf('day');
  return Math.max(0, day(now).diff(day(since), 'day'));
}

/**
 * Tells the new owner what they received once a handover settled: a card per customer taken over
 * (from the timeline: how long a customer, the stage, the last follow-ups, open reminders and
 * opportunities — theirs now), or one digest when more than five arrived. Once per handover and
 * customer (the idempotency keys), so a repeated settle sends nothing twice.
 */
export async function tellNewOwner(
  deps: NewOwnerCardDeps,
  handover: Handover,
  done: Array<HandoverCustomer>,
  names: (userid: string) => string,
  touser: string,
): Promise<void> {
  if (done.length === 0) return;
  const timeline = new CustomerTimeline(deps.dataSource, undefined, deps.timezone);
  const now = deps.now();
  const customers: Customer[] = [];
  for (let i = 0; i < done.length; i += 500)
    customers.push(...(await deps.dataSource.getRepository(Customer).findBy({ id: In(done.slice(i, i + 500).map((d) => d.customerId)) })));
  const byId = new Map(customers.map((c) => [c.id, c]));
  const handed: Array<HandedCustomer & { customerId: number; fromName: string; opportunities: number }> = [];
  for (const row of done) {
    const customer = byId.get(row.customerId);
    if (!customer) continue;
    const s = await timeline.summary(customer);
    const next = s.openReminders[0];
    handed.push({
      customerId: customer.id,
      fromName: names(row.fromUserid),
      name: customer.name,
      stage: STAGE_NAMES[s.stage as keyof typeof STAGE_NAMES] ?? s.stage,
      daysAsCustomer: daysSince(s.customerSince, now, deps.timezone),
      recentFollowUps: s.recentFollowUps.map((f) => `${dayjs(f.at).tz(deps.timezone).format('M/D')} ${f.actor}：${f.content.replace(/\s*\n\s*/g, ' / ')}`),
      openReminders: s.openReminders.length,
      nextReminder: next ? `${formatChineseDateTime(next.dueAt, deps.timezone, now)} ${reminderMatter(next.content, customer.name)}` : null,
      openOpportunity: openOpportunitiesLine(s.openOpportunities, deps.timezone),
      opportunities: s.openOpportunities.length,
    });
  }
  const send = (card: ReturnType<typeof handedCustomerCard>, key: string) =>
    deps.outbound.enqueue({
      channel: 'user',
      touser,
      message: { msgtype: 'template_card', template_card: card },
      idempotencyKey: `handover:${handover.id}:${key}`,
    });
  if (handed.length <= OWNER_CARDS_AT_MOST) {
    for (const c of handed) await send(handedCustomerCard(c), `owner:${c.customerId}`);
    return;
  }
  await send(
    handedCustomersDigest({
      fromNames: [...new Set(handed.map((c) => c.fromName))],
      total: handed.length,
      customers: handed,
      openReminders: handed.reduce((n, c) => n + c.openReminders, 0),
      openOpportunities: handed.reduce((n, c) => n + c.opportunities, 0),
    }),
    'owner-digest',
  );
}
