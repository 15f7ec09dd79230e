import type Koa from 'koa';
import request from 'supertest';
import { type InboundEvent, InboundEvent as InboundEventEntity } from '../../entities';
import type { Container } from '../../src/container';
import { createWebApp } from '../../src/web';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { waitForQuiet } from '../helpers/quiet';
import { createTestContainer, deleteRedisPrefix, TEST_REDIS_URL, waitFor } from '../helpers/test-env';
import { externalContactXml, signedCallback, textMessageXml } from '../helpers/wecom-callbacks';
import Redis from 'ioredis';

/** Callbacks posted to the real webhook are drained by the real Bull worker into registered handlers. */
describe('inbound worker', () => {
  let container: Container;
  let app: Koa;
  let worker: WorkerHandle;
  const seen: Array<{ kind: string; id: number }> = [];
  let flakyFailuresLeft = 2;
  let slowStarted = false;

  beforeAll(async () => {
    container = await createTestContainer('worker', { INBOUND_MAX_ATTEMPTS: '3', INBOUND_RETRY_DELAY_MS: '50' });
    container.handlers
      .register('text', async (event) => void seen.push({ kind: event.kind, id: event.id }))
      .register('change_external_contact', async (event) => {
        const external = String(event.payload.ExternalUserID);
        if (external === 'wmFlaky' && flakyFailuresLeft-- > 0) throw new Error('WeCom said -1 (system busy)');
        if (external === 'wmBroken') throw new Error('customer record is corrupt');
        if (external === 'wmSlow') {
          slowStarted = true;
          await new Promise((r) => setTimeout(r, 800)); // the subject: a handler still running when the worker is asked to stop
        }
        seen.push({ kind: event.kind, id: event.id });
      });
    app = createWebApp(container);
    worker = startWorker(container, { sweepEveryMs: 60_000 });
  });

  afterAll(async () => {
    worker.stop();
    await container.close().catch(() => undefined);
    await deleteRedisPrefix(container.queues.prefix);
  });

  const keys = () => ({ token: container.wecom.token, encodingAesKey: container.wecom.encodingAesKey, corpId: container.wecom.corpId });
  const post = async (xml: string) => {
    const req = signedCallback(keys(), xml);
    const res = await request(app.callback()).post(req.path).send(req.body);
    expect(res.status).toBe(200);
  };
  const contactEvent = (externalUserId: string, changeType = 'add_external_contact') =>
    externalContactXml({ corpId: keys().corpId, changeType, userId: 'wangwu', externalUserId, createTime: 1_763_801_000 });
  const eventFor = (external: string) =>
    container.dataSource
      .getRepository(InboundEventEntity)
      .createQueryBuilder('e')
      .where('e.payload LIKE :p', { p: `%"ExternalUserID":"${external}"%` })
      .getOne() as Promise<InboundEvent>;
  const settled = (external: string) =>
    waitFor(
      () => eventFor(external),
      (e) => !!e && ['done', 'ignored', 'failed'].includes(e.status),
      15_000,
      `event ${external} settled`,
    );

  it('runs the handler once for an event delivered three times', async () => {
    const xml = textMessageXml({ corpId: keys().corpId, from: 'wangwu', content: '今日', msgId: '5000000000000000001' });
    await post(xml);
    await post(xml);
    const row = await waitFor(
      () => container.dataSource.getRepository(InboundEventEntity).findOneBy({ dedupeKey: 'msg:5000000000000000001' }),
      (e) => e?.status === 'done',
      10_000,
      'text event done',
    );
    await post(xml);
    await waitForQuiet(container);
    expect(seen.filter((s) => s.id === row!.id)).toHaveLength(1);
    expect(row).toMatchObject({ attempts: 1, redeliveries: 1, lastError: null });
    expect(row!.processedAt).toBeInstanceOf(Date);
  });

  it('routes by change type to the handler of the event', async () => {
    await post(contactEvent('wmRouted', 'del_follow_user'));
    const row = await settled('wmRouted');
    expect(row.status).toBe('done');
    expect(seen).toContainEqual({ kind: 'change_external_contact/del_follow_user', id: row.id });
  });

  it('marks an event nobody handles as ignored', async () => {
    const xml =
      `<xml><ToUserName>${keys().corpId}</ToUserName><FromUserName>sys</FromUserName><CreateTime>1763801001</CreateTime>` +
      `<MsgType>event</MsgType><Event>change_external_tag</Event><ChangeType>shuffle</ChangeType><Id>etGroup1</Id><ExternalUserID>wmIgnored</ExternalUserID></xml>`;
    await post(xml);
    const row = await settled('wmIgnored');
    expect(row).toMatchObject({ status: 'ignored', kind: 'change_external_tag/shuffle', attempts: 0 });
  });

  it('retries a failing handler with backoff, and keeps the last error on the row once it succeeds', async () => {
    await post(contactEvent('wmFlaky'));
    const row = await settled('wmFlaky');
    expect(row).toMatchObject({ status: 'done', attempts: 3, lastError: 'Error: WeCom said -1 (system busy)' });
  });

  it('keeps the last error and marks the event failed when retries run out', async () => {
    await post(contactEvent('wmBroken'));
    const row = await settled('wmBroken');
    expect(row).toMatchObject({ status: 'failed', attempts: 3, lastError: 'gave up after 3 attempts: Error: customer record is corrupt' });
    const metrics = await request(app.callback()).get('/metrics');
    expect(metrics.text).toMatch(/queue_job_failures_total\{queue="inbound",final="true"\} 1/);
    expect(metrics.text).toMatch(/wecom_events_failed_total\{kind="change_external_contact\/add_external_contact",cause="retries_exhausted"\} 1/);
  });

  it('recovers events whose jobs Redis lost (restart without persistence)', async () => {
    // Stop taking jobs, store an event, then wipe the queue's keys as a Redis restart would.
    await container.queues.get('inbound').pause(true);
    await post(contactEvent('wmLostInRedis'));
    const redis = new Redis(TEST_REDIS_URL);
    const keysToDrop = await redis.keys(`${container.queues.keyPrefix}:inbound:*`);
    if (keysToDrop.length) await redis.del(...keysToDrop);
    redis.disconnect();
    await container.queues.get('inbound').resume(true);
    expect((await eventFor('wmLostInRedis')).status).toBe('received');

    await container.dataSource.getRepository(InboundEventEntity).update({ status: 'received' }, { updatedAt: new Date(Date.now() - 3_600_000) });
    expect(await worker.sweepNow()).toBe(1);
    expect((await settled('wmLostInRedis')).status).toBe('done');
  });

  it('on shutdown finishes the job it is running before closing', async () => {
    await post(contactEvent('wmSlow'));
    await waitFor(
      async () => slowStarted,
      (s) => s,
      10_000,
      'slow handler started',
    );
    worker.stop();
    await container.close();
    const row = await container.dataSource
      .initialize()
      .then(() => eventFor('wmSlow'))
      .finally(() => container.dataSource.destroy());
    expect(row.status).toBe('done');
  });
});
