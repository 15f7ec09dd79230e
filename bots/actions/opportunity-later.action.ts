import { opportunityButtonPrefix } from '../../templates/cards/opportunity-cards';
import { defineCardAction } from '../core/card-action';
import { type OpportunityPress, parseOpportunityPress, pressOnOpportunityCard } from '../core/opportunity-press';

export const opportunityLaterAction = defineCardAction<OpportunityPress>({
  key: opportunityButtonPrefix('later'),
  summary: '商机到期卡片的「改期」',
  parse: parseOpportunityPress,
  run: (input, ctx) => pressOnOpportunityCard('later', input, ctx),
});
