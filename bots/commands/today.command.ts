import { defineCommand } from '../core/command';

export const todayCommand = defineCommand<Record<string, never>>({
  name: '今日',
  aliases: ['日报', '简报'],
  usage: '今日',
  example: '今日',
  summary: '你今天的简报：新客户、跟进、提醒',
  parse: () => ({}),
  async run(_input, ctx) {
    const s = await ctx.services.digest.today(ctx.sender, ctx.now, ctx.timezone);
    const lines = [
      `新客户 **${s.newCustomers}**`,
      `跟进记录 **${s.followUps}**`,
      `完成提醒 **${s.remindersDone}**，今天待办 **${s.remindersDueToday}**`,
      s.overdue ? `<font color="warning">已过期提醒 ${s.overdue}</font>（发送「待办」查看）` : '没有过期提醒',
      ...(s.lost ? [`<font color="warning">流失客户 ${s.lost}</font>`] : []),
    ];
    await ctx.reply({ kind: 'markdown', content: `**今日简报**\n${lines.map((l) => `> ${l}`).join('\n')}` });
  },
});
