import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { createdAt, datetime, foreignKey, id, index, int, text, updatedAt, varchar } from './schema-helpers';

/** SOP runs per customer and their planned steps (reminders already carry `escalated_at`). */
export class SopsAndEscalation1764000000000 implements MigrationInterface {
  name = 'SopsAndEscalation1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'sop_runs',
        columns: [
          id(),
          varchar('sop_name', 64),
          int('customer_id'),
          varchar('staff_userid', 64),
          varchar('trigger_type', 32),
          varchar('run_key', 191),
          varchar('status', 32, { default: 'active' }),
          text('context', { nullable: true }),
          datetime('started_at'),
          createdAt(q),
          updatedAt(q),
        ],
        indices: [index('uq_sop_runs_run_key', ['run_key'], true), index('idx_sop_runs_customer', ['customer_id', 'status'])],
        foreignKeys: [foreignKey('fk_sop_runs_customer', 'customer_id', 'customers')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'sop_step_runs',
        columns: [
          id(),
          int('run_id'),
          varchar('step_key', 64),
          int('step_index'),
          datetime('due_at'),
          varchar('status', 32, { default: 'pending' }),
          varchar('skip_reason', 64, { nullable: true }),
          text('message', { nullable: true }),
          datetime('fired_at', { nullable: true }),
          createdAt(q),
          updatedAt(q),
        ],
        indices: [index('uq_sop_step_runs_run_step', ['run_id', 'step_key'], true), index('idx_sop_step_runs_status_due', ['status', 'due_at'])],
        foreignKeys: [foreignKey('fk_sop_step_runs_run', 'run_id', 'sop_runs')],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('sop_step_runs');
    await q.dropTable('sop_runs');
  }
}
