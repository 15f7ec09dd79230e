import { todoButtonKey } from '../../templates/cards/reminder-cards';
import { defineCardAction } from '../core/card-action';
import { parseTodoCardPress, pressOnTodoCard, type ReminderPress } from '../core/reminder-press';

export const todoTomorrowAction = defineCardAction<ReminderPress>({
  key: todoButtonKey('tomorrow'),
  summary: '待办卡片的「明天再提醒」（下拉框里选中的提醒）',
  parse: parseTodoCardPress,
  run: (input, ctx) => pressOnTodoCard('tomorrow', input, ctx),
});
