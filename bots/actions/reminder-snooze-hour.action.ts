import { reminderButtonPrefix } from '../../templates/cards/reminder-cards';
import { defineCardAction } from '../core/card-action';
import { parseReminderCardPress, pressOnReminderCard, type ReminderPress } from '../core/reminder-press';

export const reminderSnoozeHourAction = defineCardAction<ReminderPress>({
  key: reminderButtonPrefix('snooze1h'),
  summary: '提醒卡片的「推迟1小时」',
  parse: parseReminderCardPress,
  run: (input, ctx) => pressOnReminderCard('snooze1h', input, ctx),
});
