import { leaverButtonPrefix } from '../../templates/cards/leaver.cards';
import { defineCardAction } from '../core/card-action';
import { parseLeaverPress } from '../core/leaver-press';

export const leaverEvenAction = defineCardAction<{ leaverId: number }>({
  key: leaverButtonPrefix('even'),
  summary: '离职继承卡片的「平均分给团队」',
  parse: parseLeaverPress,
  async run(input, ctx) {
    const answer = await ctx.services.handover.assignLeaver({
      sender: ctx.clicker,
      isAdmin: ctx.isAdmin,
      leaver: { id: input.leaverId },
      mode: { kind: 'even' },
      sourceKey: ctx.sourceKey,
    });
    if (answer.kind !== 'text') return;
    await ctx.update({ button: { replace_name: answer.label } });
    await ctx.reply({ kind: 'text', content: answer.text });
  },
});
