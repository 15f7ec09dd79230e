import dayjs from '../../src/platform/dayjs';
import { timelinePageMarkdown } from '../../templates/cards/customer-summary.card';
import { timelineText } from '../../templates/timeline';
import { defineCommand } from '../core/command';
import { UsageError } from '../core/errors';
import { splitArgs } from '../core/normalize';
import { pageNumber } from '../core/page-number';
import { buildProfileCard } from '../core/profile-card';
import { resolveCustomer } from '../core/resolve-customer';

/** Timeline entries per page: eight fit an app message's 2048 bytes with room to spare. */
export const TIMELINE_PAGE_SIZE = 8;

export interface ShowCustomerInput {
  query: string;
  /** null: the summary card; a number: that page of the full timeline */
  page: number | null;
}

/**
 * `查客户 张三` → the summary card; `查客户 张三 全部` → the timeline's first page; `查客户 张三 2`
 * (or `第2页`, or `全部 2` as people type it after a first 全部) → page 2. A lone number stays a
 * query (`查 5678` is part of a phone number).
 */
export function parseShowCustomer(args: string): ShowCustomerInput {
  let words = splitArgs(args);
  if (words.length === 0) throw new UsageError('请写上要查的客户。');
  if (words.length > 2 && words[words.length - 2] === '全部' && pageNumber(words[words.length - 1]!) !== null)
    words = [...words.slice(0, -2), words[words.length - 1]!];
  const last = words[words.length - 1]!;
  const page = last === '全部' ? 1 : /^\d{4,}$/.test(last) ? null : pageNumber(last);
  if (words.length > 1 && page !== null) {
    if (page < 1) throw new UsageError('页码从 1 开始。');
    return { query: words.slice(0, -1).join(' '), page };
  }
  return { query: words.join(' '), page: null };
}

export const showCustomerCommand = defineCommand<ShowCustomerInput>({
  name: '查客户',
  aliases: ['客户', '查', '查询', '查找', '搜索', '找客户', '查看客户'],
  usage: '查客户 <名字/备注/手机号片段> [全部|页码]',
  example: '查客户 张三',
  summary: '客户档案；加「全部」看完整时间线',
  parse: parseShowCustomer,
  async run(input, ctx) {
    // Showing only: a lead sees their team's customers too (writing stays with the owner).
    const customer = await resolveCustomer(ctx, input.query, 'team');
    const local = (at: Date) => dayjs(at).tz(ctx.timezone);
    // The name as typed finds the same customer again (an ambiguous name falls back to the list).
    const command = (suffix: string) => `查客户 ${input.query} ${suffix}`;

    if (input.page === null) {
      await ctx.reply({ kind: 'card', card: await buildProfileCard(ctx.services, customer, ctx.now, ctx.timezone, command('全部'), ctx.sender) });
      return;
    }

    const [entries, owns] = await Promise.all([
      ctx.services.timeline.timeline(customer.id, ctx.now, customer.name),
      ctx.services.customers.follows(ctx.sender, customer.id),
    ]);
    const pages = Math.max(1, Math.ceil(entries.length / TIMELINE_PAGE_SIZE));
    if (input.page > pages) throw new UsageError(`${customer.name}的时间线只有${pages}页。`);
    const slice = entries.slice((input.page - 1) * TIMELINE_PAGE_SIZE, input.page * TIMELINE_PAGE_SIZE);
    await ctx.reply({
      kind: 'markdown',
      content: timelinePageMarkdown({
        name: customer.name,
        page: input.page,
        pages,
        total: entries.length,
        lines: slice.map((e) => {
          const text = timelineText(e.event);
          return `${local(e.at).format('YYYY/M/D HH:mm')} ${e.actor && !text.includes(e.actor) ? `${e.actor} · ` : ''}${text}`;
        }),
        nextCommand: input.page < pages ? command(String(input.page + 1)) : null,
        showPhone: owns,
      }),
    });
  },
});
