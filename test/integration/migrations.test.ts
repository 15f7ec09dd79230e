import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Customer, Staff } from '../../entities';
import { upsertActiveRelation, upsertCustomer } from '../../src/modules/capture/customer-profile.store';
import { openDatabase } from '../../src/platform/db/database';
import { ALL_MIGRATIONS } from '../../src/platform/db/migrations';
import { createConnection } from 'mysql2/promise';
import { dropDatabase, MARIADB_ROOT_URL, onSqlite, testDatabaseName } from '../helpers/test-env';

/** Each test is about one database: it runs in that database's jest project only. */
describe('migrations', () => {
  (onSqlite() ? it.skip : it)(
    'on MariaDB: produce exactly the schema the entities describe (no drift), in utf8mb4, and revert cleanly',
    async () => {
      const name = `${testDatabaseName()}_migrations`;
      await dropDatabase(name);
      // Created in latin1 on purpose: the migration itself must make it utf8mb4.
      const root = await createConnection({ uri: MARIADB_ROOT_URL });
      await root.query(`CREATE DATABASE \`${name}\` CHARACTER SET latin1`);
      await root.end();
      const url = `${MARIADB_ROOT_URL}/${name}`;
      const dataSource = await openDatabase({ databaseUrl: url, dataDir: 'unused', runMigrations: true });
      try {
        expect(dataSource.options.type).toBe('mariadb');
        const drift = await dataSource.driver.createSchemaBuilder().log();
        expect(drift.upQueries.map((q) => q.query)).toEqual([]);

        const [charset] = await dataSource.query('SELECT DEFAULT_CHARACTER_SET_NAME AS cs FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
        expect(charset.cs).toBe('utf8mb4');
        const saved = await dataSource.getRepository(Customer).save({ name: '张三😀', externalUserid: 'wmZhang' });
        expect((await dataSource.getRepository(Customer).findOneByOrFail({ id: saved.id })).name).toBe('张三😀');

        while ((await dataSource.query('SELECT COUNT(*) AS n FROM schema_migrations'))[0].n > 0) {
          await dataSource.undoLastMigration();
        }
        const tables = await dataSource.query('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [name]);
        expect(tables.map((t: { t: string }) => t.t)).toEqual(['schema_migrations']);
        expect(await dataSource.runMigrations()).toHaveLength(ALL_MIGRATIONS.length);
      } finally {
        await dataSource.destroy();
        await dropDatabase(name);
      }
      // every table created, dropped and created again: a minute on a busy 2-core machine
    },
    120_000,
  );

  (onSqlite() ? it : it.skip)('on the embedded SQLite default: the same migrations run and the model works', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wecom-crm-sqlite-'));
    try {
      const dataSource = await openDatabase({ databaseUrl: undefined, dataDir, runMigrations: true });
      try {
        expect(dataSource.options.type).toBe('better-sqlite3');
        const repo = dataSource.getRepository(Customer);
        const saved = await repo.save({ name: '李四', externalUserid: 'wmLi', stage: 'prospect' });
        expect(await repo.findOneByOrFail({ id: saved.id })).toMatchObject({ name: '李四', stage: 'prospect', doNotContact: false });
        expect(await dataSource.showMigrations()).toBe(false);
        // Created to the millisecond, as on MariaDB (not datetime('now')'s whole seconds), and read back as UTC.
        const [raw] = await dataSource.query('SELECT created_at AS at FROM customers WHERE id = ?', [saved.id]);
        expect(raw.at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
        const created = (await repo.findOneByOrFail({ id: saved.id })).createdAt;
        expect(created.toISOString()).toBe(`${String(raw.at).replace(' ', 'T')}Z`);
        expect(Math.abs(created.getTime() - Date.now())).toBeLessThan(60_000);
        // INSERT … OR IGNORE of a row that exists (a second sync, a replayed add) is not an error here either
        for (let run = 0; run < 2; run += 1) {
          const { customer, created } = await dataSource.transaction((m) => upsertCustomer(m, { external_userid: 'wmWang', name: '王五', type: 1 }));
          expect(created).toBe(run === 0);
          await dataSource
            .getRepository(Staff)
            .createQueryBuilder()
            .insert()
            .values({ userid: 'zhangsan', wecomUserid: 'ZhangSan' })
            .orIgnore()
            .updateEntity(false)
            .execute();
          expect(await dataSource.transaction((m) => upsertActiveRelation(m, customer.id, { userid: 'zhangsan', createtime: 1_790_000_000 } as never))).toEqual(
            { created: run === 0 },
          );
        }
      } finally {
        await dataSource.destroy();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
