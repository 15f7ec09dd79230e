import { createHash } from 'node:crypto';
import { defineCommand } from '../core/command';
import { buildTodoCard } from '../core/todo-card';

export const todoCommand = defineCommand<Record<string, never>>({
  name: '待办',
  aliases: ['我的提醒'],
  phrases: ['我的待办', '待办事项', '今日待办', '今天待办', '提醒列表', '我的任务'],
  usage: '待办',
  example: '待办',
  summary: '未完成的提醒，可在卡片上完成或推迟',
  parse: () => ({}),
  async run(_input, ctx) {
    const [reminders, total] = await Promise.all([ctx.services.reminders.pendingFor(ctx.sender), ctx.services.reminders.countOpenFor(ctx.sender)]);
    if (reminders.length === 0) {
      await ctx.reply({ kind: 'text', content: '没有待办提醒。发送「提醒 明天上午10点 张三 回访」设一个。' });
      return;
    }
    // task_id: unique per card and stable for this message (a retried reply is the same card).
    const taskId = `todo-${createHash('sha256').update(ctx.sourceKey).digest('hex').slice(0, 32)}`;
    await ctx.reply({ kind: 'card', card: buildTodoCard(reminders, { taskId, timezone: ctx.timezone, now: ctx.now, total }) });
  },
});
