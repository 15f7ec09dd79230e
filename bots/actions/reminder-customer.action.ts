import { reminderButtonPrefix } from '../../templates/cards/reminder-cards';
import { CUSTOMER_NOT_VISIBLE } from '../../templates/who-sees';
import { defineCardAction } from '../core/card-action';
import { buildProfileCard } from '../core/profile-card';
import { ownReminder, parseReminderCardPress, type ReminderPress } from '../core/reminder-press';

/** 查看客户: the profile card as a new message; the reminder card keeps its buttons and the reminder stays open. */
export const reminderCustomerAction = defineCardAction<ReminderPress>({
  key: reminderButtonPrefix('customer'),
  summary: '提醒卡片的「查看客户」',
  parse: parseReminderCardPress,
  async run(input, ctx) {
    const reminder = await ownReminder(input.reminderId, ctx);
    if (!reminder.customer) return;
    // The reminder is the clicker's, but its customer may have gone to a colleague since (a transfer):
    // said in a message, too long for the button's label.
    if (!(await ctx.services.customers.visible({ userid: ctx.clicker, isAdmin: ctx.isAdmin }, reminder.customer.id, 'team'))) {
      await ctx.reply({ kind: 'text', content: CUSTOMER_NOT_VISIBLE });
      return;
    }
    const card = await buildProfileCard(ctx.services, reminder.customer, ctx.now, ctx.timezone, undefined, ctx.clicker);
    await ctx.reply({ kind: 'card', card });
  },
});
