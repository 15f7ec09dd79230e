import { OutboundMessage } from '../../entities';
import type { Container } from '../../src/container';
import { workerModules } from '../../src/feature-modules';
import { FakeAibot } from '../../src/modules/sandbox/fake-wecom/aibot.area';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { type AppProcess, forwardWecomToNock, startAppProcess } from '../helpers/app-process';
import { fakeWecom } from '../helpers/fake-wecom';
import { createTestContainer, deleteRedisPrefix, ensureTestDatabase, TEST_REDIS_URL, testWecomEnv, uniquePrefix, waitFor } from '../helpers/test-env';

const BOT = { id: 'aibTakeover', secret: 'aibot-takeover-secret' };
const GROUP = 'wrTakeoverGroup';
const LEASE_MS = 3000;

/**
 * Two worker processes and one smart bot: a real worker process (the child) and a worker in this
 * process share MariaDB and Redis; WeCom's long connection is the fake. One connection at a time;
 * the holder killed with kill -9, the other takes the connection over within seconds, and every
 * message is answered once.
 */
describe('two workers and one smart bot connection', () => {
  jest.setTimeout(120_000);
  let fake: FakeAibot;
  let container: Container;
  let worker: WorkerHandle | undefined;
  let holder: AppProcess | undefined;
  let forwarder: Awaited<ReturnType<typeof forwardWecomToNock>>;

  beforeAll(async () => {
    fakeWecom();
    fake = new FakeAibot({ botId: BOT.id, secret: BOT.secret, groups: [GROUP] });
    const url = await fake.listen();
    forwarder = await forwardWecomToNock();
    const bot = { WECOM_BOT_ID: BOT.id, WECOM_BOT_SECRET: BOT.secret, WECOM_BOT_WS_URL: url, WECOM_BOT_LEASE_MS: String(LEASE_MS) };
    const prefix = uniquePrefix('bot-takeover');
    container = await createTestContainer('bot-takeover', { CRM_QUIET_HOURS: 'off', INBOUND_RETRY_DELAY_MS: '50', ...bot }, { queuePrefix: prefix });
    holder = startAppProcess(['worker'], {
      DATABASE_URL: await ensureTestDatabase(),
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      ...testWecomEnv(forwarder.apiBase),
      CRM_QUIET_HOURS: 'off',
      CRM_RECONCILE_CRON: 'off',
      CRM_STAFF_SYNC_CRON: 'off',
      CRM_DIGEST_TIME: 'off',
      CRM_TEAM_DIGEST_TIME: 'off',
      CRM_WEEKLY_DIGEST: 'off',
      MIGRATE_ON_START: 'false',
      LOG_LEVEL: 'info',
      ...bot,
    });
    const child = holder;
    await waitFor(async () => fake.connected, Boolean, 60_000, `the child worker connected the bot; its output: ${child.output().slice(-2000)}`);
    // Now the second worker: it finds the lease held, and waits.
    worker = startWorker(container, { sweepEveryMs: 2_000, modules: workerModules(container) });
  });

  afterAll(async () => {
    holder?.child.kill('SIGKILL');
    worker?.stop();
    await container.close();
    await fake.close();
    await forwarder.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  const answers = (n: number, what: string) =>
    waitFor(
      async () => fake.chat(GROUP),
      (m) => m.length >= n,
      30_000,
      what,
    );

  it('holds one connection; the holder killed, the other takes it over and every message is answered once', async () => {
    await new Promise((r) => setTimeout(r, LEASE_MS));
    expect(container.bot!.state).toBe('standby');
    expect(fake.stats).toMatchObject({ subscribed: 1, maxAtOnce: 1, kicked: 0 });

    for (let i = 1; i <= 3; i++) fake.say('wangfang', `@客户助手 帮助 记录跟进 ${i}`, GROUP);
    await answers(3, 'three answers from the first holder');
    // Killed once it has recorded them: a holder killed between WeCom's answer and its own record of
    // the send leaves that send's outcome unknown, and it is sent again (the dropped send below is that case).
    await waitFor(
      async () => container.dataSource.getRepository(OutboundMessage).findBy({ channel: 'bot', status: 'sent' }),
      (rows) => rows.length === 3,
      15_000,
      'the first holder recorded its three sends',
    );

    holder!.child.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor(async () => fake.connected && container.bot!.ready, Boolean, 20_000, 'the second worker took the connection over');
    const tookMs = Date.now() - killedAt;
    expect(tookMs).toBeLessThan(LEASE_MS + 5000);

    // A send whose connection drops before WeCom answers is sent again, once.
    fake.failNext('aibot_send_msg', 'drop');
    for (let i = 4; i <= 6; i++) fake.say('wangfang', `@客户助手 帮助 记录跟进 ${i}`, GROUP);
    await answers(6, 'three answers from the new holder');
    await new Promise((r) => setTimeout(r, 3000));

    expect(fake.chat(GROUP)).toHaveLength(6);
    // the child, the second worker, and the second worker again after the dropped connection (the SDK reconnects)
    expect(fake.stats).toMatchObject({ subscribed: 3, maxAtOnce: 1, kicked: 0 });
    const rows = await container.dataSource.getRepository(OutboundMessage).findBy({ channel: 'bot' });
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(rows.filter((r) => r.attempts > 1).length).toBeGreaterThanOrEqual(1);
    process.stdout.write(`bot takeover: the second worker held the connection ${tookMs} ms after kill -9 (lease ${LEASE_MS} ms)\n`);
  });
});
