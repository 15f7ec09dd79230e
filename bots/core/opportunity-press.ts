import dayjs from '../../src/platform/dayjs';
import {
  OPPORTUNITY_GONE_TEXT,
  type OpportunityAction,
  opportunityCardAfterClick,
  opportunityClickText,
  opportunityTaskId,
  RESCHEDULE_DAYS,
} from '../../templates/cards/opportunity-cards';
import { formatChineseDate } from '../../templates/format-date';
import type { CardActionContext, CardPress } from './card-action';
import { UserError } from './errors';

/** A click on a close-date card: which opportunity, and the card it came from. */
export interface OpportunityPress {
  opportunityId: number;
  taskId: string;
}

/** `opp:<action>:12` → opportunity 12; undefined when what follows the prefix is not an id. */
export function parseOpportunityPress(press: CardPress): OpportunityPress | undefined {
  if (!/^\d{1,10}$/.test(press.args)) return undefined;
  return { opportunityId: Number(press.args), taskId: press.taskId };
}

/**
 * 赢单 / 输单 / 改期 on an opportunity's close-date card: closed (or moved a week on) as the commands
 * would, undoable with 撤销, and the card greyed with what happened. One already closed says so.
 */
export async function pressOnOpportunityCard(action: OpportunityAction, input: OpportunityPress, ctx: CardActionContext): Promise<void> {
  const opportunity = await ctx.services.opportunities.own(input.opportunityId, { userid: ctx.clicker, isAdmin: ctx.isAdmin });
  if (!opportunity) throw new UserError(OPPORTUNITY_GONE_TEXT);
  const { customer } = opportunity;
  const common = { customer, staffUserid: ctx.clicker, opportunityId: opportunity.id, sourceKey: ctx.sourceKey, now: ctx.now };
  let text: string;
  if (action === 'later') {
    // a week after the later of today and the close date, at the hour close dates are written
    const close = opportunity.expectedCloseAt && opportunity.expectedCloseAt > ctx.now ? opportunity.expectedCloseAt : ctx.now;
    const from = dayjs(close).tz(ctx.timezone);
    const expectedCloseAt = from.add(RESCHEDULE_DAYS, 'day').startOf('day').hour(9).toDate();
    const result = await ctx.services.opportunities.record({
      ...common,
      name: opportunity.name,
      amount: opportunity.amount,
      probability: null,
      expectedCloseAt,
    });
    text = opportunityClickText(
      result.kind === 'gone' || result.kind === 'ambiguous'
        ? { kind: 'closed' }
        : { kind: 'later', closeDay: formatChineseDate(expectedCloseAt, ctx.timezone, ctx.now) },
    );
  } else {
    const result = await ctx.services.opportunities.close({ ...common, outcome: action, name: null, amount: null, reason: null });
    text = opportunityClickText(result.kind === 'closed' ? { kind: action } : { kind: 'closed' });
  }
  const closeAt = opportunity.expectedCloseAt ?? ctx.now;
  await ctx.update({
    template_card: opportunityCardAfterClick(
      {
        opportunityId: opportunity.id,
        taskId: input.taskId || opportunityTaskId(opportunity.id, closeAt),
        customerName: customer.name,
        name: opportunity.name,
        amount: opportunity.amount,
        probability: opportunity.probability,
        closeDay: formatChineseDate(closeAt, ctx.timezone, ctx.now),
        past: false,
      },
      text,
    ),
  });
}
