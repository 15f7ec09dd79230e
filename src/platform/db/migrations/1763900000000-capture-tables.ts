import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { createdAt, datetime, id, index, text, updatedAt, varchar } from './schema-helpers';

/** Customer capture: contact ways created per channel state, and backfill/reconciliation checkpoints. */
export class CaptureTables1763900000000 implements MigrationInterface {
  name = 'CaptureTables1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'contact_ways',
        columns: [
          id(),
          varchar('state', 64),
          varchar('config_id', 64),
          varchar('qr_code', 512, { nullable: true }),
          varchar('rule_name', 64, { nullable: true }),
          text('users', { nullable: true }),
          varchar('created_by', 64, { nullable: true }),
          createdAt(q),
          updatedAt(q),
        ],
        indices: [index('uq_contact_ways_state', ['state'], true), index('uq_contact_ways_config_id', ['config_id'], true)],
      }),
    );
    await q.createTable(
      new Table({
        name: 'sync_checkpoints',
        columns: [
          id(),
          varchar('name', 64),
          varchar('status', 32),
          text('state', { nullable: true }),
          datetime('started_at'),
          datetime('finished_at', { nullable: true }),
          updatedAt(q),
        ],
        indices: [index('uq_sync_checkpoints_name', ['name'], true)],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('sync_checkpoints');
    await q.dropTable('contact_ways');
  }
}
