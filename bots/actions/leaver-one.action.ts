import { leaverButtonPrefix } from '../../templates/cards/leaver.cards';
import { defineCardAction } from '../core/card-action';
import { parseLeaverPickPress } from '../core/leaver-press';

export const leaverOneAction = defineCardAction<{ leaverId: number; to: string }>({
  key: leaverButtonPrefix('one'),
  summary: '离职继承卡片的「全部交给所选同事」',
  parse: parseLeaverPickPress,
  async run(input, ctx) {
    const answer = await ctx.services.handover.assignLeaver({
      sender: ctx.clicker,
      isAdmin: ctx.isAdmin,
      leaver: { id: input.leaverId },
      mode: { kind: 'one', to: input.to },
      sourceKey: ctx.sourceKey,
    });
    if (answer.kind !== 'text') return;
    await ctx.update({ button: { replace_name: answer.label } });
    await ctx.reply({ kind: 'text', content: answer.text });
  },
});
