import type Koa from 'koa';
import request from 'supertest';
import { InboundEvent } from '../../entities';
import type { Container } from '../../src/container';
import { drainSpool } from '../../src/platform/events/spool-drain';
import { createWebApp } from '../../src/web';
import { captureLogs } from '../helpers/log-capture';
import { createTestContainer, deleteRedisPrefix, onSqlite } from '../helpers/test-env';
import { signedCallback, textMessageXml } from '../helpers/wecom-callbacks';

/**
 * No personal data in logs: a failing event write logs its error (type, code, the failing column or
 * key) but never the statement's parameters — for an INSERT into inbound_events, the whole decrypted
 * payload — nor the values a database message quotes. The fault suite scans every log it produces
 * for the same; this proves the error paths one by one, on MariaDB and on SQLite.
 */
describe('logs of failing database writes carry no payload', () => {
  const logs = captureLogs('debug');
  let container: Container;
  let app: Koa;
  const canary = '手机13800138000 PRIVATE-CANARY-7f3a';

  beforeAll(async () => {
    container = await createTestContainer('log-privacy', {}, { logger: logs.logger });
    app = createWebApp(container);
  });

  afterAll(async () => {
    await container.dataSource.query('ALTER TABLE inbound_events_away RENAME TO inbound_events').catch(() => undefined);
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  it('the event INSERT failing (the table is gone): the callback is kept, and the log line has the error without the payload', async () => {
    const xml = textMessageXml({ corpId: container.wecom.corpId, from: 'zhangsan', content: `记录跟进 张三 ${canary}`, msgId: '8801' });
    await container.dataSource.query('ALTER TABLE inbound_events RENAME TO inbound_events_away');
    try {
      const req = signedCallback(container.wecom, xml);
      expect((await request(app.callback()).post(req.path).send(req.body)).status).toBe(200);
    } finally {
      await container.dataSource.query('ALTER TABLE inbound_events_away RENAME TO inbound_events');
    }
    const warned = logs.lines().find((l) => l.msg === 'database unavailable: callbacks are kept in the Redis spool until it is back');
    expect(warned?.err).toMatchObject({ type: 'QueryFailedError', code: onSqlite() ? 'SQLITE_ERROR' : 'ER_NO_SUCH_TABLE' });
    expect(JSON.stringify(warned)).not.toMatch(/parameters|INSERT INTO/);
    expect(logs.text()).not.toContain('PRIVATE-CANARY');
    expect(logs.text()).not.toContain('13800138000');

    // and nothing is lost: the spool gives it to the database
    await drainSpool({
      spool: container.spool,
      intake: container.intake,
      keys: container.wecom,
      databaseUp: async () => undefined,
      metrics: container.metrics,
      logger: container.logger,
    });
    expect((await container.dataSource.getRepository(InboundEvent).findOneByOrFail({ dedupeKey: 'msg:8801' })).payload.Content).toContain(canary);
  });

  const insert = 'INSERT INTO inbound_events (dedupe_key, kind, from_user, create_time, payload';
  it.each([
    // SQLite names the key, MariaDB quotes the value too: neither reaches the log, nor do the parameters
    [
      'a duplicate key',
      `${insert}) VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)`,
      [canary, 'text', 'u', '1', '{}', canary, 'text', 'u', '1', '{}'],
      onSqlite() ? 'SQLITE_CONSTRAINT_UNIQUE' : 'ER_DUP_ENTRY',
    ],
    // SQLite stores these (no length or type checks): MariaDB only
    ...(onSqlite()
      ? []
      : [
          [
            'a value too long for its column (MariaDB only)',
            `${insert}) VALUES (?, ?, ?, ?, ?)`,
            ['k-long', 'text', 'u', canary.repeat(3), '{}'],
            'ER_DATA_TOO_LONG',
          ],
          [
            'a value the column cannot take, quoted by MariaDB (MariaDB only)',
            `${insert}, attempts) VALUES (?, ?, ?, ?, ?, ?)`,
            ['k-int', 'text', 'u', '1', '{}', canary],
            'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
          ],
        ]),
  ] as Array<[string, string, string[], string]>)('%s: logged with its code, without the value or the statement', async (_label, sql, parameters, code) => {
    logs.clear();
    const error = await container.dataSource.query(sql, parameters).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    container.logger.warn({ err: error }, 'a write failed');
    const [line] = logs.lines();
    expect(line!.err).toMatchObject({ type: 'QueryFailedError', code });
    expect(logs.text()).not.toContain('PRIVATE-CANARY');
    expect(logs.text()).not.toContain('13800138000');
    expect(logs.text()).not.toContain('INSERT INTO');
  });
});
