import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { datetime, index } from './schema-helpers';

/**
 * Processed events lose their payload after INBOUND_PAYLOAD_RETENTION_DAYS; the row, its dedupe key
 * and its outcome stay (a replay is still recognised). The index serves the daily prune: rows not yet
 * pruned, by the time they were processed.
 */
export class InboundPayloadRetention1764360000000 implements MigrationInterface {
  name = 'InboundPayloadRetention1764360000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('inbound_events', new TableColumn(datetime('payload_pruned_at', { nullable: true })));
    await q.createIndex('inbound_events', new TableIndex(index('idx_inbound_events_pruned_processed', ['payload_pruned_at', 'processed_at'])));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('inbound_events', 'idx_inbound_events_pruned_processed');
    await q.dropColumn('inbound_events', 'payload_pruned_at');
  }
}
