import { confirmationCard } from '../../templates/cards/bot-cards';
import { defineCommand } from '../core/command';
import { UsageError } from '../core/errors';
import { splitArgs } from '../core/normalize';
import { resolveCustomer } from '../core/resolve-customer';

export interface TagInput {
  customerQuery: string;
  tags: string[];
}

function parseTagArgs(args: string): TagInput {
  const [customerQuery, ...rest] = splitArgs(args);
  const tags = [
    ...new Set(
      rest
        .flatMap((t) => t.split(/[,，、]/))
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
  if (!customerQuery) throw new UsageError('请写上客户和标签。');
  if (tags.length === 0) throw new UsageError(`请写上要给「${customerQuery}」的标签。`);
  const tooLong = tags.find((t) => Array.from(t).length > 30);
  if (tooLong) throw new UsageError(`标签「${tooLong}」太长了，最多30个字。`);
  return { customerQuery, tags };
}

export const addTagCommand = defineCommand<TagInput>({
  name: '打标签',
  aliases: ['标签', '加标签', '添加标签', '贴标签'],
  undoable: true,
  usage: '打标签 <客户> <标签…>',
  example: '打标签 张三 高意向 教育行业',
  summary: '给客户加标签（同步到企业微信）',
  parse: parseTagArgs,
  async run(input, ctx) {
    const customer = await resolveCustomer(ctx, input.customerQuery);
    const added = await ctx.services.tags.add({ customer, names: input.tags, actor: ctx.sender, source: 'command', sourceKey: ctx.sourceKey });
    const all = await ctx.services.tags.namesFor(customer.id);
    await ctx.reply({
      kind: 'card',
      card: confirmationCard({
        source: '客户标签',
        title: added.length ? `已给 ${customer.name} 打标签` : `${customer.name} 已有这些标签`,
        rows: [
          { key: '新增', value: added.join('、') || '无' },
          { key: '全部标签', value: all.join('、') },
        ],
      }),
    });
  },
});

export const removeTagCommand = defineCommand<TagInput>({
  name: '去标签',
  aliases: ['删标签', '删除标签', '移除标签'],
  undoable: true,
  usage: '去标签 <客户> <标签…>',
  example: '去标签 张三 高意向',
  summary: '去掉客户的标签',
  parse: parseTagArgs,
  async run(input, ctx) {
    const customer = await resolveCustomer(ctx, input.customerQuery);
    const { removed, absent } = await ctx.services.tags.remove({ customer, names: input.tags, actor: ctx.sender, sourceKey: ctx.sourceKey });
    const all = await ctx.services.tags.namesFor(customer.id);
    await ctx.reply({
      kind: 'card',
      card: confirmationCard({
        source: '客户标签',
        title: removed.length ? `已去掉 ${customer.name} 的标签` : `${customer.name} 没有这些标签`,
        rows: [
          { key: '去掉', value: removed.join('、') || '无' },
          ...(absent.length ? [{ key: '本来没有', value: absent.join('、') }] : []),
          { key: '现有标签', value: all.join('、') || '无' },
        ],
      }),
    });
  },
});
