import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { createdAt, datetime, id, index, int, updatedAt, varchar } from './schema-helpers';

/**
 * 离职继承 (issue 16): `leavers` is one salesperson who left, once per userid — who got the card and
 * meanwhile receives their reminders and SOP steps (the lead), how the lead decided, and when the
 * leaver's customer groups were handed over. The handovers it starts are ordinary `handovers` rows.
 */
export class Leavers1764440000000 implements MigrationInterface {
  name = 'Leavers1764440000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'leavers',
        columns: [
          id(),
          varchar('userid', 64),
          varchar('stand_in_userid', 64, { nullable: true }),
          varchar('status', 32, { default: 'offered' }),
          varchar('source', 32),
          varchar('decision', 96, { nullable: true }),
          varchar('decided_by', 64, { nullable: true }),
          datetime('decided_at', { nullable: true }),
          int('rounds', { default: 0 }),
          datetime('groups_moved_at', { nullable: true }),
          createdAt(q),
          updatedAt(q),
        ],
        indices: [index('uq_leavers_userid', ['userid'], true)],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('leavers');
  }
}
