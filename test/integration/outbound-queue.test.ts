import nock from 'nock';
import { OutboundMessage } from '../../entities';
import { createContainer, type Container } from '../../src/container';
import { createLogger } from '../../src/platform/logger';
import { createOutboundProcessor } from '../../src/platform/outbound/outbound.processor';
import { OutboundService } from '../../src/platform/outbound/outbound.service';
import { budgetRule, pacingRules } from '../../src/platform/outbound/outbound-pacing';
import { maxInWindow } from '../helpers/max-in-window';
import { createTestContainer, deleteRedisPrefix, waitFor } from '../helpers/test-env';

const HOST = 'https://qyapi.weixin.qq.com';
const text = (content: string) => ({ msgtype: 'text' as const, text: { content } });

interface Seen {
  api: string;
  body: Record<string, unknown>;
  at: number;
}

/**
 * The outbound queue end to end: real MariaDB (the log rows), real Redis (Bull, the token, the
 * limiter), WeCom faked with nock. Pacing windows are shortened to 1 s so the tests are quick.
 */
describe('outbound queue', () => {
  const containers: Container[] = [];
  let seen: Seen[];

  async function setup(env: Record<string, string> = {}): Promise<Container> {
    const container = await createTestContainer('outbound', {
      OUTBOUND_PACING_WINDOW_MS: '1000',
      OUTBOUND_RETRY_BASE_MS: '50',
      CRM_QUIET_HOURS: 'off',
      ...env,
    });
    containers.push(container);
    return container;
  }

  /** A second "process" on the same database, Redis and queue. */
  async function sibling(of: Container): Promise<Container> {
    const container = await createContainer(of.config, of.wecom, createLogger('silent'), { queuePrefix: of.queues.prefix, defaultMetrics: false });
    containers.push(container);
    return container;
  }

  function startProcessing(container: Container, options: { concurrency?: number; now?: () => number } = {}): void {
    void container.queues
      .get('outbound')
      .process(options.concurrency ?? container.config.outbound.concurrency, createOutboundProcessor({ ...container, now: options.now }));
  }

  /** Fakes WeCom: a token, and every listed API answering `reply` (errcode 0 by default), recording what it saw. */
  function fakeWecom(apis: Record<string, (body: Record<string, unknown>, n: number) => Record<string, unknown>> = {}): void {
    nock(HOST).get('/cgi-bin/gettoken').query(true).reply(200, { errcode: 0, errmsg: 'ok', access_token: 'TOKEN', expires_in: 7200 }).persist();
    const defaults: Record<string, (body: Record<string, unknown>, n: number) => Record<string, unknown>> = {
      'message/send': (_b, n) => ({ errcode: 0, errmsg: 'ok', msgid: `msg-${n}` }),
      'externalcontact/send_welcome_msg': () => ({ errcode: 0, errmsg: 'ok' }),
      'webhook/send': () => ({ errcode: 0, errmsg: 'ok' }),
      'message/update_template_card': () => ({ errcode: 0, errmsg: 'ok', invaliduser: [] }),
      'appchat/send': () => ({ errcode: 0, errmsg: 'ok' }),
    };
    for (const [api, reply] of Object.entries({ ...defaults, ...apis })) {
      let n = 0;
      nock(HOST)
        .post(`/cgi-bin/${api}`)
        .query(true)
        .reply(200, (_uri, body) => {
          n += 1;
          seen.push({ api, body: body as Record<string, unknown>, at: Date.now() });
          return reply(body as Record<string, unknown>, n);
        })
        .persist();
    }
  }

  const rows = (c: Container) => c.dataSource.getRepository(OutboundMessage).find({ order: { id: 'ASC' } });
  const row = (c: Container, id: number) => c.dataSource.getRepository(OutboundMessage).findOneByOrFail({ id });

  beforeEach(() => {
    seen = [];
  });

  afterEach(async () => {
    const prefixes = new Set(containers.map((c) => c.queues.prefix));
    for (const container of containers.splice(0)) await container.close();
    for (const prefix of prefixes) await deleteRedisPrefix(prefix);
  });

  it('sends a message and logs it: sent, WeCom msgid, one attempt, timestamps', async () => {
    const c = await setup();
    fakeWecom();
    startProcessing(c);
    const { id, outcome } = await c.outbound.enqueue({
      channel: 'user',
      touser: 'ZhangSan',
      message: text('✅ 已记录跟进'),
      idempotencyKey: 'followup:1:confirm',
    });
    expect(outcome).toBe('queued');

    const sent = await waitFor(
      () => row(c, id),
      (r) => r.status === 'sent',
      10_000,
      'message sent',
    );
    expect(sent).toMatchObject({
      channel: 'user',
      recipient: 'ZhangSan',
      kind: 'text',
      status: 'sent',
      errcode: 0,
      wecomMsgid: 'msg-1',
      attempts: 1,
      notBefore: null,
    });
    expect(sent.sentAt).toBeInstanceOf(Date);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.body).toMatchObject({ touser: 'ZhangSan', agentid: 1000002, msgtype: 'text', text: { content: '✅ 已记录跟进' } });
  });

  it('sends a message enqueued twice once, and logs the second enqueue as a duplicate', async () => {
    const c = await setup();
    fakeWecom();
    const request = { channel: 'user' as const, touser: 'lisi', message: text('提醒：回访张三'), idempotencyKey: 'reminder:42:due' };
    const [first, second] = await Promise.all([c.outbound.enqueue(request), c.outbound.enqueue(request)]);
    expect([first.outcome, second.outcome].sort()).toEqual(['duplicate', 'queued']);
    expect(first.id).toBe(second.id);
    startProcessing(c);
    await waitFor(
      () => row(c, first.id),
      (r) => r.status === 'sent',
      10_000,
      'message sent',
    );
    const third = await c.outbound.enqueue(request);
    expect(third).toMatchObject({ id: first.id, outcome: 'duplicate', status: 'sent' });

    // a re-run of the job for a sent row sends nothing either
    const job = await c.queues.get('outbound').add({ messageId: first.id }, { jobId: 'rerun' });
    await waitFor(() => job.finished().then(() => true), Boolean, 5000, 're-run finished');

    expect(seen.filter((s) => s.api === 'message/send')).toHaveLength(1);
    const all = await rows(c);
    expect(all.map((r) => r.status).sort()).toEqual(['duplicate', 'duplicate', 'sent']);
    expect(all.filter((r) => r.status === 'duplicate').every((r) => r.errmsg?.startsWith(`duplicate of #${first.id}`))).toBe(true);
  });

  it('paces 100 messages to one member at no more than 30 per window, across two worker processes', async () => {
    const c = await setup({ OUTBOUND_CONCURRENCY: '4' });
    const other = await sibling(c);
    fakeWecom();
    const ids: number[] = [];
    for (let i = 0; i < 100; i++)
      ids.push((await c.outbound.enqueue({ channel: 'user', touser: 'wangwu', message: text(`#${i}`), idempotencyKey: `bulk:${i}` })).id);
    startProcessing(c);
    startProcessing(other);

    await waitFor(
      () => c.dataSource.getRepository(OutboundMessage).countBy({ status: 'sent' }),
      (n) => n === 100,
      25_000,
      '100 sent',
    );
    const times = seen.map((s) => s.at);
    expect(times).toHaveLength(100);
    // WeCom's view: never more than 30 in any window (1 s here, a minute in production)
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(30);
    // nothing was failed or dropped for waiting
    const all = await rows(c);
    expect(all.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
  });

  it('paces a group robot at no more than 20 per window', async () => {
    const c = await setup({ OUTBOUND_CONCURRENCY: '4' });
    fakeWecom();
    const url = `${HOST}/cgi-bin/webhook/send?key=team-a-robot`;
    for (let i = 0; i < 45; i++)
      await c.outbound.enqueue({ channel: 'robot', webhookUrl: url, label: '华东销售一组', message: text(`逾期提醒 ${i}`), idempotencyKey: `robot:${i}` });
    startProcessing(c);
    await waitFor(
      () => c.dataSource.getRepository(OutboundMessage).countBy({ status: 'sent' }),
      (n) => n === 45,
      20_000,
      '45 sent',
    );
    expect(
      maxInWindow(
        seen.map((s) => s.at),
        1000,
      ),
    ).toBeLessThanOrEqual(20);
    expect((await rows(c))[0]).toMatchObject({ recipient: '华东销售一组', channel: 'robot' });
  });

  it('sendNow sends from the caller with one logged attempt; a message that must wait for pacing goes back to the queue and is sent later, once', async () => {
    const c = await setup({ OUTBOUND_MEMBER_PER_MINUTE: '1' });
    fakeWecom();
    startProcessing(c);
    const text = (n: number) => ({ msgtype: 'text' as const, text: { content: `第${n}条` } });
    const first = await c.outbound.sendNow({ channel: 'user', touser: 'zhangsan', message: text(1), idempotencyKey: 'now:1' });
    expect(first).toMatchObject({ status: 'sent' });
    expect(await row(c, first.id)).toMatchObject({ status: 'sent', attempts: 1 });
    const second = await c.outbound.sendNow({ channel: 'user', touser: 'zhangsan', message: text(2), idempotencyKey: 'now:2' });
    expect(second).toMatchObject({ status: 'queued' });
    expect(await row(c, second.id)).toMatchObject({ status: 'queued', attempts: 0 }); // no attempt was made
    expect(
      await waitFor(
        () => row(c, second.id),
        (r) => r.status === 'sent',
        10_000,
        'the paced message sent',
      ),
    ).toMatchObject({ attempts: 1 });
    expect(seen.filter((s) => s.api === 'message/send').map((s) => s.body.text)).toEqual([{ content: '第1条' }, { content: '第2条' }]);
    // the same key again: logged as a duplicate, not sent
    expect(await c.outbound.sendNow({ channel: 'user', touser: 'zhangsan', message: text(1), idempotencyKey: 'now:1' })).toMatchObject({
      outcome: 'duplicate',
      id: first.id,
    });
    expect(seen.filter((s) => s.api === 'message/send')).toHaveLength(2);
  });

  it('budgets are per WeCom API, as WeCom counts them: lookups that used up their budget do not hold back a welcome', async () => {
    const c = await setup({ WECOM_API_BUDGET_PER_MINUTE: '3' });
    fakeWecom({ 'externalcontact/mark_tag': () => ({ errcode: 0, errmsg: 'ok' }) });
    for (let i = 0; i < 3; i += 1) await c.wecomApi.markTag({ userid: 'zhangsan', external_userid: `wm${i}`, add_tag: ['etTag'] });
    const settings = c.config.outbound;
    // mark_tag's budget is spent for this window…
    expect(await c.rateLimiter.acquire([budgetRule(settings, 'externalcontact/mark_tag')], { id: 'probe-mark', rank: 0 }, { register: false })).toMatchObject({
      granted: false,
      blockedBy: 'budget:externalcontact/mark_tag',
    });
    // …while a welcome (and a reply) still has all of its own
    expect(
      await c.rateLimiter.acquire(pacingRules({ channel: 'welcome', recipient: 'wmNew' }, settings), { id: 'probe-welcome', rank: 0 }, { register: false }),
    ).toEqual({ granted: true });
    startProcessing(c);
    const welcome = await c.outbound.enqueue({
      channel: 'welcome',
      welcomeCode: 'WC-BUDGET',
      externalUserid: 'wmNew',
      text: { content: '您好' },
      idempotencyKey: 'welcome:WC-BUDGET',
      urgent: true,
    });
    expect(
      await waitFor(
        () => row(c, welcome.id),
        (r) => r.status === 'sent',
        10_000,
        'welcome sent',
      ),
    ).toMatchObject({ attempts: 1 });
  });

  it('sends a welcome message enqueued behind 500 queued messages first', async () => {
    const c = await setup({ OUTBOUND_CONCURRENCY: '1' });
    fakeWecom();
    for (let i = 0; i < 500; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, k) =>
          c.outbound.enqueue({ channel: 'user', touser: `member${i + k}`, message: text('日报'), idempotencyKey: `digest:${i + k}` }),
        ),
      );
    }
    const welcome = await c.outbound.enqueue({
      channel: 'welcome',
      welcomeCode: 'WELCOME-CODE',
      externalUserid: 'wmCustomer',
      text: { content: '您好，我是您的专属顾问' },
      idempotencyKey: 'welcome:WELCOME-CODE',
    });
    startProcessing(c);

    await waitFor(
      () => row(c, welcome.id),
      (r) => r.status === 'sent',
      10_000,
      'welcome sent',
    );
    expect(seen[0]).toMatchObject({
      api: 'externalcontact/send_welcome_msg',
      body: { welcome_code: 'WELCOME-CODE', text: { content: '您好，我是您的专属顾问' } },
    });
  });

  it('holds a non-urgent reminder in quiet hours until the morning; urgent messages go at once', async () => {
    const c = await setup({ CRM_QUIET_HOURS: '21:00-08:00', CRM_TIMEZONE: 'Asia/Shanghai' });
    fakeWecom();
    let clock = Date.parse('2026-11-22T23:00:00+08:00');
    const now = () => clock;
    const outbound = new OutboundService({ ...c, now });
    startProcessing(c, { now });

    const reminder = await outbound.enqueue({ channel: 'user', touser: 'zhaoliu', message: text('提醒：明天回访李总'), idempotencyKey: 'reminder:7' });
    const urgent = await outbound.enqueue({ channel: 'user', touser: 'zhaoliu', message: text('客户删除了你'), idempotencyKey: 'alert:1', urgent: true });
    await waitFor(
      () => row(c, urgent.id),
      (r) => r.status === 'sent',
      10_000,
      'urgent sent',
    );

    const morning = new Date('2026-11-23T08:00:00+08:00');
    const held = await row(c, reminder.id);
    expect(held).toMatchObject({ status: 'queued', attempts: 0, notBefore: morning });
    const job = (await c.queues.get('outbound').getJob(`outbound-${reminder.id}`))!;
    expect(await job.getState()).toBe('delayed');

    // woken early (still night): it goes back to sleep, still queued, not failed
    clock = Date.parse('2026-11-23T02:00:00+08:00');
    await job.promote();
    await waitFor(
      () => job.getState(),
      (s) => s === 'delayed',
      10_000,
      'deferred again',
    );
    expect(await row(c, reminder.id)).toMatchObject({ status: 'queued', attempts: 0, notBefore: morning });

    // morning
    clock = Date.parse('2026-11-23T08:00:05+08:00');
    await job.promote();
    const sent = await waitFor(
      () => row(c, reminder.id),
      (r) => r.status === 'sent',
      10_000,
      'reminder sent in the morning',
    );
    expect(sent.sentAt).toEqual(new Date(clock));
    expect(seen.map((s) => (s.body.text as { content: string }).content)).toEqual(['客户删除了你', '提醒：明天回访李总']);
  });

  it('fails at once, with the reason, when every recipient is invalid (81013) or the welcome code is used (41051)', async () => {
    const c = await setup();
    fakeWecom({
      'message/send': () => ({ errcode: 81013, errmsg: 'user & party & tag all invalid' }),
      'externalcontact/send_welcome_msg': () => ({ errcode: 41051, errmsg: 'externaluser has started chatting' }),
    });
    startProcessing(c);
    const message = await c.outbound.enqueue({ channel: 'user', touser: 'left-the-company', message: text('hi'), idempotencyKey: 'k1' });
    const welcome = await c.outbound.enqueue({
      channel: 'welcome',
      welcomeCode: 'USED',
      externalUserid: 'wmX',
      text: { content: '欢迎' },
      idempotencyKey: 'welcome:USED',
    });

    expect(
      await waitFor(
        () => row(c, message.id),
        (r) => r.status === 'failed',
        10_000,
        'failed',
      ),
    ).toMatchObject({ errcode: 81013, errmsg: 'user & party & tag all invalid', attempts: 1 });
    expect(
      await waitFor(
        () => row(c, welcome.id),
        (r) => r.status === 'failed',
        10_000,
        'failed',
      ),
    ).toMatchObject({ errcode: 41051, errmsg: 'externaluser has started chatting', attempts: 1 });
    expect(seen).toHaveLength(2);
  });

  it('retries 45009 with backoff (queued meanwhile, not failed) and then sends', async () => {
    const c = await setup({ OUTBOUND_RETRY_BASE_MS: '300' });
    fakeWecom({ 'message/send': (_b, n) => (n === 1 ? { errcode: 45009, errmsg: 'api freq out of limit' } : { errcode: 0, errmsg: 'ok', msgid: 'M2' }) });
    startProcessing(c);
    const { id } = await c.outbound.enqueue({ channel: 'user', touser: 'sunqi', message: text('周报'), idempotencyKey: 'weekly:1' });

    const waiting = await waitFor(
      () => row(c, id),
      (r) => r.errcode === 45009,
      10_000,
      'first attempt recorded',
    );
    expect(waiting).toMatchObject({ status: 'queued', attempts: 1, errmsg: 'api freq out of limit' });
    const sent = await waitFor(
      () => row(c, id),
      (r) => r.status === 'sent',
      10_000,
      'sent after backoff',
    );
    expect(sent).toMatchObject({ attempts: 2, errcode: 0, errmsg: null, wecomMsgid: 'M2' });
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(290);
  });

  it('gives up after the configured attempts with the last errcode', async () => {
    const c = await setup({ OUTBOUND_MAX_ATTEMPTS: '3' });
    fakeWecom({ 'appchat/send': () => ({ errcode: -1, errmsg: 'system busy' }) });
    startProcessing(c);
    const { id } = await c.outbound.enqueue({ channel: 'appchat', chatid: 'teamchat1', message: text('团队日报'), idempotencyKey: 'team-digest:1' });
    expect(
      await waitFor(
        () => row(c, id),
        (r) => r.status === 'failed',
        10_000,
        'failed',
      ),
    ).toMatchObject({ errcode: -1, errmsg: 'system busy', attempts: 3 });
    expect(seen).toHaveLength(3);
  });

  it('after a call with an unknown outcome (network failure), retries asking WeCom to drop a duplicate', async () => {
    const c = await setup();
    nock(HOST).get('/cgi-bin/gettoken').query(true).reply(200, { errcode: 0, errmsg: 'ok', access_token: 'TOKEN', expires_in: 7200 });
    nock(HOST)
      .post('/cgi-bin/message/send')
      .query(true)
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    let retried: Record<string, unknown> | undefined;
    nock(HOST)
      .post('/cgi-bin/message/send')
      .query(true)
      .reply(200, (_uri, body) => {
        retried = body as Record<string, unknown>;
        return { errcode: 0, errmsg: 'ok', msgid: 'M' };
      });
    startProcessing(c);
    const { id } = await c.outbound.enqueue({ channel: 'user', touser: 'zhouba', message: text('报价已发送'), idempotencyKey: 'quote:1' });
    expect(
      await waitFor(
        () => row(c, id),
        (r) => r.status === 'sent',
        10_000,
        'sent',
      ),
    ).toMatchObject({ attempts: 2 });
    expect(retried).toMatchObject({ enable_duplicate_check: 1, duplicate_check_interval: 1800 });
  });

  it('after a crash mid-call (row left "sending"), sends again asking WeCom to drop a duplicate', async () => {
    const c = await setup();
    fakeWecom();
    const { id } = await c.outbound.enqueue({ channel: 'user', touser: 'crashy', message: text('今日简报'), idempotencyKey: 'digest:crash' });
    await c.dataSource.getRepository(OutboundMessage).update({ id }, { status: 'sending', attempts: 1 });
    startProcessing(c);
    expect(
      await waitFor(
        () => row(c, id),
        (r) => r.status === 'sent',
        10_000,
        'sent',
      ),
    ).toMatchObject({ attempts: 2 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.body).toMatchObject({ enable_duplicate_check: 1, duplicate_check_interval: 1800 });
  });

  it('marks a welcome message failed without calling WeCom once its 20-second code has expired', async () => {
    const c = await setup();
    fakeWecom();
    startProcessing(c);
    const { id } = await c.outbound.enqueue({
      channel: 'welcome',
      welcomeCode: 'OLD',
      externalUserid: 'wmY',
      text: { content: '欢迎' },
      idempotencyKey: 'welcome:OLD',
      expiresAt: new Date(Date.now() - 1000),
    });
    expect(
      await waitFor(
        () => row(c, id),
        (r) => r.status === 'failed',
        10_000,
        'failed',
      ),
    ).toMatchObject({ errcode: null, attempts: 0 });
    expect((await row(c, id)).errmsg).toMatch(/expired/);
    expect(seen).toHaveLength(0);
  });

  it('updates a clicked card in place for that user', async () => {
    const c = await setup();
    fakeWecom();
    startProcessing(c);
    const { id } = await c.outbound.enqueue({
      channel: 'card_update',
      userid: 'zhangsan',
      responseCode: 'RC1',
      update: { button: { replace_name: '已完成' } },
      idempotencyKey: 'click:RC1',
    });
    await waitFor(
      () => row(c, id),
      (r) => r.status === 'sent',
      10_000,
      'sent',
    );
    expect(seen[0]).toMatchObject({
      api: 'message/update_template_card',
      body: { userids: ['zhangsan'], agentid: 1000002, response_code: 'RC1', button: { replace_name: '已完成' } },
    });
  });

  it('refuses a message to several recipients at once (pacing is per member) and stores nothing', async () => {
    const c = await setup();
    await expect(c.outbound.enqueue({ channel: 'user', touser: 'a|b', message: text('x'), idempotencyKey: 'multi' })).rejects.toThrow(/exactly one recipient/);
    await expect(c.outbound.enqueue({ channel: 'user', touser: '@all', message: text('x'), idempotencyKey: 'all' })).rejects.toThrow(/exactly one recipient/);
    await expect(
      c.outbound.enqueue({ channel: 'robot', webhookUrl: 'https://example.com/no-key', message: text('x'), idempotencyKey: 'robot' }),
    ).rejects.toThrow(/robot URL/);
    expect(await rows(c)).toEqual([]);
  });

  it('re-adds the job of a queued row whose job was lost', async () => {
    const c = await setup();
    fakeWecom();
    const { id } = await c.outbound.enqueue({ channel: 'user', touser: 'lost', message: text('x'), idempotencyKey: 'lost:1' });
    await (await c.queues.get('outbound').getJob(`outbound-${id}`))!.remove();
    await c.dataSource.getRepository(OutboundMessage).update({ id }, { updatedAt: new Date(Date.now() - 120_000) });
    expect(await c.outbound.requeueStale(60_000)).toBe(1);
    startProcessing(c);
    await waitFor(
      () => row(c, id),
      (r) => r.status === 'sent',
      10_000,
      'sent',
    );
  });
});
