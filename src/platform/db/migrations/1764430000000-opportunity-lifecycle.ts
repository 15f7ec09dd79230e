import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { createdAt, datetime, decimal, foreignKey, id, index, int, varchar } from './schema-helpers';

const USERID = 64;
const STATUS = 32;

/**
 * Opportunities that close (issue 18): a name that tells a customer's opportunities apart, when and
 * why one closed, an index for the open ones by close date (nudges, forecast), and
 * `opportunity_changes`, the history of every change. Each opportunity already recorded gets its
 * creation as the first entry of its history.
 */
export class OpportunityLifecycle1764430000000 implements MigrationInterface {
  name = 'OpportunityLifecycle1764430000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('opportunities', [
      new TableColumn(varchar('name', 32, { nullable: true })),
      new TableColumn(datetime('closed_at', { nullable: true })),
      new TableColumn(varchar('close_reason', 255, { nullable: true })),
    ]);
    await q.createIndex('opportunities', new TableIndex(index('idx_opportunities_status_close', ['status', 'expected_close_at'])));
    await q.createTable(
      new Table({
        name: 'opportunity_changes',
        columns: [
          id(),
          int('opportunity_id'),
          int('customer_id'),
          varchar('kind', STATUS),
          decimal('amount', 14, 2),
          int('probability', { nullable: true }),
          datetime('expected_close_at', { nullable: true }),
          varchar('status', STATUS),
          varchar('reason', 255, { nullable: true }),
          varchar('staff_userid', USERID, { nullable: true }),
          varchar('source_key', 128, { nullable: true }),
          createdAt(q),
        ],
        indices: [
          index('idx_opportunity_changes_opportunity', ['opportunity_id', 'created_at']),
          index('idx_opportunity_changes_customer', ['customer_id']),
          index('uq_opportunity_changes_source_key', ['source_key'], true),
        ],
        foreignKeys: [foreignKey('fk_opportunity_changes_opportunity', 'opportunity_id', 'opportunities')],
      }),
    );
    await q.query(
      `INSERT INTO opportunity_changes (opportunity_id, customer_id, kind, amount, probability, expected_close_at, status, staff_userid, created_at)
       SELECT id, customer_id, 'create', amount, probability, expected_close_at, status, staff_userid, created_at FROM opportunities`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('opportunity_changes');
    await q.dropIndex('opportunities', 'idx_opportunities_status_close');
    await q.dropColumn('opportunities', 'close_reason');
    await q.dropColumn('opportunities', 'closed_at');
    await q.dropColumn('opportunities', 'name');
  }
}
