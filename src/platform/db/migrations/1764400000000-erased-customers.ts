import { randomBytes } from 'node:crypto';
import { type MigrationInterface, type QueryRunner, Table, TableColumn } from 'typeorm';
import { INSTANCE_TABLE } from '../instance-id';
import { createdAt, id, index, varchar } from './schema-helpers';

/**
 * Erasure of one customer's personal data (issue 19): `erased_customers` keeps a salted hash of each
 * erased external_userid so sync does not import the customer again. The salt is this database's
 * own (random, made here): the hashes of two deployments cannot be matched against each other, nor
 * against a list of hashed ids made elsewhere.
 */
export class ErasedCustomers1764400000000 implements MigrationInterface {
  name = 'ErasedCustomers1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'erased_customers',
        columns: [id(), varchar('subject_hash', 64), createdAt(q)],
        indices: [index('uq_erased_customers_subject_hash', ['subject_hash'], true)],
      }),
    );
    await q.addColumn(INSTANCE_TABLE, new TableColumn(varchar('erasure_salt', 32, { default: '' })));
    await q.manager
      .createQueryBuilder()
      .update(INSTANCE_TABLE)
      .set({ erasure_salt: randomBytes(16).toString('hex') })
      .where('id = 1')
      .execute();
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn(INSTANCE_TABLE, 'erasure_salt');
    await q.dropTable('erased_customers');
  }
}
