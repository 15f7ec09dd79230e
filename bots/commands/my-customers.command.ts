import type { CustomerStage } from '../../entities';
import { stageFromChinese } from '../../src/modules/customers';
import { STAGE_NAMES } from '../../templates/labels';
import { defineCommand } from '../core/command';
import { UsageError } from '../core/errors';
import { splitArgs } from '../core/normalize';
import { pageNumber } from '../core/page-number';

export interface MyCustomersInput {
  stage: CustomerStage | null;
  tag: string | null;
  page: number;
}

export const PAGE_SIZE = 10;

export const myCustomersCommand = defineCommand<MyCustomersInput>({
  name: '我的客户',
  aliases: ['客户列表', '全部客户', '所有客户'],
  usage: '我的客户 [标签或阶段] [页码]',
  example: '我的客户 商机 2',
  summary: '你的客户，最近有动静的在前',
  parse(args) {
    let stage: CustomerStage | null = null;
    let tag: string | null = null;
    let page = 1;
    for (const word of splitArgs(args)) {
      const n = pageNumber(word);
      if (n !== null) {
        if (n < 1) throw new UsageError('页码从 1 开始。');
        page = n;
      } else if (stageFromChinese(word)) stage = stageFromChinese(word)!;
      else tag = word;
    }
    return { stage, tag, page };
  },
  async run(input, ctx) {
    const viewer = { userid: ctx.sender, isAdmin: ctx.isAdmin };
    let { customers, total } = await ctx.services.customers.list(viewer, { ...input, pageSize: PAGE_SIZE }, 'team');
    const filter = [input.stage ? STAGE_NAMES[input.stage] : null, input.tag].filter(Boolean).join('、');
    if (total === 0) {
      await ctx.reply({ kind: 'text', content: filter ? `没有「${filter}」的客户。` : '你还没有客户。客户加你的企业微信后会自动记录。' });
      return;
    }
    const pages = Math.ceil(total / PAGE_SIZE);
    // A page past the end shows the last one, and says so, rather than an empty page.
    const page = Math.min(input.page, pages);
    if (page !== input.page) ({ customers, total } = await ctx.services.customers.list(viewer, { ...input, page, pageSize: PAGE_SIZE }, 'team'));
    const beyond = page !== input.page ? `<font color="comment">没有第${input.page}页：只有${pages}页，下面是第${page}页。</font>\n` : '';
    const lines = customers.map((c, i) => `${(page - 1) * PAGE_SIZE + i + 1}. **${c.name}** ${STAGE_NAMES[c.stage]}`);
    const command = `我的客户${filter ? ` ${[input.stage ? STAGE_NAMES[input.stage] : null, input.tag].filter(Boolean).join(' ')}` : ''}`;
    const more = page < pages ? `\n发送「${command} ${page + 1}」看下一页` : '';
    await ctx.reply({
      kind: 'markdown',
      content: `${beyond}**我的客户${filter ? `（${filter}）` : ''}** 共${total}位 · 第${page}/${pages}页\n${lines.join('\n')}${more}`,
    });
  },
});
