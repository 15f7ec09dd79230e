import { defineCommand } from '../core/command';

export const undoCommand = defineCommand<Record<string, never>>({
  name: '撤销',
  aliases: ['撤回', '撤消'],
  usage: '撤销',
  example: '撤销',
  summary: '撤回你10分钟内的最后一条记录',
  parse: () => ({}),
  async run(_input, ctx) {
    const undone = await ctx.services.undo.undoLast(ctx.sender, ctx.now, ctx.sourceKey);
    await ctx.reply({ kind: 'text', content: undone ? `已撤销：${undone.what}` : '10分钟内没有可以撤销的记录。' });
  },
});
