import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the SQLite test databases live (`TEST_DATABASE=sqlite`): a folder per jest worker, named
 * after TEST_DB_PREFIX like MariaDB's test databases, under the system temp directory.
 */
export function sqliteTestRoot(): string {
  return join(tmpdir(), `${process.env.TEST_DB_PREFIX ?? 'wecom_crm_test'}_sqlite`);
}

export function sqliteTestDir(worker = process.env.JEST_WORKER_ID ?? '0'): string {
  return join(sqliteTestRoot(), worker);
}
