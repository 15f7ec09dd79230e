import type { CustomerStage } from '../../entities';
import { STAGE_NAMES, stageFromChinese } from '../../src/services/stage.service';
import { defineCommand } from '../core/command';
import { splitArgs } from '../core/normalize';

export interface MyCustomersInput {
  stage: CustomerStage | null;
  tag: string | null;
  page: number;
}

export const PAGE_SIZE = 10;

export const myCustomersCommand = defineCommand<MyCustomersInput>({
  name: '我的客户',
  aliases: ['客户列表'],
  usage: '我的客户 [标签或阶段] [页码]',
  example: '我的客户 商机 2',
  summary: '你的客户，最近有动静的在前',
  parse(args) {
    let stage: CustomerStage | null = null;
    let tag: string | null = null;
    let page = 1;
    for (const word of splitArgs(args)) {
      if (/^\d+$/.test(word)) page = Math.max(1, Number(word));
      else if (stageFromChinese(word)) stage = stageFromChinese(word)!;
      else tag = word;
    }
    return { stage, tag, page };
  },
  async run(input, ctx) {
    const { customers, total } = await ctx.services.customers.list({ userid: ctx.sender, isAdmin: ctx.isAdmin }, { ...input, pageSize: PAGE_SIZE });
    const filter = [input.stage ? STAGE_NAMES[input.stage] : null, input.tag].filter(Boolean).join('、');
    if (total === 0) {
      await ctx.reply({ kind: 'text', content: filter ? `没有「${filter}」的客户。` : '你还没有客户。客户加你的企业微信后会自动记录。' });
      return;
    }
    const pages = Math.ceil(total / PAGE_SIZE);
    const lines = customers.map((c, i) => `${(input.page - 1) * PAGE_SIZE + i + 1}. **${c.name}** ${STAGE_NAMES[c.stage]}`);
    const more = input.page < pages ? `\n发送「我的客户${filter ? ` ${filter}` : ''} ${input.page + 1}」看下一页` : '';
    await ctx.reply({ kind: 'markdown', content: `**我的客户${filter ? `（${filter}）` : ''}** 共${total}位 · 第${input.page}/${pages}页\n${lines.join('\n')}${more}` });
  },
});
