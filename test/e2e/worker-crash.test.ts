import nock from 'nock';
import { Customer, OutboundMessage, Staff } from '../../entities';
import { forwardWecomToNock, startAppProcess, type AppProcess } from '../helpers/app-process';
import { FakeWecomWorld } from '../helpers/fake-wecom-world';
import { ensureTestDatabase, TEST_REDIS_URL, testWecomEnv, waitFor } from '../helpers/test-env';
import { startWebhookHarness, type WebhookHarness } from '../helpers/webhook-harness';
import { externalContactXml } from '../helpers/wecom-callbacks';

/** WeCom's window for a welcome: 20 s from the add event, and the code works once. */
const WELCOME_WINDOW_MS = 20_000;

/**
 * A worker process killed with kill -9 while it sends a welcome. The webhook and a second worker
 * run in this process; the doomed worker is a real process on the same MariaDB and Redis. One
 * WeCom (nock, reached by the child through a loopback forwarder) with the welcome code's rules.
 */
describe('a worker killed mid-welcome', () => {
  jest.setTimeout(90_000);
  let world: FakeWecomWorld;
  let harness: WebhookHarness;
  let forwarder: Awaited<ReturnType<typeof forwardWecomToNock>>;
  let doomed: AppProcess | undefined;
  let releases: Array<() => void> = [];

  beforeEach(async () => {
    nock.cleanAll();
    world = new FakeWecomWorld().install();
    releases = [];
    forwarder = await forwardWecomToNock();
    harness = await startWebhookHarness('crash', { CRM_RECONCILE_CRON: 'off' });
    await harness.container.dataSource.getRepository(Staff).save({ userid: 'zhangsan', wecomUserid: 'ZhangSan', name: '张三销售' });
  });
  afterEach(async () => {
    doomed?.child.kill('SIGKILL');
    for (const release of releases) release();
    await harness.close();
    await forwarder.close();
  });

  it.each([
    ['never reached WeCom', 'sent'],
    ['reached WeCom, but its answer was lost', 'unknown'],
  ])('is taken over within seconds (the call %s): the welcome is delivered once inside the code’s 20 s, and recorded as %s', async (how, outcome) => {
    // This process's worker takes no event until the doomed one has one.
    const inbound = harness.container.queues.get('inbound');
    await inbound.pause(true);
    world.addCustomer('wmCrash', '小丽', [{ userid: 'ZhangSan' }]);
    const delivered: string[] = [];
    let calls = 0;
    world.faults.answer('externalcontact/send_welcome_msg', async () => {
      calls += 1;
      if (calls === 1) {
        if (how !== 'never reached WeCom') delivered.push('first');
        await new Promise<void>((r) => releases.push(r)); // the worker is killed while it waits for this answer
      }
      if (delivered.length > 0) return { errcode: 41051, errmsg: 'externaluser has started chatting' };
      delivered.push('retry');
      return { errcode: 0, errmsg: 'ok' };
    });
    doomed = startAppProcess(['worker'], {
      DATABASE_URL: await ensureTestDatabase(),
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: harness.container.queues.prefix,
      ...testWecomEnv(forwarder.apiBase),
      WECOM_API_TIMEOUT_MS: '120000',
      CRM_QUIET_HOURS: 'off',
      CRM_RECONCILE_CRON: 'off',
      CRM_DIGEST_TIME: 'off',
      CRM_TEAM_DIGEST_TIME: 'off',
      CRM_WEEKLY_DIGEST: 'off',
      MIGRATE_ON_START: 'false',
      LOG_LEVEL: 'info',
    });
    const child = doomed;
    await waitFor(
      async () => child.output(),
      (o) => o.includes('worker started'),
      45_000,
      'the doomed worker started',
    );

    const posted = Date.now();
    await harness.post(
      externalContactXml({
        corpId: harness.container.wecom.corpId,
        changeType: 'add_external_contact',
        userId: 'ZhangSan',
        externalUserId: 'wmCrash',
        welcomeCode: 'WC-crash',
      }),
    );
    await waitFor(
      async () => world.callsTo('externalcontact/send_welcome_msg'),
      (w) => w.length === 1,
      10_000,
      'the doomed worker calling send_welcome_msg',
    );
    child.child.kill('SIGKILL');
    await child.exited;
    await inbound.resume(true); // the surviving worker, running all along

    const row = () => harness.container.dataSource.getRepository(OutboundMessage).findOneBy({ channel: 'welcome', recipient: 'wmCrash' });
    const settled = (await waitFor(
      row,
      (r) => r !== null && r.status !== 'sending' && r.status !== 'queued',
      WELCOME_WINDOW_MS + 15_000,
      'the welcome settled',
    ))!;
    const tookOverIn = Date.now() - posted;
    expect(tookOverIn).toBeLessThan(WELCOME_WINDOW_MS);
    expect(world.callsTo('externalcontact/send_welcome_msg')).toHaveLength(2);
    expect(delivered).toHaveLength(1); // once, whichever attempt delivered it
    expect(settled.status).toBe(outcome);
    const customer = await waitFor(
      () => harness.container.dataSource.getRepository(Customer).findOneBy({ externalUserid: 'wmCrash' }),
      (c) => c !== null,
      20_000,
      'the customer recorded',
    );
    expect(customer!.name).toBe('小丽');
  });
});
