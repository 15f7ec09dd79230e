import { InboundEvent, OutboundMessage } from '../../entities';
import { fakeWecom, messageText, type WecomCall } from '../helpers/fake-wecom';
import { waitFor } from '../helpers/test-env';
import { startWebhookHarness, type WebhookHarness } from '../helpers/webhook-harness';
import { textMessageXml } from '../helpers/wecom-callbacks';

/**
 * A fault the bot cannot turn into a friendly reply. One a retry may fix is retried, then answered;
 * one a retry cannot fix (a programming error, a permanent WeCom errcode, bad data) is answered at
 * once. The answer says the admins were told only when CRM_ADMINS names someone and the alert to
 * them was queued.
 */
describe('a command that fails', () => {
  let harness: WebhookHarness | undefined;
  let calls: WecomCall[];
  let clockCalls = 0;

  beforeEach(() => {
    calls = fakeWecom();
    clockCalls = 0;
  });
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  /**
   * The clock is one of the bot's dependencies: make it fail as a broken dependency would (the bot's
   * clock only: the queues and the outbound log keep the real one).
   */
  async function start(overrides: Record<string, string>, fault: () => never): Promise<WebhookHarness> {
    const failingClock = () => {
      clockCalls += 1;
      return fault();
    };
    harness = await startWebhookHarness('bot-failure', overrides, undefined, { handlersNow: failingClock });
    return harness;
  }
  const type = (h: WebhookHarness, msgId: string) => h.post(textMessageXml({ corpId: h.container.wecom.corpId, from: 'ZhangSan', content: '待办', msgId }));
  const sendsTo = (user: string) => calls.filter((c) => c.api === 'message/send' && c.body.touser === user);
  const failedEvent = (h: WebhookHarness, msgId: string) =>
    waitFor(
      () => h.container.dataSource.getRepository(InboundEvent).findOneBy({ dedupeKey: `msg:${msgId}` }),
      (e) => e?.status === 'failed',
      15_000,
      'the event to fail',
    ) as Promise<InboundEvent>;

  it('is retried when a retry may help, then answered once, without claiming an admin was told when none is configured', async () => {
    const h = await start({ INBOUND_MAX_ATTEMPTS: '2', INBOUND_RETRY_DELAY_MS: '50' }, () => {
      throw new Error('clock unavailable');
    });
    await type(h, '991');
    const event = await failedEvent(h, '991');
    expect(event).toMatchObject({ attempts: 2, lastError: 'gave up after 2 attempts: Error: clock unavailable' });
    expect(clockCalls).toBe(2);
    const [apology] = await waitFor(
      async () => sendsTo('ZhangSan'),
      (s) => s.length >= 1,
      15_000,
      'the apology',
    );
    expect(messageText(apology!.body)).toContain('没能处理');
    expect(messageText(apology!.body)).toContain('请稍后再试');
    expect(messageText(apology!.body)).not.toContain('已通知管理员');
    // one apology: its row is the only message logged for the event
    expect(await h.container.dataSource.getRepository(OutboundMessage).countBy({ idempotencyKey: 'reply:msg:991:failed' })).toBe(1);
    expect(calls.filter((c) => c.api === 'message/send')).toHaveLength(1);
  });

  it('is answered at once when a retry cannot fix it (a programming error), and the event fails with the reason', async () => {
    // Retries a minute apart: an answer within seconds can only come from failing at once.
    const h = await start({ INBOUND_MAX_ATTEMPTS: '8', INBOUND_RETRY_DELAY_MS: '60000' }, () => {
      throw new TypeError("Cannot read properties of undefined (reading 'tz')");
    });
    const started = Date.now();
    await type(h, '992');
    const event = await failedEvent(h, '992');
    expect(event.attempts).toBe(1);
    expect(event.lastError).toBe("permanent (a retry cannot fix it): TypeError: Cannot read properties of undefined (reading 'tz')");
    const [apology] = await waitFor(
      async () => sendsTo('ZhangSan'),
      (s) => s.length >= 1,
      10_000,
      'the apology',
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(messageText(apology!.body)).toContain('重发也一样');
    expect(messageText(apology!.body)).toContain('目前没有设置管理员');
    expect(messageText(apology!.body)).not.toContain('已通知管理员');
    expect(clockCalls).toBe(1);
    const job = (await h.container.queues.get('inbound').getFailed()).find((j) => j.data.eventId === event.id);
    expect(job?.attemptsMade).toBe(1); // kept in Bull's failed set, not retried
  });

  it('with CRM_ADMINS set, queues an alert to each admin and only then says they were told', async () => {
    const h = await start({ INBOUND_MAX_ATTEMPTS: '8', INBOUND_RETRY_DELAY_MS: '60000', CRM_ADMINS: 'Boss' }, () => {
      throw new TypeError('x is not a function');
    });
    await type(h, '993');
    const event = await failedEvent(h, '993');
    const [alert] = await waitFor(
      async () => sendsTo('boss'),
      (s) => s.length >= 1,
      10_000,
      'the alert to the admin',
    );
    expect(messageText(alert!.body)).toContain(`事件 #${event.id}`);
    expect(messageText(alert!.body)).toContain('TypeError: x is not a function');
    const [apology] = await waitFor(
      async () => sendsTo('ZhangSan'),
      (s) => s.length >= 1,
      10_000,
      'the apology',
    );
    expect(messageText(apology!.body)).toContain('已通知管理员');
  });
});
