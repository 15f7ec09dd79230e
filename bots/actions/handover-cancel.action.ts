import { handoverButtonPrefix } from '../../templates/cards/handover.cards';
import { defineCardAction } from '../core/card-action';
import { parseHandoverPress } from '../core/handover-press';

export const handoverCancelAction = defineCardAction<{ handoverId: number }>({
  key: handoverButtonPrefix('no'),
  summary: '转接确认卡片的「取消」',
  parse: parseHandoverPress,
  async run(input, ctx) {
    const replaceName = await ctx.services.handover.cancel({ handoverId: input.handoverId, clicker: ctx.clicker, sourceKey: ctx.sourceKey });
    await ctx.update({ button: { replace_name: replaceName } });
  },
});
