import { todoButtonKey } from '../../templates/cards/reminder-cards';
import { defineCardAction } from '../core/card-action';
import { parseTodoCardPress, pressOnTodoCard, type ReminderPress } from '../core/reminder-press';

export const todoDoneAction = defineCardAction<ReminderPress>({
  key: todoButtonKey('done'),
  summary: '待办卡片的「完成」（下拉框里选中的提醒）',
  parse: parseTodoCardPress,
  run: (input, ctx) => pressOnTodoCard('done', input, ctx),
});
