/** What other modules (and bots/) may use of reminders. */
export type { ReminderScheduler } from './reminder-scheduler.port';
export { createReminderScheduler } from './reminder.scheduler';
export { ReminderService } from './reminder.service';
export type { SnoozeRequest } from './reminder.service';
export { remindersModule } from './reminders.module';
