import type Koa from 'koa';
import request from 'supertest';
import { InboundEvent } from '../../entities';
import type { Container } from '../../src/container';
import { sweepStaleEvents } from '../../src/queue/stale-event.sweeper';
import { createWebApp } from '../../src/web';
import { TcpProxy } from '../helpers/tcp-proxy';
import { createTestContainer, deleteRedisPrefix, ensureTestDatabase, waitFor } from '../helpers/test-env';
import { externalContactXml, signedCallback } from '../helpers/wecom-callbacks';

/**
 * Never 200 for an event that was not stored and queued. MariaDB and Redis are reached through a
 * loopback proxy that the test cuts, as a real outage would.
 */
describe('webhook during a database or Redis outage', () => {
  const redisProxy = new TcpProxy('127.0.0.1', 6379);
  const dbProxy = new TcpProxy('127.0.0.1', 3306);
  let container: Container;
  let app: Koa;

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

  afterAll(async () => {
    await redisProxy.start();
    await dbProxy.start();
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
    await redisProxy.stop();
    await dbProxy.stop();
  });

  const keys = () => ({ token: container.wecom.token, encodingAesKey: container.wecom.encodingAesKey, corpId: container.wecom.corpId });
  const event = (externalUserId: string) =>
    externalContactXml({ corpId: keys().corpId, changeType: 'add_external_contact', userId: 'lisi', externalUserId, createTime: 1_763_800_500 });
  const post = (xml: string) => {
    const req = signedCallback(keys(), xml);
    return request(app.callback()).post(req.path).send(req.body);
  };
  const rows = () => container.dataSource.getRepository(InboundEvent).find();

  it('Redis down: 503, the event is kept, and the redelivery after recovery enqueues it once', async () => {
    await redisProxy.stop();
    const started = Date.now();
    const down = await post(event('wmRedisDown'));
    expect(down.status).toBe(503);
    expect(down.body.error).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(5000); // inside WeCom's 5 s window
    const stored = await rows();
    expect(stored).toHaveLength(1);

    await redisProxy.start();
    // WeCom retries; the first tries may still find ioredis reconnecting.
    await waitFor(() => post(event('wmRedisDown')).then((r) => r.status), (s) => s === 200, 15_000, 'a 200 after Redis recovered');
    expect(await rows()).toHaveLength(1);
    expect(await container.producer.hasJob(stored[0]!.id)).toBe(true);
  });

  it('a stored event whose job never reached Redis (the process died in between) is re-enqueued by the sweeper', async () => {
    const repo = container.dataSource.getRepository(InboundEvent);
    const orphan = await repo.save(
      repo.create({ dedupeKey: 'evt:test:orphan', kind: 'change_external_contact/add_external_contact', fromUser: 'sys', createTime: '1', payload: {}, status: 'received' }),
    );
    expect(await container.producer.hasJob(orphan.id)).toBe(false);

    const sweep = () => sweepStaleEvents(container, { staleAfterMs: 0, batchSize: 100 });
    expect(await sweep()).toBe(1);
    expect(await container.producer.hasJob(orphan.id)).toBe(true);
    // A second sweep (another worker, a minute later) adds nothing.
    expect(await sweep()).toBe(0);
  });

  it('database down: 503 and nothing acknowledged; after recovery the event is stored', async () => {
    await dbProxy.stop();
    const down = await post(event('wmDbDown'));
    expect(down.status).toBe(503);
    const ready = await request(app.callback()).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.database).toMatch(/^unavailable/);

    await dbProxy.start();
    await waitFor(() => post(event('wmDbDown')).then((r) => r.status), (s) => s === 200, 15_000, 'a 200 after the database recovered');
    const stored = (await rows()).filter((r) => r.payload.ExternalUserID === 'wmDbDown');
    expect(stored).toHaveLength(1);
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
