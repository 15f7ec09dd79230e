import { opportunityButtonPrefix } from '../../templates/cards/opportunity-cards';
import { defineCardAction } from '../core/card-action';
import { type OpportunityPress, parseOpportunityPress, pressOnOpportunityCard } from '../core/opportunity-press';

export const opportunityLostAction = defineCardAction<OpportunityPress>({
  key: opportunityButtonPrefix('lost'),
  summary: '商机到期卡片的「输单」',
  parse: parseOpportunityPress,
  run: (input, ctx) => pressOnOpportunityCard('lost', input, ctx),
});
