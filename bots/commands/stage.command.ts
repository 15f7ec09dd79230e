import type { CustomerStage } from '../../entities';
import { stageFromChinese } from '../../src/modules/customers';
import { STAGE_NAMES } from '../../templates/labels';
import { closedOpportunities } from '../../templates/opportunities';
import { confirmationCard } from '../../templates/cards/bot-cards';
import { titleAround } from '../../templates/cards/card-limits';
import { defineCommand } from '../core/command';
import { UsageError } from '../core/errors';
import { splitArgs } from '../core/normalize';
import { resolveCustomer } from '../core/resolve-customer';

const STAGE_LIST = Object.values(STAGE_NAMES).join('/');

export const stageCommand = defineCommand<{ customerQuery: string; stage: CustomerStage }>({
  name: '阶段',
  aliases: ['改阶段', '设阶段'],
  undoable: true,
  usage: `阶段 <客户> <${STAGE_LIST}>`,
  example: '阶段 张三 商机',
  summary: '把客户移到销售漏斗的某个阶段',
  parse(args) {
    const parts = splitArgs(args);
    if (parts.length < 2) throw new UsageError('请写上客户和阶段。');
    const word = parts[parts.length - 1]!;
    const stage = stageFromChinese(word);
    if (!stage) throw new UsageError(`没有「${word}」这个阶段，可选：${STAGE_LIST}。`);
    return { customerQuery: parts.slice(0, -1).join(' '), stage };
  },
  async run(input, ctx) {
    const customer = await resolveCustomer(ctx, input.customerQuery);
    if (customer.stage === input.stage) {
      await ctx.reply({ kind: 'text', content: `${customer.name} 已经在「${STAGE_NAMES[input.stage]}」阶段了。` });
      return;
    }
    const { value: change } = await ctx.services.stages.move({ customer, to: input.stage, staffUserid: ctx.sender, sourceKey: ctx.sourceKey, now: ctx.now });
    // 成交 / 流失 closed the open opportunities: the answer names them
    const closed = await ctx.services.opportunities.closedByStageMove(ctx.sourceKey);
    await ctx.reply({
      kind: 'card',
      card: confirmationCard({
        source: '销售漏斗',
        title: titleAround('', customer.name, `：${STAGE_NAMES[change.toStage]}`),
        rows: [
          { key: '原阶段', value: change.fromStage ? STAGE_NAMES[change.fromStage] : '无' },
          { key: '新阶段', value: STAGE_NAMES[change.toStage] },
          ...(closed.length ? [{ key: change.toStage === 'won' ? '赢单' : '输单', value: closedOpportunities(closed) }] : []),
        ],
      }),
    });
  },
});
