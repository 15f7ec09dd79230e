import nock from 'nock';
import { Customer, InboundEvent, OutboundMessage, Staff } from '../../entities';
import type { Container } from '../../src/container';
import { FakeWecomWorld } from '../helpers/fake-wecom-world';
import { waitFor } from '../helpers/test-env';
import { startWebhookHarness, type WebhookHarness } from '../helpers/webhook-harness';
import { externalContactXml } from '../helpers/wecom-callbacks';

/** WeCom's window for a welcome: 20 s from the add event, and the code works once. */
const WELCOME_WINDOW_MS = 20_000;

/**
 * A customer adds a salesperson while WeCom is slow or failing when we ask who the customer is
 * (a worker dying mid-welcome: test/e2e/worker-crash.test.ts). Through the webhook, the real
 * queues and worker, MariaDB; WeCom faked by nock.
 */
describe('welcomes on a bad day', () => {
  let world: FakeWecomWorld;
  let harness: WebhookHarness | undefined;
  let releases: Array<() => void> = [];
  /** a promise that settles when the test lets it (a WeCom that hangs until then) */
  const hang = () => new Promise<void>((resolve) => releases.push(resolve));

  beforeEach(() => {
    nock.cleanAll();
    world = new FakeWecomWorld().install();
    releases = [];
  });
  afterEach(async () => {
    for (const release of releases) release();
    await harness?.close();
    harness = undefined;
  });

  async function start(overrides: Record<string, string> = {}): Promise<WebhookHarness> {
    harness = await startWebhookHarness('welcome', { CRM_SOPS_FILE: 'templates/sops.json', ...overrides });
    await harness.container.dataSource.getRepository(Staff).save({ userid: 'zhangsan', wecomUserid: 'ZhangSan', name: '张三销售' });
    return harness;
  }
  const add = (h: WebhookHarness, externalUserId: string) =>
    h.post(
      externalContactXml({
        corpId: h.container.wecom.corpId,
        changeType: 'add_external_contact',
        userId: 'ZhangSan',
        externalUserId,
        welcomeCode: `WC-${externalUserId}`,
      }),
    );
  const welcomes = () => world.callsTo('externalcontact/send_welcome_msg');
  const welcomeText = (i = 0) => String((welcomes()[i]!.body.text as { content: string }).content);
  const row = (c: Container, externalUserid: string) =>
    c.dataSource.getRepository(OutboundMessage).findOneByOrFail({ channel: 'welcome', recipient: externalUserid });
  const recorded = (c: Container, externalUserid: string) =>
    waitFor(
      () => c.dataSource.getRepository(Customer).findOneBy({ externalUserid }),
      (x) => x !== null,
      20_000,
      `customer ${externalUserid} recorded`,
    ) as Promise<Customer>;

  it('WeCom hanging on the customer lookup: the welcome goes out within seconds without the name, and the customer is recorded once WeCom answers', async () => {
    const h = await start();
    world.addCustomer('wmSlow', '小红', [{ userid: 'ZhangSan' }]);
    const healed = world.faults.answer('externalcontact/get', () => hang());
    const posted = Date.now();
    await add(h, 'wmSlow');

    await waitFor(
      async () => welcomes(),
      (w) => w.length === 1,
      WELCOME_WINDOW_MS,
      'the welcome',
    );
    expect(Date.now() - posted).toBeLessThan(8000);
    expect(welcomeText()).toBe('您好，我是张三销售，很高兴为您服务！');
    await waitFor(
      () => row(h.container, 'wmSlow'),
      (r) => r.status === 'sent',
      5000,
      'the welcome recorded as sent',
    );

    healed();
    for (const release of releases.splice(0)) release();
    expect((await recorded(h.container, 'wmSlow')).name).toBe('小红');
    expect(welcomes()).toHaveLength(1);
  });

  it.each([
    ['-1 (system busy)', { errcode: -1, errmsg: 'system busy' }, 'errcode -1'],
    ['45009 (frequency limit)', { errcode: 45009, errmsg: 'api freq out of limit' }, 'errcode 45009'],
    ['HTTP 500', { httpStatus: 500 }, 'HTTP 500'],
  ])(
    'WeCom answering %s to the lookup: the welcome goes out at once without the name; the customer is recorded after WeCom recovers, and the cause stays on the event',
    async (_mode, fault, cause) => {
      const h = await start({ WECOM_API_RETRY_BASE_MS: '200' });
      world.addCustomer('wmSick', '小刚', [{ userid: 'ZhangSan' }]);
      let sick = true;
      world.faults.answer('externalcontact/get', () => (sick ? fault : undefined));
      const posted = Date.now();
      await add(h, 'wmSick');

      await waitFor(
        async () => welcomes(),
        (w) => w.length === 1,
        WELCOME_WINDOW_MS,
        'the welcome',
      );
      expect(Date.now() - posted).toBeLessThan(8000);
      expect(welcomeText()).toBe('您好，我是张三销售，很高兴为您服务！');
      const events = h.container.dataSource.getRepository(InboundEvent);
      // The recording (which needs the customer) fails while WeCom is sick, and is retried.
      await waitFor(
        () => events.findOneByOrFail({ kind: 'change_external_contact/add_external_contact' }),
        (e) => (e.lastError ?? '').includes(cause),
        15_000,
        'a failed recording attempt',
      );

      sick = false;
      expect((await recorded(h.container, 'wmSick')).name).toBe('小刚');
      const event = await waitFor(
        () => events.findOneByOrFail({ kind: 'change_external_contact/add_external_contact' }),
        (e) => e.status === 'done',
        15_000,
        'the event done',
      );
      expect(event.lastError).toContain(cause); // the last error stays on the row after a later attempt succeeded
      expect(welcomes()).toHaveLength(1);
      expect((await row(h.container, 'wmSick')).status).toBe('sent');
    },
  );

  it('a welcome whose worker died mid-call is recorded as unknown (maybe delivered) once its code expires, not as failed; one never tried is failed', async () => {
    const h = await start({ STALE_EVENT_AFTER_MS: '1000' });
    const outbound = h.container.outbound;
    const expired = new Date(Date.now() - 1000);
    const welcome = (id: string) => ({
      channel: 'welcome' as const,
      welcomeCode: `WC-${id}`,
      externalUserid: id,
      text: { content: '您好' },
      expiresAt: expired,
      idempotencyKey: `welcome:test:${id}`,
    });
    const tried = await outbound.enqueue(welcome('wmTried'));
    const never = await outbound.enqueue(welcome('wmNever'));
    await waitFor(
      () => row(h.container, 'wmNever'),
      (r) => r.status === 'failed',
      10_000,
      'the untried welcome failed',
    );
    // The tried one: its worker had written the attempt and died during the call (the row says sending).
    const messages = h.container.dataSource.getRepository(OutboundMessage);
    await waitFor(
      () => row(h.container, 'wmTried'),
      (r) => r.status !== 'queued',
      10_000,
      'the first job done',
    );
    await messages.update({ id: tried.id }, { status: 'sending', attempts: 1, errcode: null, errmsg: null, updatedAt: new Date(Date.now() - 60_000) });
    await waitFor(
      async () => {
        await outbound.requeueStale(1000);
        return row(h.container, 'wmTried');
      },
      (r) => r.status === 'unknown',
      10_000,
      'the tried welcome settled',
    );
    expect((await row(h.container, 'wmTried')).errmsg).toContain('may have delivered it');
    expect((await messages.findOneByOrFail({ id: never.id })).errmsg).toContain('expired');
    expect(welcomes()).toHaveLength(0);
  });
});
