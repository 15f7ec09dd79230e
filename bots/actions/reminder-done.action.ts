import { reminderButtonPrefix } from '../../templates/cards/reminder-cards';
import { defineCardAction } from '../core/card-action';
import { parseReminderCardPress, pressOnReminderCard, type ReminderPress } from '../core/reminder-press';

export const reminderDoneAction = defineCardAction<ReminderPress>({
  key: reminderButtonPrefix('done'),
  summary: '提醒卡片的「完成」',
  parse: parseReminderCardPress,
  run: (input, ctx) => pressOnReminderCard('done', input, ctx),
});
