import { type DataSource, In } from 'typeorm';
import { Opportunity, Staff } from '../../../entities';
import { formatChineseDate } from '../../../templates/format-date';
import { opportunityDueCard, opportunityTaskId } from '../../../templates/cards/opportunity-cards';
import dayjs from '../../platform/dayjs';
import type { Logger } from '../../platform/logger';
import type { OutboundService } from '../../platform/outbound/outbound.service';

/** Close dates this many days back still get their card: a day the worker did not run (or a weekend off the schedule) is caught up. */
export const CATCH_UP_DAYS = 7;

export interface NudgeDeps {
  dataSource: DataSource;
  outbound: Pick<OutboundService, 'enqueue'>;
  logger: Logger;
  timezone: string;
}

/**
 * Each open opportunity whose expected close date is today (or in the week before, not yet carded)
 * gets a card to its salesperson: 赢单 / 输单 / 改期. One card per opportunity and close date (the
 * outbound idempotency key): a rerun sends nothing twice, a new close date gets a new card.
 */
export async function sendCloseDateNudges(deps: NudgeDeps, at: Date): Promise<number> {
  const today = dayjs(at).tz(deps.timezone).startOf('day');
  const due = await deps.dataSource
    .getRepository(Opportunity)
    .createQueryBuilder('o')
    .innerJoinAndSelect('o.customer', 'c')
    .where("o.status = 'open'")
    .andWhere('o.expected_close_at >= :from AND o.expected_close_at < :to', {
      from: today.subtract(CATCH_UP_DAYS, 'day').toDate(),
      to: today.add(1, 'day').toDate(),
    })
    .orderBy('o.expected_close_at', 'ASC')
    .addOrderBy('o.id', 'ASC')
    .getMany();
  // to each salesperson by their WeCom userid (as the digests are), the userid itself when the directory has no row
  const userids = [...new Set(due.map((o) => o.staffUserid))];
  const staff = userids.length ? await deps.dataSource.getRepository(Staff).findBy({ userid: In(userids) }) : [];
  const touser = new Map(staff.map((s) => [s.userid, s.wecomUserid]));
  let queued = 0;
  for (const o of due) {
    const closeAt = o.expectedCloseAt!;
    const card = opportunityDueCard({
      opportunityId: o.id,
      taskId: opportunityTaskId(o.id, closeAt),
      customerName: o.customer.name,
      name: o.name,
      amount: o.amount,
      probability: o.probability,
      closeDay: formatChineseDate(closeAt, deps.timezone, at),
      past: closeAt < today.toDate(),
    });
    const result = await deps.outbound.enqueue({
      channel: 'user',
      touser: touser.get(o.staffUserid) ?? o.staffUserid,
      message: { msgtype: 'template_card', template_card: card },
      idempotencyKey: `opportunity-due:${o.id}:${closeAt.getTime()}`,
    });
    if (result.outcome === 'queued') queued += 1;
  }
  deps.logger.info({ due: due.length, queued }, 'opportunity close-date cards queued');
  return queued;
}
