import { rmSync } from 'node:fs';
import { sqliteTestRoot } from './sqlite-test-dir';

/**
 * Runs once before jest starts its workers, which inherit the environment: the process clock of
 * every test is UTC whatever the machine's zone, so nothing passes by accident on a Shanghai machine.
 * (Setting TZ inside a running worker does not move its clock.)
 *
 * Each run starts the SQLite suite from new database files, migrated by the code under test (as
 * MariaDB's test databases are emptied, not kept from another checkout's schema).
 */
export default function globalSetup(globalConfig?: { selectProjects?: string[] }): void {
  process.env.TZ = 'UTC';
  // The fast tier (npm run test:unit) uses no database: it leaves the SQLite files of a suite running beside it alone.
  const unitOnly = !!globalConfig?.selectProjects?.length && globalConfig.selectProjects.every((p) => p === 'unit');
  if (!unitOnly) rmSync(sqliteTestRoot(), { recursive: true, force: true });
}
