import { completeReminderCommand, snoozeReminderCommand } from './commands/complete-reminder.command';
import { doNotContactCommand, resumeContactCommand } from './commands/do-not-contact.command';
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
    remindCommand as Command,
    todoCommand as Command,
    completeReminderCommand as Command,
    snoozeReminderCommand as Command,
    todayCommand as Command,
    reportCommand as Command,
    undoCommand as Command,
    doNotContactCommand as Command,
    resumeContactCommand as Command,
    helpCommand(() => commands) as Command,
  );
  // Throws at startup on a duplicate name or alias.
  return new CommandRouter(commands);
}
