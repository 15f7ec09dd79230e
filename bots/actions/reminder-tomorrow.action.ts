import { reminderButtonPrefix } from '../../templates/cards/reminder-cards';
import { defineCardAction } from '../core/card-action';
import { parseReminderCardPress, pressOnReminderCard, type ReminderPress } from '../core/reminder-press';

export const reminderTomorrowAction = defineCardAction<ReminderPress>({
  key: reminderButtonPrefix('tomorrow'),
  summary: '提醒卡片的「明天再提醒」',
  parse: parseReminderCardPress,
  run: (input, ctx) => pressOnReminderCard('tomorrow', input, ctx),
});
