import { randomBytes } from 'node:crypto';
import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { createdAt, varchar } from './schema-helpers';
import { INSTANCE_TABLE } from '../instance-id';

/**
 * Who this database is, for Redis: Bull job ids derive from row ids, and a new database (the
 * sandbox's ./data deleted, a new DATABASE_URL) starts its ids at 1 again, where a Redis shared with
 * an earlier database still holds that one's jobs. Each database gets a random id at this migration
 * and its queues live under it (queues.ts). A database that already holds work keeps the unscoped
 * queues it used so far (id ''), so an upgrade strands none of its waiting jobs.
 */
export class DatabaseInstance1764310000000 implements MigrationInterface {
  name = 'DatabaseInstance1764310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: INSTANCE_TABLE,
        columns: [{ name: 'id', type: 'integer', isPrimary: true }, varchar('instance_id', 32), createdAt(q)],
      }),
    );
    let used = false;
    for (const table of ['inbound_events', 'outbound_messages', 'reminders', 'sop_step_runs']) {
      if ((await q.query(`SELECT 1 FROM ${table} LIMIT 1`)).length > 0) used = true;
    }
    await q.manager
      .createQueryBuilder()
      .insert()
      .into(INSTANCE_TABLE)
      .values({ id: 1, instance_id: used ? '' : randomBytes(6).toString('hex') })
      .execute();
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable(INSTANCE_TABLE);
  }
}
