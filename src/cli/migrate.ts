import 'reflect-metadata';
import { ConfigError, loadConfig, loadDotEnvFile } from '../config';
import { openDatabase } from '../platform/db/database';

/** `npm run migrate`: applies pending migrations (`-- --revert` undoes the last one). */
async function migrate(): Promise<void> {
  loadDotEnvFile();
  const config = loadConfig();
  const dataSource = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, runMigrations: false });
  try {
    if (process.argv.includes('--revert')) {
      await dataSource.undoLastMigration({ transaction: 'each' });
      process.stdout.write('reverted the last migration\n');
    } else {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      process.stdout.write(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}\n` : 'schema is up to date\n');
    }
  } finally {
    await dataSource.destroy();
  }
}

migrate().catch((error) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
