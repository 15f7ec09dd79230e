import { todoButtonKey } from '../../templates/cards/reminder-cards';
import { defineCardAction } from '../core/card-action';
import { parseTodoCardPress, pressOnTodoCard, type ReminderPress } from '../core/reminder-press';

export const todoSnoozeHourAction = defineCardAction<ReminderPress>({
  key: todoButtonKey('snooze1h'),
  summary: '待办卡片的「推迟1小时」（下拉框里选中的提醒）',
  parse: parseTodoCardPress,
  run: (input, ctx) => pressOnTodoCard('snooze1h', input, ctx),
});
