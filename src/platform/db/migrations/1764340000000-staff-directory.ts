import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';
import { datetime } from './schema-helpers';

/**
 * When each member was last read from WeCom's staff directory (user/get), so that a member seen
 * without a name is looked up once, not on every event, and the daily refresh can be followed.
 */
export class StaffDirectory1764340000000 implements MigrationInterface {
  name = 'StaffDirectory1764340000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('staff', new TableColumn(datetime('directory_synced_at', { nullable: true })));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('staff', 'directory_synced_at');
  }
}
