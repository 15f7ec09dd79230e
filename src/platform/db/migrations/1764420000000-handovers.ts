import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { createdAt, datetime, foreignKey, id, index, int, updatedAt, varchar } from './schema-helpers';

/**
 * Handover of customers (issue 16, 在职转接 / 离职继承): `handovers` is one request of a lead or
 * admin (who asked, the new owner, where it stands), `handover_customers` each customer in it with
 * WeCom's answer (waiting, taken over, refused, at the limit, or the errcode that stopped it).
 */
export class Handovers1764420000000 implements MigrationInterface {
  name = 'Handovers1764420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'handovers',
        columns: [
          id(),
          varchar('kind', 32),
          varchar('to_userid', 64),
          varchar('requested_by', 64),
          varchar('status', 32, { default: 'proposed' }),
          varchar('source_key', 191),
          datetime('confirmed_at', { nullable: true }),
          datetime('settled_at', { nullable: true }),
          createdAt(q),
          updatedAt(q),
        ],
        indices: [index('idx_handovers_status', ['status']), index('uq_handovers_source_key', ['source_key'], true)],
      }),
    );
    await q.createTable(
      new Table({
        name: 'handover_customers',
        columns: [
          id(),
          int('handover_id'),
          int('customer_id'),
          varchar('external_userid', 64),
          varchar('from_userid', 64),
          varchar('status', 32, { default: 'proposed' }),
          int('errcode', { nullable: true }),
          datetime('settled_at', { nullable: true }),
          createdAt(q),
          updatedAt(q),
        ],
        indices: [
          index('uq_handover_customers_handover_customer', ['handover_id', 'customer_id'], true),
          index('idx_handover_customers_customer', ['customer_id']),
          index('idx_handover_customers_status', ['status']),
        ],
        foreignKeys: [
          foreignKey('fk_handover_customers_handover', 'handover_id', 'handovers'),
          foreignKey('fk_handover_customers_customer', 'customer_id', 'customers'),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('handover_customers');
    await q.dropTable('handovers');
  }
}
