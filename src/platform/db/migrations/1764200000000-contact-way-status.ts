import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';
import { isMysqlFamily, varchar } from './schema-helpers';

/**
 * A contact way is stored (`creating`, no config_id yet) before WeCom is asked to create it, so a
 * crash between WeCom's answer and our write is noticed on the next try instead of silently making
 * a second QR code.
 */
export class ContactWayStatus1764200000000 implements MigrationInterface {
  name = 'ContactWayStatus1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await configIdNullable(q, true);
    await q.addColumn('contact_ways', new TableColumn(varchar('status', 16, { default: 'created' })));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('contact_ways', 'status');
    await q.query('DELETE FROM contact_ways WHERE config_id IS NULL');
    await configIdNullable(q, false);
  }
}

/** TypeORM's changeColumn on MySQL drops the column's unique index: MODIFY keeps it. */
async function configIdNullable(q: QueryRunner, nullable: boolean): Promise<void> {
  if (isMysqlFamily(q)) await q.query(`ALTER TABLE \`contact_ways\` MODIFY \`config_id\` varchar(64) ${nullable ? 'NULL' : 'NOT NULL'}`);
  else await q.changeColumn('contact_ways', 'config_id', new TableColumn(varchar('config_id', 64, { nullable })));
}
