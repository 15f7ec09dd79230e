import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';
import { bool, varchar } from './schema-helpers';

/**
 * Quiet hours hold only what the product starts on its own, and follow the setting in force:
 * - `outbound_messages.quiet_hours_exempt`: a message a person asked for at a time (their own
 *   reminder card) is delivered at that time, whatever the hour.
 * - `outbound_messages.held_for`: why `not_before` is set (quiet_hours, pacing, retry), so a worker
 *   that starts with other quiet hours (or none) can release or move exactly the quiet-hours holds.
 * - `reminders.close_reason`: a reminder closed by the product, not by the salesperson (the
 *   customer deleted them, was deleted or transferred), says why.
 */
export class QuietHoursHoldsAndReminderClosing1764330000000 implements MigrationInterface {
  name = 'QuietHoursHoldsAndReminderClosing1764330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('outbound_messages', new TableColumn(bool('quiet_hours_exempt', false)));
    await q.addColumn('outbound_messages', new TableColumn(varchar('held_for', 16, { nullable: true })));
    await q.addColumn('reminders', new TableColumn(varchar('close_reason', 32, { nullable: true })));
    // Rows written before this migration: reminder cards (their key names the reminder) are a
    // person's own time; a queued non-urgent row waiting with no error is a quiet-hours hold (or a
    // pacing wait, which a worker releasing it early merely re-defers).
    await q.query("UPDATE outbound_messages SET quiet_hours_exempt = 1 WHERE idempotency_key LIKE 'reminder:%'");
    await q.query(
      "UPDATE outbound_messages SET held_for = 'quiet_hours' WHERE status = 'queued' AND not_before IS NOT NULL AND errcode IS NULL AND urgent = 0",
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('reminders', 'close_reason');
    await q.dropColumn('outbound_messages', 'held_for');
    await q.dropColumn('outbound_messages', 'quiet_hours_exempt');
  }
}
