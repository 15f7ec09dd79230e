import { lostCommand, wonCommand } from './commands/close-opportunity.command';
import { completeReminderCommand, snoozeReminderCommand } from './commands/complete-reminder.command';
import { doNotContactCommand, resumeContactCommand } from './commands/do-not-contact.command';
import { handoverCommand } from './commands/handover.command';
import { leaverCommand } from './commands/leaver.command';
import { forecastCommand } from './commands/forecast.command';
import { helpCommand } from './commands/help.command';
import { myCustomersCommand } from './commands/my-customers.command';
import { opportunityCommand } from './commands/opportunity.command';
import { recordFollowUpCommand } from './commands/record-follow-up.command';
import { remindCommand } from './commands/remind.command';
import { reportCommand } from './commands/report.command';
import { showCustomerCommand } from './commands/show-customer.command';
import { stageCommand } from './commands/stage.command';
import { addTagCommand, removeTagCommand } from './commands/tag.command';
import { todayCommand } from './commands/today.command';
import { todoCommand } from './commands/todo.command';
import { undoCommand } from './commands/undo.command';
import { handoverCancelAction } from './actions/handover-cancel.action';
import { handoverConfirmAction } from './actions/handover-confirm.action';
import { leaverEvenAction } from './actions/leaver-even.action';
import { leaverOneAction } from './actions/leaver-one.action';
import { opportunityLaterAction } from './actions/opportunity-later.action';
import { opportunityLostAction } from './actions/opportunity-lost.action';
import { opportunityWonAction } from './actions/opportunity-won.action';
import { reminderCustomerAction } from './actions/reminder-customer.action';
import { reminderDoneAction } from './actions/reminder-done.action';
import { reminderSnoozeHourAction } from './actions/reminder-snooze-hour.action';
import { reminderTomorrowAction } from './actions/reminder-tomorrow.action';
import { todoDoneAction } from './actions/todo-done.action';
import { todoSnoozeHourAction } from './actions/todo-snooze-hour.action';
import { todoTomorrowAction } from './actions/todo-tomorrow.action';
import type { CardAction } from './core/card-action';
import { CardActionRouter } from './core/card-action-router';
import type { Command } from './core/command';
import { CommandRouter } from './core/router';

/** Every command, in the order 帮助 lists them. Adding a command is one file and one line here. */
export function createCommandRouter(): CommandRouter {
  const commands: Command[] = [];
  commands.push(
    recordFollowUpCommand as Command,
    showCustomerCommand as Command,
    myCustomersCommand as Command,
    addTagCommand as Command,
    removeTagCommand as Command,
    stageCommand as Command,
    opportunityCommand as Command,
    wonCommand as Command,
    lostCommand as Command,
    remindCommand as Command,
    todoCommand as Command,
    completeReminderCommand as Command,
    snoozeReminderCommand as Command,
    todayCommand as Command,
    reportCommand as Command,
    handoverCommand as Command,
    leaverCommand as Command,
    forecastCommand as Command,
    undoCommand as Command,
    doNotContactCommand as Command,
    resumeContactCommand as Command,
    helpCommand(() => commands) as Command,
  );
  // Throws at startup on a duplicate name or alias.
  return new CommandRouter(commands);
}

/** Every card button, by the EventKey prefix of its buttons. A new card with buttons is one file per button and a line each here. */
export function createCardActionRouter(): CardActionRouter {
  // Throws at startup when two prefixes overlap.
  return new CardActionRouter([
    reminderDoneAction as CardAction,
    reminderSnoozeHourAction as CardAction,
    reminderTomorrowAction as CardAction,
    reminderCustomerAction as CardAction,
    todoDoneAction as CardAction,
    todoSnoozeHourAction as CardAction,
    todoTomorrowAction as CardAction,
    handoverConfirmAction as CardAction,
    handoverCancelAction as CardAction,
    leaverOneAction as CardAction,
    leaverEvenAction as CardAction,
    opportunityWonAction as CardAction,
    opportunityLostAction as CardAction,
    opportunityLaterAction as CardAction,
  ]);
}
