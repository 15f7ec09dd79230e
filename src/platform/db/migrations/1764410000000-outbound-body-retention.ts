import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { datetime, index } from './schema-helpers';

/**
 * Finished outbound messages lose their body after OUTBOUND_BODY_RETENTION_DAYS; status, recipient,
 * errcode and times stay (they still answer "why did this card never arrive"). The index serves the
 * daily prune: rows not yet pruned, by the time they were created.
 */
export class OutboundBodyRetention1764410000000 implements MigrationInterface {
  name = 'OutboundBodyRetention1764410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('outbound_messages', new TableColumn(datetime('payload_pruned_at', { nullable: true })));
    await q.createIndex('outbound_messages', new TableIndex(index('idx_outbound_messages_pruned_created', ['payload_pruned_at', 'created_at'])));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('outbound_messages', 'idx_outbound_messages_pruned_created');
    await q.dropColumn('outbound_messages', 'payload_pruned_at');
  }
}
