import type Koa from 'koa';
import Redis from 'ioredis';
import request from 'supertest';
import { InboundEvent } from '../../entities';
import type { Container } from '../../src/container';
import { sweepStaleEvents } from '../../src/platform/events/stale-event.sweeper';
import { sealCallback } from '../../src/platform/wecom/callback/callback-crypto';
import { createWebApp } from '../../src/web';
import { drainSpoolOf } from '../helpers/spool';
import { TcpProxy } from '../helpers/tcp-proxy';
import { createTestContainer, deleteRedisPrefix, ensureTestDatabase, TEST_REDIS_URL, waitFor } from '../helpers/test-env';
import { externalContactXml, signedCallback } from '../helpers/wecom-callbacks';

/**
 * An outage of one dependency loses nothing and is answered 200: Redis down, the row is stored and
 * its job added when Redis is back; the database down, the verified callback waits in the Redis
 * spool and is stored when the database is back. Both down: 503, and WeCom retries. MariaDB and
 * Redis are reached through a loopback proxy that the test cuts, as a real outage would.
 */
describe('webhook during a database or Redis outage', () => {
  const redisProxy = new TcpProxy('127.0.0.1', 6379);
  const dbProxy = new TcpProxy('127.0.0.1', 3306);
  let container: Container;
  let app: Koa;
  /** the test's own view of Redis, not through the proxy */
  const redis = new Redis(TEST_REDIS_URL);

  beforeAll(async () => {
    const redisPort = await redisProxy.start();
    const dbPort = await dbProxy.start();
    const dbName = new URL(await ensureTestDatabase()).pathname.slice(1);
    container = await createTestContainer('outage', {
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      DATABASE_URL: `mysql://root@127.0.0.1:${dbPort}/${dbName}`,
    });
    app = createWebApp(container);
  });

  afterEach(async () => {
    await redisProxy.start();
    await dbProxy.start();
    await waitFor(
      () => ready(),
      (ok) => ok,
      15_000,
      'the database and Redis to answer again',
    );
  });

  afterAll(async () => {
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
    redis.disconnect();
    await redisProxy.stop();
    await dbProxy.stop();
  });

  const keys = () => ({ token: container.wecom.token, encodingAesKey: container.wecom.encodingAesKey, corpId: container.wecom.corpId });
  const event = (externalUserId: string) =>
    externalContactXml({
      corpId: keys().corpId,
      changeType: 'add_external_contact',
      userId: 'lisi',
      externalUserId,
      createTime: 1_763_800_500,
      welcomeCode: `WC-${externalUserId}`,
    });
  const post = (xml: string) => {
    const req = signedCallback(keys(), xml);
    return request(app.callback()).post(req.path).send(req.body);
  };
  const rowsFor = async (externalUserId: string) =>
    (await container.dataSource.getRepository(InboundEvent).find()).filter((r) => r.payload.ExternalUserID === externalUserId);
  const ready = async () => (await request(app.callback()).get('/readyz')).status === 200 && container.spool.available;
  const spoolKey = () => `${container.queues.prefix}:callback-spool`;
  const drain = () => drainSpoolOf(container);

  it('Redis down: 200 at once, the event is stored, and its job is added as soon as Redis is back', async () => {
    await redisProxy.stop();
    const started = Date.now();
    const down = await post(event('wmRedisDown'));
    expect(down.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000); // inside WeCom's 5 s window
    // WeCom's own retry of the same event while Redis is still away: one row.
    expect((await post(event('wmRedisDown'))).status).toBe(200);
    const stored = await rowsFor('wmRedisDown');
    expect(stored).toHaveLength(1);
    expect(container.intake.pendingEnqueues).toBe(1);

    await redisProxy.start();
    await waitFor(() => container.producer.hasJob(stored[0]!.id).catch(() => false), Boolean, 15_000, 'the job to be added after Redis recovered');
    expect(container.intake.pendingEnqueues).toBe(0);
  });

  it('database down: 200, the callback waits in the spool still encrypted, and is stored once, with its receipt time, when the database is back', async () => {
    await dbProxy.stop();
    const receivedBefore = Date.now();
    const down = await post(event('wmDbDown'));
    expect(down.status).toBe(200);
    expect((await post(event('wmDbDown'))).status).toBe(200); // a redelivery during the outage
    expect((await post(event('wmDbDownToo'))).status).toBe(200);
    expect((await request(app.callback()).get('/readyz')).body.checks.database).toMatch(/^unavailable/);

    const spooled = await redis.lrange(spoolKey(), 0, -1);
    expect(spooled).toHaveLength(3);
    // what Redis keeps is the ciphertext: no decrypted field is written there
    expect(spooled.join('\n')).not.toMatch(/wmDbDown|lisi|add_external_contact/);
    const metrics = await request(app.callback()).get('/metrics');
    expect(metrics.text).toMatch(/wecom_callbacks_spooled_total 3/);
    expect(metrics.text).toMatch(/wecom_callback_spool_length 3/);

    // The drain waits while the database is still down, and loses nothing by trying.
    await expect(drain()).rejects.toThrow();
    expect(await redis.llen(spoolKey())).toBe(3);

    await dbProxy.start();
    await waitFor(
      () => ready(),
      (ok) => ok,
      15_000,
      'the database to answer again',
    );
    const result = await drain();
    expect(result).toMatchObject({ stored: 2, duplicates: 1, rejected: 0, interrupted: false });
    expect(await redis.llen(spoolKey())).toBe(0);
    const [row] = await rowsFor('wmDbDown');
    expect(await rowsFor('wmDbDown')).toHaveLength(1);
    expect(await rowsFor('wmDbDownToo')).toHaveLength(1);
    // created_at is when the webhook received it: the welcome code's 20 s count from there
    expect(row!.createdAt.getTime()).toBeGreaterThanOrEqual(receivedBefore - 1000);
    expect(row!.createdAt.getTime()).toBeLessThan(receivedBefore + 5000);
    expect(await container.producer.hasJob(row!.id)).toBe(true);
    // WeCom retrying once more later: still one row, nothing spooled
    expect((await post(event('wmDbDown'))).status).toBe(200);
    expect(await rowsFor('wmDbDown')).toHaveLength(1);
  });

  it('both down: 503 within WeCom’s 5 s and nothing acknowledged; the retry after recovery is stored', async () => {
    await dbProxy.stop();
    await redisProxy.stop();
    const started = Date.now();
    const down = await post(event('wmBothDown'));
    expect(down.status).toBe(503);
    expect(down.body.error).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(5000);

    await dbProxy.start();
    await redisProxy.start();
    await waitFor(
      () => ready(),
      (ok) => ok,
      15_000,
      'the database and Redis to answer again',
    );
    expect((await post(event('wmBothDown'))).status).toBe(200);
    expect(await rowsFor('wmBothDown')).toHaveLength(1);
    expect(await redis.llen(spoolKey())).toBe(0);
  });

  it('two processes draining at once store each spooled callback once (one holds the drain lock)', async () => {
    for (const id of ['wmDrainA', 'wmDrainB', 'wmDrainC']) {
      const sealed = sealCallback(keys(), event(id));
      await container.spool.push({ ...sealed, encrypt: sealed.ciphertext }, new Date());
    }
    const [first, second] = await Promise.all([drain(), drain()]);
    expect(first!.stored + second!.stored).toBe(3);
    expect(first!.duplicates + second!.duplicates).toBe(0);
    for (const id of ['wmDrainA', 'wmDrainB', 'wmDrainC']) expect(await rowsFor(id)).toHaveLength(1);
    expect(await redis.llen(spoolKey())).toBe(0);
  });

  it('a spool entry that can never verify (the token changed since) is set aside with its reason, not retried for ever', async () => {
    await redis.rpush(
      spoolKey(),
      JSON.stringify({ id: 'x1', receivedAt: Date.now(), msgSignature: 'f'.repeat(40), timestamp: '1', nonce: '2', encrypt: 'QUJD' }),
    );
    await redis.rpush(spoolKey(), 'not json');
    expect(await drain()).toMatchObject({ stored: 0, rejected: 2 });
    expect(await redis.llen(spoolKey())).toBe(0);
    const rejected = (await redis.lrange(`${spoolKey()}:rejected`, 0, -1)).map((r) => JSON.parse(r) as { reason: string });
    expect(rejected.map((r) => r.reason)).toEqual(['bad_signature', 'unreadable spool entry']);
  });

  it('a stored event whose job never reached Redis (the process died in between) is re-enqueued by the sweeper', async () => {
    const repo = container.dataSource.getRepository(InboundEvent);
    const orphan = await repo.save(
      repo.create({
        dedupeKey: 'evt:test:orphan',
        kind: 'change_external_contact/add_external_contact',
        fromUser: 'sys',
        createTime: '1',
        payload: {},
        status: 'received',
      }),
    );
    expect(await container.producer.hasJob(orphan.id)).toBe(false);

    const sweep = () => sweepStaleEvents(container, { staleAfterMs: 0, batchSize: 100 });
    expect(await sweep()).toBe(1);
    expect(await container.producer.hasJob(orphan.id)).toBe(true);
    // A second sweep (another worker, a minute later) adds nothing.
    expect(await sweep()).toBe(0);
  });

  it('/readyz reports each dependency', async () => {
    const up = await request(app.callback()).get('/readyz');
    expect(up.status).toBe(200);
    // (configuration warnings, such as no CRM_ADMINS, are listed without making it unready)
    expect(up.body).toMatchObject({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });
    await redisProxy.stop();
    const down = await request(app.callback()).get('/readyz');
    expect(down.status).toBe(503);
    expect(down.body.checks).toMatchObject({ database: 'ok', redis: expect.stringMatching(/^unavailable/) });
    await redisProxy.start();
    expect((await request(app.callback()).get('/healthz')).status).toBe(200);
  });
});
