import Redis from 'ioredis';
import { Customer, CustomerRelation, FollowUp, InboundEvent, Staff } from '../../entities';
import type { Container } from '../../src/container';
import { workerModules } from '../../src/feature-modules';
import { FakeAibot } from '../../src/modules/sandbox/fake-wecom/aibot.area';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { fakeWecom } from '../helpers/fake-wecom';
import { drainSpoolOf } from '../helpers/spool';
import { TcpProxy } from '../helpers/tcp-proxy';
import { createTestContainer, deleteRedisPrefix, ensureTestDatabase, resetState, TEST_REDIS_URL, waitFor } from '../helpers/test-env';

const BOT = { id: 'aibOutageBot', secret: 'aibot-outage-secret' };

/**
 * The smart bot's frames during a database outage. WeCom hands a frame over once (the long
 * connection has no receipt and no redelivery to count on), so a frame that cannot be stored must
 * wait somewhere safe: the callback spool in Redis, sealed like a callback, drained when the
 * database is back. MariaDB is reached through a loopback proxy the test cuts.
 */
describe('the smart bot while the database is down', () => {
  const dbProxy = new TcpProxy('127.0.0.1', 3306);
  const redis = new Redis(TEST_REDIS_URL);
  let fake: FakeAibot;
  let container: Container;
  let worker: WorkerHandle;

  beforeAll(async () => {
    fake = new FakeAibot({ botId: BOT.id, secret: BOT.secret, groups: [], chatWindowMs: 1000 });
    const url = await fake.listen();
    const dbPort = await dbProxy.start();
    const dbName = new URL(await ensureTestDatabase()).pathname.slice(1);
    container = await createTestContainer('bot-outage', {
      DATABASE_URL: `mysql://root@127.0.0.1:${dbPort}/${dbName}`,
      CRM_QUIET_HOURS: 'off',
      INBOUND_RETRY_DELAY_MS: '50',
      WECOM_BOT_ID: BOT.id,
      WECOM_BOT_SECRET: BOT.secret,
      WECOM_BOT_WS_URL: url,
      WECOM_BOT_LEASE_MS: '2000',
      OUTBOUND_PACING_WINDOW_MS: '1000',
    });
    worker = startWorker(container, { sweepEveryMs: 60_000, modules: workerModules(container) });
    await waitFor(async () => fake.connected && container.bot!.ready, Boolean, 15_000, 'the bot connected');
  });

  afterAll(async () => {
    worker.stop();
    await dbProxy.start();
    await container.close();
    await fake.close();
    await deleteRedisPrefix(container.queues.prefix);
    redis.disconnect();
    await dbProxy.stop();
  });

  beforeEach(async () => {
    fakeWecom();
    await resetState(container);
    fake.messages.length = 0;
    await container.dataSource.getRepository(Staff).save({ userid: 'zhangwei', wecomUserid: 'zhangwei', name: '张伟' });
    const customer = await container.dataSource.getRepository(Customer).save({ name: '刘洋', externalUserid: 'wmLiuyang' });
    await container.dataSource.getRepository(CustomerRelation).save({ customerId: customer.id, staffUserid: 'zhangwei', addedAt: new Date() });
  });

  const spoolKey = () => `${container.queues.prefix}:callback-spool`;
  const drain = () => drainSpoolOf(container);

  it('a frame that comes while the database is down waits in the spool, unreadable, and is stored and answered once when it is back', async () => {
    await dbProxy.stop();
    const receivedBefore = Date.now();
    const frame = fake.say('zhangwei', '记录跟进 刘洋 停电时发来的报价确认');
    fake.redeliver(frame);
    const spooled = await waitFor(
      () => redis.lrange(spoolKey(), 0, -1),
      (entries) => entries.length === 2,
      10_000,
      'both deliveries in the spool',
    );
    // what Redis keeps is sealed with the app's key: no name, userid, command or text of the frame
    expect(spooled.join('\n')).not.toMatch(/刘洋|zhangwei|记录跟进|报价|aibot_msg_callback/);
    expect(spooled.map((raw) => JSON.parse(raw).format)).toEqual(['aibot', 'aibot']);

    await dbProxy.start();
    await waitFor(
      () =>
        container.dataSource.query('SELECT 1').then(
          () => true,
          () => false,
        ),
      Boolean,
      15_000,
      'the database to answer again',
    );
    expect(await drain()).toMatchObject({ stored: 1, duplicates: 1, rejected: 0, interrupted: false });
    expect(await redis.llen(spoolKey())).toBe(0);

    const [answer] = await waitFor(
      async () => fake.chat('zhangwei'),
      (m) => m.length >= 1,
      15_000,
      'the answer in the single chat',
    );
    expect(JSON.stringify(answer)).toContain('刘洋');
    const rows = (await container.dataSource.getRepository(InboundEvent).find()).filter((r) => r.kind.startsWith('aibot/'));
    expect(rows).toHaveLength(1);
    // stored with when the frame arrived, not when the drain ran
    expect(rows[0]!.createdAt.getTime()).toBeGreaterThanOrEqual(receivedBefore - 1000);
    expect(rows[0]!.createdAt.getTime()).toBeLessThan(receivedBefore + 3000);
    const followUps = await container.dataSource.getRepository(FollowUp).find();
    expect(followUps.map((f) => f.content)).toEqual(['停电时发来的报价确认']);

    // a third delivery after the outage: still one row, one follow-up, one answer
    fake.redeliver(frame);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await container.dataSource.getRepository(InboundEvent).find()).filter((r) => r.kind.startsWith('aibot/'))).toHaveLength(1);
    expect(await container.dataSource.getRepository(FollowUp).count()).toBe(1);
    expect(fake.chat('zhangwei')).toHaveLength(1);
  });
});
