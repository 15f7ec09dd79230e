import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';
import { index } from './schema-helpers';

/**
 * 预测, the digests and 报表 count one salesperson's or one team's opportunities: without an index on
 * the salesperson each of them read the whole table (71 ms for one salesperson at 100,000
 * opportunities, bench:pipeline). (staff_userid, status, closed_at) serves a salesperson's open ones
 * and those they closed in a period.
 */
export class OpportunitiesBySalesperson1764450000000 implements MigrationInterface {
  name = 'OpportunitiesBySalesperson1764450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('opportunities', new TableIndex(index('idx_opportunities_staff_status_closed', ['staff_userid', 'status', 'closed_at'])));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('opportunities', 'idx_opportunities_staff_status_closed');
  }
}
