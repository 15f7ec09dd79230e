import type { ObjectLiteral, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/**
 * INSERT … IGNORE (MySQL/MariaDB) or INSERT OR IGNORE (SQLite), answering how many rows it wrote,
 * the same way on both: TypeORM's InsertResult does not say (MariaDB reports it in `raw`, SQLite only
 * its last row id), and reading back the entity of an ignored row fails on SQLite. A repository of a
 * transaction's manager writes in that transaction.
 */
export async function insertIgnore<T extends ObjectLiteral>(
  repo: Repository<T>,
  values: QueryDeepPartialEntity<T> | QueryDeepPartialEntity<T>[],
): Promise<number> {
  const [sql, parameters] = repo.createQueryBuilder().insert().values(values).orIgnore().updateEntity(false).getQueryAndParameters();
  const m = repo.manager;
  const runner = m.queryRunner ?? m.connection.createQueryRunner();
  try {
    const result = await runner.query(sql, parameters, true);
    return Number(result.affected ?? 0);
  } finally {
    if (!m.queryRunner) await runner.release();
  }
}
