import { handoverButtonPrefix } from '../../templates/cards/handover.cards';
import { defineCardAction } from '../core/card-action';
import { parseHandoverPress } from '../core/handover-press';

export const handoverConfirmAction = defineCardAction<{ handoverId: number }>({
  key: handoverButtonPrefix('ok'),
  summary: '转接确认卡片的「确认转接」',
  parse: parseHandoverPress,
  async run(input, ctx) {
    const replaceName = await ctx.services.handover.confirm({ handoverId: input.handoverId, clicker: ctx.clicker, sourceKey: ctx.sourceKey });
    await ctx.update({ button: { replace_name: replaceName } });
  },
});
