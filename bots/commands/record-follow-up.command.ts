import { followUpRecordedCard } from '../../templates/cards/bot-cards';
import { defineCommand } from '../core/command';
import { UsageError } from '../core/errors';
import { pickNextContact } from '../core/next-contact';
import { firstArg } from '../core/normalize';
import { resolveCustomer } from '../core/resolve-customer';
import { formatChineseDateTime } from '../../templates/format-date';
import { findChineseDates } from '../dates/chinese-date.parser';

export interface RecordFollowUpInput {
  customerQuery: string;
  content: string;
  /** a future time the content names (下周二再联系 → that Tuesday) */
  nextContactAt: Date | null;
}

export const recordFollowUpCommand = defineCommand<RecordFollowUpInput>({
  name: '记录跟进',
  aliases: ['跟进', '写跟进', '加跟进', '添加跟进'],
  undoable: true,
  usage: '记录跟进 <客户> <内容>',
  example: '记录跟进 张三 电话沟通了报价，下周二再联系',
  summary: '记录一次跟进；内容里写了下次联系时间会自动提醒',
  parse(args, ctx) {
    const { first, rest } = firstArg(args);
    if (!first) throw new UsageError('请写上客户和跟进内容。');
    if (!rest) throw new UsageError(`请写上和「${first}」的跟进内容。`);
    // "上午打过电话，下周二再联系": only times still ahead can be the next contact.
    const future = findChineseDates(rest, ctx.now, ctx.timezone).filter((d) => d.at.getTime() > ctx.now.getTime());
    const nextContactAt = pickNextContact(rest, future);
    return { customerQuery: first, content: rest, nextContactAt };
  },
  async run(input, ctx) {
    const customer = await resolveCustomer(ctx, input.customerQuery);
    const recorded = await ctx.services.followUps.record({
      customer,
      staffUserid: ctx.sender,
      content: input.content,
      nextContactAt: input.nextContactAt,
      sourceKey: ctx.sourceKey,
      now: ctx.now,
    });
    const next = recorded.reminder ? formatChineseDateTime(recorded.reminder.dueAt, ctx.timezone, ctx.now) : undefined;
    await ctx.reply({
      kind: 'card',
      card: followUpRecordedCard({ customerName: customer.name, content: input.content, nextContact: next, duplicate: recorded.duplicate }),
    });
  },
});
