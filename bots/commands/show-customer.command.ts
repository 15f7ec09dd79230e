import dayjs from '../../src/dayjs';
import { customerProfileCard } from '../../templates/cards/bot-cards';
import { defineCommand } from '../core/command';
import { UsageError } from '../core/errors';
import { resolveCustomer } from '../core/resolve-customer';
import { formatChineseDateTime } from '../dates/chinese-date.parser';
import { STAGE_NAMES } from '../../src/services/stage.service';

export const showCustomerCommand = defineCommand<{ query: string }>({
  name: '查客户',
  aliases: ['客户', '查'],
  usage: '查客户 <名字/备注/手机号片段>',
  example: '查客户 张三',
  summary: '客户档案：标签、阶段、负责人、来源、最近跟进、下次提醒',
  parse(args) {
    if (!args) throw new UsageError('请写上要查的客户。');
    return { query: args };
  },
  async run(input, ctx) {
    const customer = await resolveCustomer(ctx, input.query);
    const profile = await ctx.services.customers.profile(customer.id);
    const [tags, recent, reminders, opportunities] = await Promise.all([
      ctx.services.tags.namesFor(customer.id),
      ctx.services.followUps.recent(customer.id, 3),
      ctx.services.reminders.pendingForCustomer(customer.id),
      ctx.services.opportunities.openFor(customer.id),
    ]);
    const firstAdded = profile.relations.map((r) => r.addedAt).filter((d): d is Date => !!d).sort((a, b) => a.getTime() - b.getTime())[0];
    const opportunity = opportunities[0];
    await ctx.reply({
      kind: 'card',
      card: customerProfileCard({
        name: customer.name,
        stage: STAGE_NAMES[customer.stage] ?? customer.stage,
        daysAsCustomer: firstAdded ? dayjs(ctx.now).diff(firstAdded, 'day') : null,
        owners: profile.relations.filter((r) => r.status === 'active').map((r) => r.staffName ?? r.staffUserid),
        channel: profile.relations.find((r) => r.state)?.state ?? null,
        tags,
        recentFollowUps: recent.map((f) => ({ when: dayjs(f.createdAt).tz(ctx.timezone).format('M/D'), content: f.content })),
        nextReminder: reminders[0] ? `${formatChineseDateTime(reminders[0].dueAt, ctx.timezone, ctx.now)} ${reminders[0].content}` : null,
        openOpportunity: opportunity ? `¥${opportunity.amount}${opportunity.probability !== null ? ` · ${opportunity.probability}%` : ''}` : null,
      }),
    });
  },
});
