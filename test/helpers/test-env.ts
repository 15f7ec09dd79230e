import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { type Config, loadConfig, type WecomCredentials } from '../../src/config';
import { createContainer, type Container } from '../../src/container';
import { forgetCachedRows } from '../../src/platform/db/row-cache';
import { createLogger, type Logger } from '../../src/platform/logger';
import vectors from '../fixtures/wecom-test-vectors.json';
import { sqliteTestDir } from './sqlite-test-dir';

/**
 * A real database and Redis for integration tests: MariaDB, or with `TEST_DATABASE=sqlite` the
 * embedded SQLite that `npm start` uses (a file per jest worker under the system temp directory).
 * Each jest worker gets its own database (two workers migrating one database race), each test file
 * its own Bull key prefix.
 */

export type TestDatabaseKind = 'mariadb' | 'sqlite';

export function testDatabaseKind(): TestDatabaseKind {
  const kind = (process.env.TEST_DATABASE ?? 'mariadb').toLowerCase();
  if (kind !== 'mariadb' && kind !== 'sqlite') throw new Error(`TEST_DATABASE must be mariadb or sqlite, not ${kind}`);
  return kind;
}

export const onSqlite = (): boolean => testDatabaseKind() === 'sqlite';

/**
 * `test` on MariaDB, `test.skip` on SQLite: for what only MariaDB has (a TCP server to cut off,
 * utf8mb4 charsets). The test's name says so.
 */
export const mariadbOnlyTest = (name: string, fn: () => Promise<void>, timeout?: number): void =>
  (onSqlite() ? test.skip : test)(`${name} (MariaDB only)`, fn, timeout);

export const MARIADB_ROOT_URL = process.env.TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The official WeCom sample credentials (PROTOCOL.md §3), so real vectors verify through our code. */
export const TEST_WECOM: WecomCredentials = {
  corpId: vectors[0]!.receiveid,
  agentId: '1000002',
  secret: 'test-secret-not-used-against-wecom',
  token: vectors[0]!.token,
  encodingAesKey: vectors[0]!.key,
};

export function testDatabaseName(): string {
  // TEST_DB_PREFIX lets two suites run side by side on one server without emptying each other's tables.
  return `${process.env.TEST_DB_PREFIX ?? 'wecom_crm_test'}_${process.env.JEST_WORKER_ID ?? '0'}`;
}

/** Creates the database in utf8mb4 if missing and returns its URL (`rootUrl`: the server, without a database). */
export async function ensureTestDatabase(name = testDatabaseName(), rootUrl = MARIADB_ROOT_URL): Promise<string> {
  const connection = await createConnection({ uri: rootUrl });
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
  return `${rootUrl}/${name}`;
}

export async function dropDatabase(name: string, rootUrl = MARIADB_ROOT_URL): Promise<void> {
  const connection = await createConnection({ uri: rootUrl });
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await connection.end();
  }
}

/**
 * The environment that points the product at this worker's test database: `DATABASE_URL` for
 * MariaDB (the database created if missing); for SQLite no URL, and `DATA_DIR` holding its file.
 */
export async function testDatabaseEnv(): Promise<Record<string, string>> {
  if (onSqlite()) {
    const dataDir = sqliteTestDir();
    mkdirSync(dataDir, { recursive: true });
    return { DATA_DIR: dataDir };
  }
  return { DATABASE_URL: await ensureTestDatabase() };
}

/** The test app's WeCom settings as environment variables (a container's config, a child process), its API at `apiBase`. */
export function testWecomEnv(apiBase = 'https://qyapi.weixin.qq.com/cgi-bin'): Record<string, string> {
  return {
    WECOM_CORP_ID: TEST_WECOM.corpId,
    WECOM_AGENT_ID: TEST_WECOM.agentId,
    WECOM_SECRET: TEST_WECOM.secret,
    WECOM_TOKEN: TEST_WECOM.token,
    WECOM_ENCODING_AES_KEY: TEST_WECOM.encodingAesKey,
    WECOM_API_BASE: apiBase,
  };
}

export function testConfig(databaseEnv: Record<string, string>, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    ...databaseEnv,
    REDIS_URL: TEST_REDIS_URL,
    ...testWecomEnv(),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    WORKER_CONCURRENCY: '4',
    // Scheduled digests would fire into whichever test runs at 18:00 Shanghai: tests that want them say so.
    CRM_DIGEST_TIME: 'off',
    CRM_TEAM_DIGEST_TIME: 'off',
    CRM_WEEKLY_DIGEST: 'off',
    // and the close-date cards of opportunities (their test runs the job directly)
    CRM_OPPORTUNITY_DUE_TIME: 'off',
    // The daily retention job likewise (its tests run it directly).
    INBOUND_PRUNE_CRON: 'off',
    // Drawing charts costs 50–250 ms each: the weekly digest's charts only where a test asks for them.
    CRM_CHARTS: 'off',
    ...overrides,
  });
}

export function uniquePrefix(label: string): string {
  return `test-${label}-${process.env.JEST_WORKER_ID ?? '0'}-${Date.now().toString(36)}`;
}

export interface TestDatabaseOptions {
  /** the embedded SQLite default of `npm start` (a new file in a temporary data directory) instead of MariaDB */
  sqlite?: boolean;
  /** with `sqlite`: this data directory (kept on close) instead of a new temporary one */
  dataDir?: string;
  /** this queue prefix instead of a new one (a second process, or a second database, on the same Redis) */
  queuePrefix?: string;
  /** keep the tables as they are (a restarted process) instead of emptying them */
  keepData?: boolean;
  /** the clock of the container's schedulers and outbound queue */
  now?: () => number;
  /** the container's logger (a test that reads what was logged) */
  logger?: Logger;
  /** the clock of the numbered lists' expiry (ContainerOptions.conversationClock) */
  conversationClock?: () => Date;
}

/** A container on the worker's test database (migrated, emptied) with its own queue prefix. */
export async function createTestContainer(label: string, overrides: Record<string, string> = {}, options: TestDatabaseOptions = {}): Promise<Container> {
  // A test that names its SQLite data directory (a second database, a restarted process) gets it;
  // otherwise the project's database (TEST_DATABASE: MariaDB, or SQLite as npm start uses it).
  const ownDir = options.sqlite && !options.dataDir ? mkdtempSync(join(tmpdir(), `wecom-crm-${label}-`)) : undefined;
  const dataDir = options.dataDir ?? ownDir;
  const database = options.sqlite || dataDir ? { DATA_DIR: dataDir! } : await testDatabaseEnv();
  const config = testConfig(database, overrides);
  const container = await createContainer(config, config.wecom!, options.logger ?? createLogger(config.logLevel), {
    queuePrefix: options.queuePrefix ?? uniquePrefix(label),
    defaultMetrics: false,
    now: options.now,
    conversationClock: options.conversationClock,
  });
  if (!options.keepData) await truncateAll(container.dataSource);
  if (ownDir) {
    const close = container.close.bind(container);
    container.close = async () => {
      await close();
      rmSync(ownDir, { recursive: true, force: true });
    };
  }
  return container;
}

/** Empties every table and restarts its ids at 1 (TRUNCATE on MariaDB; SQLite has none, so DELETE and reset its sequences). */
export async function truncateAll(dataSource: DataSource): Promise<void> {
  await truncateTables(dataSource);
  // the app's in-memory copies of rows that production never deletes (row-cache.ts)
  forgetCachedRows();
}

async function truncateTables(dataSource: DataSource): Promise<void> {
  const tables = dataSource.entityMetadatas.map((m) => m.tableName);
  if (dataSource.options.type === 'better-sqlite3') {
    // foreign_keys cannot change inside a transaction; TypeORM's SQLite driver has one connection, so this holds for the deletes.
    await dataSource.query('PRAGMA foreign_keys = OFF');
    try {
      await dataSource.transaction(async (m) => {
        for (const table of tables) await m.query(`DELETE FROM "${table}"`);
        const sequences = await m.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'`);
        if (sequences.length) await m.query(`DELETE FROM sqlite_sequence WHERE name IN (${tables.map(() => '?').join(', ')})`, tables);
      });
    } finally {
      await dataSource.query('PRAGMA foreign_keys = ON');
    }
    return;
  }
  await dataSource.query('SET FOREIGN_KEY_CHECKS = 0');
  for (const table of tables) await dataSource.query(`TRUNCATE TABLE \`${table}\``);
  await dataSource.query('SET FOREIGN_KEY_CHECKS = 1');
}

/**
 * Empties the database and every queue. Both are needed: job ids derive from row ids, and a
 * truncated table starts its ids again at 1, which Bull would take for jobs it already has. Jobs
 * still running (the last test's, under load) finish first: one left running would write into the
 * next test's rows, or hold a job id the next test needs.
 */
export async function resetState(container: Container): Promise<void> {
  const queues = container.queues.all();
  for (const queue of queues) {
    // empty() drops delayed jobs from the schedule but keeps their keys, and Bull ignores an add whose
    // id exists: a later test's job of the same id (overdue-1-<time>) would silently never be added.
    for (const job of await queue.getDelayed()) if (!job.opts.repeat) await job.remove().catch(() => undefined);
    await queue.empty();
    for (const state of ['delayed', 'wait'] as const) await queue.clean(0, state);
  }
  // (not queue.pause(true): it cuts the blocking connection, and a job Redis handed over in that
  // moment sits in `active` until the stalled check finds it)
  await waitFor(
    async () => (await Promise.all(queues.map((q) => q.getActiveCount()))).reduce((a, b) => a + b, 0),
    (n) => n === 0,
    15_000,
    'running jobs to finish',
  );
  for (const queue of queues) {
    for (const state of ['completed', 'failed'] as const) await queue.clean(0, state);
  }
  await truncateAll(container.dataSource);
}

/** Removes every Redis key under a prefix (tests and benchmarks leave nothing behind). */
export async function deleteRedisPrefix(prefix: string, redisUrl = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Polls until `predicate` holds (for work that a real queue does asynchronously). */
export async function waitFor<T>(read: () => Promise<T>, predicate: (value: T) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await read();
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 25));
  } while (Date.now() < deadline);
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
}
