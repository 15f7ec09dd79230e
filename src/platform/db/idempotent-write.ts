import type { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation } from './unique-violation';

/**
 * Runs `write` in a transaction. When it trips a unique source key (the same WeCom message handled
 * a second time), the transaction is rolled back and `existing` returns what the first run wrote.
 */
export async function writeOnce<T>(
  dataSource: DataSource,
  write: (manager: EntityManager) => Promise<T>,
  existing: () => Promise<T | null>,
): Promise<{ value: T; duplicate: boolean }> {
  try {
    return { value: await dataSource.transaction(write), duplicate: false };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const value = await existing();
    if (value === null) throw error;
    return { value, duplicate: true };
  }
}
