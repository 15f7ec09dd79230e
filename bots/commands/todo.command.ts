import { defineCommand } from '../core/command';
import { formatChineseDateTime } from '../dates/chinese-date.parser';

export const todoCommand = defineCommand<Record<string, never>>({
  name: '待办',
  aliases: ['我的提醒'],
  usage: '待办',
  example: '待办',
  summary: '未完成的提醒；回复「完成 编号」或「推迟 编号」处理',
  parse: () => ({}),
  async run(_input, ctx) {
    const reminders = await ctx.services.reminders.pendingFor(ctx.sender);
    if (reminders.length === 0) {
      await ctx.reply({ kind: 'text', content: '没有待办提醒。发送「提醒 明天上午10点 张三 回访」设一个。' });
      return;
    }
    const lines = reminders.map((r) => {
      const overdue = r.dueAt.getTime() < ctx.now.getTime() ? ' <font color="warning">已过期</font>' : '';
      const who = r.customer ? ` ${r.customer.name}` : '';
      return `> **#${r.id}** ${formatChineseDateTime(r.dueAt, ctx.timezone, ctx.now)}${who}：${r.content}${overdue}`;
    });
    await ctx.reply({
      kind: 'markdown',
      content: `**待办提醒（${reminders.length}）**\n${lines.join('\n')}\n回复「完成 编号」或「推迟 编号 [时间]」`,
    });
  },
});
