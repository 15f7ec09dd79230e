import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** One row (id 1): this database's instance id (see the migration 1764310000000-database-instance). */
export const INSTANCE_TABLE = 'database_instance';

/**
 * This database's instance id, which scopes its queues in Redis: '' for a database that predates it
 * (its queues stay where they were). A row that went missing (a hand-emptied table) is made again,
 * with a new id: that database's jobs may be anyone's.
 */
export async function readInstanceId(dataSource: DataSource): Promise<string> {
  const read = async () =>
    (
      await dataSource
        .createQueryBuilder()
        .select('i.instance_id', 'instanceId')
        .from(INSTANCE_TABLE, 'i')
        .where('i.id = 1')
        .getRawOne<{ instanceId: string }>()
    )?.instanceId;
  let instanceId: string | undefined;
  try {
    instanceId = await read();
  } catch (error) {
    throw new Error(`the database has no ${INSTANCE_TABLE} table: run the migrations (npm run migrate, or MIGRATE_ON_START=true)`, { cause: error });
  }
  if (instanceId !== undefined) return instanceId;
  // Two processes starting at once: the first insert wins, both read it.
  await dataSource
    .createQueryBuilder()
    .insert()
    .into(INSTANCE_TABLE)
    .values({ id: 1, instance_id: randomBytes(6).toString('hex') })
    .orIgnore()
    .execute();
  return (await read())!;
}
