import { opportunityButtonPrefix } from '../../templates/cards/opportunity-cards';
import { defineCardAction } from '../core/card-action';
import { type OpportunityPress, parseOpportunityPress, pressOnOpportunityCard } from '../core/opportunity-press';

export const opportunityWonAction = defineCardAction<OpportunityPress>({
  key: opportunityButtonPrefix('won'),
  summary: '商机到期卡片的「赢单」',
  parse: parseOpportunityPress,
  run: (input, ctx) => pressOnOpportunityCard('won', input, ctx),
});
