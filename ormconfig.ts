import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ALL_ENTITIES } from './entities';
import { loadConfig } from './src/config';
import { ALL_MIGRATIONS } from './src/platform/db/migrations';
import { SnakeNamingStrategy } from './src/platform/db/snake-naming.strategy';

/**
 * The TypeORM DataSource. `DATABASE_URL=mysql://…` (MySQL 8 or MariaDB 10.6+) in production; unset,
 * an embedded SQLite file under the data directory so a newcomer needs no database server.
 * Schema changes only through migrations: `synchronize` is off everywhere.
 */

export interface DatabaseSettings {
  databaseUrl: string | undefined;
  dataDir: string;
  /** `mariadb` makes TypeORM read MariaDB's JSON/defaults correctly; detected from the server when the URL says mysql://. */
  mysqlFlavor?: 'mysql' | 'mariadb';
  poolSize?: number;
}

export function sqliteFile(dataDir: string): string {
  return resolve(join(dataDir, 'wecom-crm.sqlite'));
}

export function buildDataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  const common = {
    entities: ALL_ENTITIES,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    logging: false,
  } as const;
  if (!settings.databaseUrl) {
    mkdirSync(settings.dataDir, { recursive: true });
    return { ...common, type: 'better-sqlite3', database: sqliteFile(settings.dataDir), enableWAL: true };
  }
  const flavor = settings.mysqlFlavor ?? (settings.databaseUrl.startsWith('mariadb:') ? 'mariadb' : 'mysql');
  return {
    ...common,
    type: flavor,
    url: settings.databaseUrl.replace(/^mariadb:/, 'mysql:'),
    charset: 'utf8mb4_unicode_ci',
    // Store and read UTC whatever the server's or the process's time zone.
    timezone: 'Z',
    connectTimeout: 5000,
    poolSize: settings.poolSize ?? 10,
    // mysql2 captures a stack trace for every query so a failed one points at its caller: 4 % of a
    // busy worker's CPU (bench:capture's profile). Our errors are classified and logged by reason.
    trace: false,
    extra: { enableKeepAlive: true },
  };
}

/** Used by the TypeORM CLI (`npx typeorm -d ormconfig.ts …`); the app builds its own from validated config. */
const cliConfig = loadConfig();
export default new DataSource(buildDataSourceOptions({ databaseUrl: cliConfig.databaseUrl, dataDir: cliConfig.dataDir }));
