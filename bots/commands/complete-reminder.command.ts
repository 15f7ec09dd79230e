import { defineCommand } from '../core/command';
import { UsageError, UserError } from '../core/errors';
import { splitArgs } from '../core/normalize';
import { formatChineseDateTime, parseChineseDate } from '../dates/chinese-date.parser';

function reminderId(word: string | undefined): number {
  const id = Number((word ?? '').replace(/^#/, ''));
  if (!Number.isInteger(id) || id <= 0) throw new UsageError('请写上提醒的编号（发送「待办」查看）。');
  return id;
}

export const completeReminderCommand = defineCommand<{ id: number }>({
  name: '完成',
  aliases: ['完成提醒'],
  usage: '完成 <提醒编号>',
  example: '完成 12',
  summary: '把一条提醒标为完成',
  parse: (args) => ({ id: reminderId(splitArgs(args)[0]) }),
  async run(input, ctx) {
    const reminder = await ctx.services.reminders.complete(input.id, ctx.sender, ctx.now);
    if (!reminder) throw new UserError(`没有找到你的提醒 #${input.id}。`);
    await ctx.reply({ kind: 'text', content: reminder.status === 'cancelled' ? `提醒 #${input.id} 已取消。` : `✅ 提醒 #${input.id} 已完成：${reminder.content}` });
  },
});

export const snoozeReminderCommand = defineCommand<{ id: number; until: Date }>({
  name: '推迟',
  aliases: ['延后', '延期'],
  usage: '推迟 <提醒编号> [时间]',
  example: '推迟 12 明天上午10点',
  summary: '推迟一条提醒（不写时间就推迟1小时）',
  parse(args, ctx) {
    const [first, ...rest] = splitArgs(args);
    const id = reminderId(first);
    if (rest.length === 0) return { id, until: new Date(ctx.now.getTime() + 3600_000) };
    const date = parseChineseDate(rest.join(' '), ctx.now, ctx.timezone);
    if (!date || date.at.getTime() <= ctx.now.getTime()) throw new UsageError(`看不懂时间「${rest.join(' ')}」，可以写 1小时后、明天上午10点。`);
    return { id, until: date.at };
  },
  async run(input, ctx) {
    const reminder = await ctx.services.reminders.snooze(input.id, ctx.sender, input.until);
    if (!reminder) throw new UserError(`没有找到你的提醒 #${input.id}。`);
    if (reminder.status !== 'pending') throw new UserError(`提醒 #${input.id} 已经完成了。`);
    await ctx.reply({ kind: 'text', content: `⏰ 提醒 #${input.id} 推迟到 ${formatChineseDateTime(input.until, ctx.timezone, ctx.now)}` });
  },
});
