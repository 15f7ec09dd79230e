import { defineCommand } from '../core/command';
import { UsageError, UserError } from '../core/errors';
import { splitArgs } from '../core/normalize';
import type { SnoozeRequest } from '../../src/modules/reminders';
import { formatChineseDateTime } from '../../templates/format-date';
import { parseChineseDate } from '../dates/chinese-date.parser';

function reminderId(word: string | undefined): number {
  const id = Number((word ?? '').replace(/^[#＃]/, ''));
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
    const content =
      reminder.status === 'cancelled'
        ? `提醒 #${input.id} 已取消。`
        : reminder.changed
          ? `✅ 提醒 #${input.id} 已完成：${reminder.content}`
          : `提醒 #${input.id} 之前已经完成了，无需重复操作：${reminder.content}`;
    await ctx.reply({ kind: 'text', content });
  },
});

/** 推迟: no time means an hour later than it was due (or than now, when that is later). */
export const snoozeReminderCommand = defineCommand<{ id: number; request: SnoozeRequest }>({
  name: '推迟',
  aliases: ['延后', '延期'],
  usage: '推迟 <提醒编号> [时间]',
  example: '推迟 12 明天上午10点',
  summary: '推迟一条提醒（默认1小时）',
  parse(args, ctx) {
    const [first, ...rest] = splitArgs(args);
    const id = reminderId(first);
    if (rest.length === 0) return { id, request: { kind: 'hour' } };
    const date = parseChineseDate(rest.join(' '), ctx.now, ctx.timezone);
    if (!date) throw new UsageError(`看不懂时间「${rest.join(' ')}」，可以写 1小时后、明天上午10点。`);
    if (date.at.getTime() <= ctx.now.getTime())
      throw new UsageError(`${formatChineseDateTime(date.at, ctx.timezone, ctx.now)} 已经过去了，请写一个将来的时间。`);
    return { id, request: { kind: 'until', at: date.at } };
  },
  async run(input, ctx) {
    const result = await ctx.services.reminders.snooze(input.id, ctx.sender, input.request, ctx.now, ctx.timezone);
    const time = (at: Date) => formatChineseDateTime(at, ctx.timezone, ctx.now);
    switch (result.outcome) {
      case 'not_found':
        throw new UserError(`没有找到你的提醒 #${input.id}（发送「待办」查看编号）。`);
      case 'closed':
        throw new UserError(result.reminder.status === 'cancelled' ? `提醒 #${input.id} 已取消，不能推迟。` : `提醒 #${input.id} 已经完成了。`);
      case 'not_later':
        // Moving it earlier is not a snooze: said so, with what to type instead; nothing changed.
        throw new UserError(
          `提醒 #${input.id} 现在是 ${time(result.reminder.dueAt)} 到期，${time(result.until)} 比它早，推迟只能往后推，没有改动。` +
            `\n要改早，请新建「提醒 <时间> ${result.reminder.content}」，再发「完成 ${input.id}」。`,
        );
      case 'snoozed':
        await ctx.reply({ kind: 'text', content: `⏰ 提醒 #${input.id} 推迟到 ${time(result.reminder.dueAt)}（原定 ${time(result.previousDue)}）` });
    }
  },
});
