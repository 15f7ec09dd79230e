import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';
import { datetime } from './schema-helpers';

/**
 * When the product closed a reminder (its customer erased, or the relation ended): a digest of a day
 * that began before the close still counts it as it stood then, so a past day's figures do not change.
 */
export class ReminderClosedAt1764411000000 implements MigrationInterface {
  name = 'ReminderClosedAt1764411000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('reminders', new TableColumn(datetime('closed_at', { nullable: true })));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('reminders', 'closed_at');
  }
}
