import { personalDigest } from '../../templates/cards/digest.cards';
import { defineCommand } from '../core/command';

export const todayCommand = defineCommand<Record<string, never>>({
  name: '今日',
  aliases: ['日报', '简报'],
  phrases: ['今天', '今日简报', '今天简报', '我的简报', '我的日报', '今天怎么样'],
  usage: '今日',
  example: '今日',
  summary: '你今天的简报：新客户、跟进、提醒、流失、沉默客户',
  parse: () => ({}),
  async run(_input, ctx) {
    // The same figures as the evening push, but always answered (the push skips a quiet day).
    await ctx.reply({ kind: 'markdown', content: personalDigest(await ctx.services.digest.personal(ctx.sender, ctx.now)) });
  },
});
