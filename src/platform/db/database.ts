import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../../ormconfig';
import { serializeSqliteTransactions } from './sqlite-serialized';
import { sqliteMillisecondTimestamps } from './sqlite-timestamps';

export interface OpenDatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  runMigrations: boolean;
  poolSize?: number;
}

/**
 * TypeORM needs to know whether a mysql:// URL points at MariaDB: with the plain mysql driver it
 * misreads MariaDB's JSON columns and defaults (STACK.md). Ask the server once.
 */
export async function detectMysqlFlavor(databaseUrl: string): Promise<'mysql' | 'mariadb'> {
  if (databaseUrl.startsWith('mariadb:')) return 'mariadb';
  const connection = await createConnection({ uri: databaseUrl, connectTimeout: 5000 });
  try {
    const [rows] = await connection.query('SELECT VERSION() AS version');
    const version = String((rows as Array<{ version: string }>)[0]?.version ?? '');
    return /mariadb/i.test(version) ? 'mariadb' : 'mysql';
  } finally {
    await connection.end();
  }
}

/** Connects (and migrates when asked). The caller owns the DataSource and must destroy() it. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DataSource> {
  const mysqlFlavor = options.databaseUrl ? await detectMysqlFlavor(options.databaseUrl) : undefined;
  const dataSource = new DataSource(
    buildDataSourceOptions({ databaseUrl: options.databaseUrl, dataDir: options.dataDir, mysqlFlavor, poolSize: options.poolSize }),
  );
  if (dataSource.options.type === 'better-sqlite3') {
    serializeSqliteTransactions(dataSource);
    sqliteMillisecondTimestamps(dataSource);
  }
  await dataSource.initialize();
  if (options.runMigrations) await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}
