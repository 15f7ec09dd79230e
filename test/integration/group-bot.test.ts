import type Koa from 'koa';
import request from 'supertest';
import { Customer, CustomerRelation, FollowUp, GroupCard, InboundEvent, OutboundMessage, Reminder, Staff, Team } from '../../entities';
import type { Container } from '../../src/container';
import { workerModules } from '../../src/feature-modules';
import { FakeAibot } from '../../src/modules/sandbox/fake-wecom/aibot.area';
import { promoteDelayedJobs } from '../../src/platform/queue/queues';
import { createWebApp } from '../../src/web';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { fakeWecom, messageText, type WecomCall } from '../helpers/fake-wecom';
import { waitForQuiet } from '../helpers/quiet';
import { externalContactXml, signedCallback } from '../helpers/wecom-callbacks';
import { createTestContainer, deleteRedisPrefix, resetState, waitFor } from '../helpers/test-env';

const BOT = { id: 'aibTestBot', secret: 'aibot-test-secret' };
const GROUP = 'wrTeamGroup01';
const bodyOf = (frame: Record<string, unknown>) => frame.body as { msgid: string };

/**
 * The smart bot (智能机器人) end to end: the real SDK in the worker, connected to the fake long
 * connection (src/modules/sandbox/fake-wecom/aibot.area.ts); frames stored in inbound_events, the
 * real inbound queue, the command router, and the answers through the outbound queue (the bot's
 * queue for the bot's messages, message/send to nock for private ones).
 */
describe('the smart bot in team groups', () => {
  let fake: FakeAibot;
  let container: Container;
  let app: Koa;
  let worker: WorkerHandle;
  let calls: WecomCall[];

  /** how far the fake WeCom's clock is ahead (a click whose 5 s have passed) */
  let skewMs = 0;

  beforeAll(async () => {
    fake = new FakeAibot({ botId: BOT.id, secret: BOT.secret, groups: [GROUP], now: () => Date.now() + skewMs, chatWindowMs: 1000 });
    const url = await fake.listen();
    container = await createTestContainer('aibot', {
      CRM_QUIET_HOURS: 'off',
      CRM_ADMINS: 'boss',
      INBOUND_RETRY_DELAY_MS: '50',
      WECOM_BOT_ID: BOT.id,
      WECOM_BOT_SECRET: BOT.secret,
      WECOM_BOT_WS_URL: url,
      WECOM_BOT_LEASE_MS: '2000',
      // a fired reminder left open is overdue 1.2 s later
      CRM_OVERDUE_AFTER_MINUTES: '0.02',
      // the fake's 20 a chat per "minute" is a second here: the tests do not wait for minutes
      OUTBOUND_PACING_WINDOW_MS: '1000',
    });
    app = createWebApp(container);
    worker = startWorker(container, { sweepEveryMs: 60_000, modules: workerModules(container) });
    await waitFor(async () => fake.connected && container.bot!.ready, Boolean, 15_000, 'the bot connected');
  });

  afterAll(async () => {
    worker.stop();
    await container.close();
    await fake.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  beforeEach(async () => {
    calls = fakeWecom();
    await resetState(container);
    fake.messages.length = 0;
    skewMs = 0;
    const teams = container.dataSource.getRepository(Team);
    const team = await teams.save({ name: '华东销售一组', leadUserid: 'wangfang', robotWebhookUrl: null, appChatId: null, botChatId: null });
    await container.dataSource.getRepository(Staff).save([
      { userid: 'zhangwei', wecomUserid: 'zhangwei', name: '张伟', teamId: team.id },
      { userid: 'wangfang', wecomUserid: 'wangfang', name: '王芳', teamId: team.id },
    ]);
    const customer = await container.dataSource.getRepository(Customer).save({ name: '刘洋', externalUserid: 'wmLiuyang' });
    await container.dataSource.getRepository(CustomerRelation).save({ customerId: customer.id, staffUserid: 'zhangwei', addedAt: new Date() });
  });

  const inChat = (chatid: string, n: number, what: string) =>
    waitFor(
      async () => fake.chat(chatid),
      (m) => m.length >= n,
      15_000,
      what,
    );

  it('answers an @-command in the group as the member who typed it; team figures stay in the group', async () => {
    fake.say('wangfang', '@客户助手 帮助', GROUP);
    const [answer] = await inChat(GROUP, 1, 'the answer in the group');
    expect(answer!.msgtype).toBe('markdown');
    expect(answer!.text).toContain('记录跟进');
  });

  it('sends what shows one salesperson’s customers privately, with one line in the group', async () => {
    fake.say('zhangwei', '@客户助手 记录跟进 刘洋 电话沟通了报价', GROUP);
    const [note] = await inChat(GROUP, 1, 'the note in the group');
    expect(note!.text).toContain('<@zhangwei>');
    expect(note!.text).toContain('私信');
    const privately = await waitFor(
      async () => calls.filter((c) => c.api === 'message/send' && c.body.touser === 'zhangwei'),
      (c) => c.length >= 1,
      10_000,
      'the private answer',
    );
    expect(messageText(privately[0]!.body)).toContain('刘洋');
    const followUps = await container.dataSource.getRepository(FollowUp).find();
    expect(followUps).toHaveLength(1);
    expect(followUps[0]).toMatchObject({ staffUserid: 'zhangwei', content: '电话沟通了报价' });
    // nothing of the customer's reached the group
    expect(
      fake
        .chat(GROUP)
        .map((m) => m.text)
        .join(''),
    ).not.toContain('刘洋');
  });

  it('works like the app’s chat in the single chat, and a redelivered frame acts once', async () => {
    const frame = fake.say('zhangwei', '记录跟进 刘洋 发了案例');
    await inChat('zhangwei', 1, 'the answer in the single chat');
    fake.redeliver(frame);
    fake.redeliver(frame);
    await waitFor(
      () => container.dataSource.getRepository(InboundEvent).findOneByOrFail({ dedupeKey: `aibot:${bodyOf(frame).msgid}` }),
      (e) => e.redeliveries === 2,
      10_000,
      'both redeliveries recorded',
    );
    await waitForQuiet(container);
    expect(await container.dataSource.getRepository(FollowUp).count()).toBe(1);
    expect(fake.chat('zhangwei')).toHaveLength(1);
    expect(JSON.stringify(fake.chat('zhangwei')[0]!.card)).toContain('刘洋');
  });

  it('binds the group to a team for its lead, and not for anyone else', async () => {
    fake.say('zhangwei', '@客户助手 绑定 华东销售一组', GROUP);
    const [refused] = await inChat(GROUP, 1, 'the refusal');
    expect(refused!.text).toContain('只有「华东销售一组」的组长或管理员');
    expect((await container.dataSource.getRepository(Team).findOneByOrFail({ name: '华东销售一组' })).botChatId).toBeNull();

    fake.say('wangfang', '@客户助手 绑定 华东销售一组', GROUP);
    const answers = await inChat(GROUP, 2, 'the binding');
    expect(answers[1]!.text).toContain('已绑定');
    expect((await container.dataSource.getRepository(Team).findOneByOrFail({ name: '华东销售一组' })).botChatId).toBe(GROUP);

    fake.say('wangfang', '@客户助手 绑定 不存在的组', GROUP);
    expect((await inChat(GROUP, 3, 'the unknown team'))[2]!.text).toContain('现有团队：「华东销售一组」');
  });

  it('shows the connection on /readyz and /metrics', async () => {
    const ready = await request(app.callback()).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.bot).toMatch(/^connected \(held by /);
    const metrics = await request(app.callback()).get('/metrics');
    expect(metrics.text).toContain('wecom_bot_connection{state="connected"} 1');
  });

  it('logs every bot message in outbound_messages, paced per chat', async () => {
    fake.say('wangfang', '@客户助手 帮助', GROUP);
    await inChat(GROUP, 1, 'the answer');
    await waitForQuiet(container);
    const rows = await container.dataSource.getRepository(OutboundMessage).findBy({ channel: 'bot' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ recipient: GROUP, status: 'sent', kind: 'markdown' });
  });

  it('25 messages for one group in a burst: 20 in the first window, the rest after it, none refused by WeCom (45009)', async () => {
    const refusedBefore = fake.log.filter((l) => l.errcode === 45009).length;
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        container.outbound.enqueue({
          channel: 'bot',
          chatid: GROUP,
          message: { msgtype: 'markdown', markdown: { content: `第${i + 1}条` } },
          idempotencyKey: `pace-test-${i}`,
        }),
      ),
    );
    const delivered = await inChat(GROUP, 25, 'all 25 in the group');
    await waitForQuiet(container);
    expect(delivered).toHaveLength(25);
    expect(fake.log.filter((l) => l.errcode === 45009).length).toBe(refusedBefore);
    // at no point more than the chat's 20 within one window (1 s here, a minute in production)
    const times = delivered.map((m) => m.at).sort((a, b) => a - b);
    const mostInAWindow = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
    expect(mostInAWindow).toBeLessThanOrEqual(20);
    expect(times[20]! - times[0]!).toBeGreaterThanOrEqual(1000);
    const rows = await container.dataSource.getRepository(OutboundMessage).findBy({ channel: 'bot' });
    expect(rows.map((r) => r.status)).toEqual(Array(25).fill('sent'));
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
  });

  describe('an overdue reminder as a card with buttons in the bound group', () => {
    let reminderId: number;
    const appTextsTo = (userid: string) => calls.filter((c) => c.api === 'message/send' && c.body.touser === userid).map((c) => messageText(c.body));

    beforeEach(async () => {
      const team = await container.dataSource.getRepository(Team).findOneByOrFail({ name: '华东销售一组' });
      await container.dataSource.getRepository(Team).update({ id: team.id }, { botChatId: GROUP });
      await container.dataSource.getRepository(Staff).save({ userid: 'lina', wecomUserid: 'lina', name: '李娜', teamId: team.id });
      const customer = await container.dataSource.getRepository(Customer).findOneByOrFail({ name: '刘洋' });
      const { reminder } = await container.services.reminders.create({
        staffUserid: 'zhangwei',
        customerId: customer.id,
        content: '发报价',
        dueAt: new Date(Date.now() - 60_000),
        sourceKey: 'test:group-card',
      });
      reminderId = reminder.id;
      await container.services.reminders.scheduleJob(reminder);
    });

    const theCard = async () => {
      const [message] = await waitFor(
        async () => fake.chat(GROUP).filter((m) => String(m.card?.task_id ?? '').startsWith('gc-overdue-')),
        (m) => m.length >= 1,
        20_000,
        'the overdue card in the group',
      );
      return message!;
    };
    const updated = (message: { updates: number }, n: number, what: string) =>
      waitFor(
        async () => message.updates,
        (u) => u >= n,
        10_000,
        what,
      );

    it('我来处理 by its owner marks it done; the click delivered twice, and clicked again, acts once and updates the card once', async () => {
      const card = await theCard();
      const taskId = String(card.card!.task_id);
      expect(JSON.stringify(card.card)).toContain('我来处理');
      expect((await container.dataSource.getRepository(GroupCard).findOneByOrFail({ taskId })).state).toBe('open');

      const click = fake.click('zhangwei', taskId, 'gb:take', GROUP);
      fake.redeliver(click);
      await updated(card, 1, 'the card updated');
      fake.click('zhangwei', taskId, 'gb:take', GROUP); // a second click on a client that had not redrawn yet
      await waitForQuiet(container);
      await new Promise((r) => setTimeout(r, 300));

      expect(card.updates).toBe(1);
      expect(card.card!.card_type).toBe('text_notice');
      expect(JSON.stringify(card.card)).toContain('张伟');
      expect(JSON.stringify(card.card)).toContain('提醒已完成');
      expect((await container.dataSource.getRepository(Reminder).findOneByOrFail({ id: reminderId })).status).toBe('done');
      expect(await container.dataSource.getRepository(OutboundMessage).countBy({ channel: 'bot_update' })).toBe(1);
    });

    it('改派 by a member who is not the lead gets a short private explanation and changes nothing', async () => {
      const card = await theCard();
      fake.click('lina', String(card.card!.task_id), 'gb:reassign', GROUP, { assignee: 'lina' });
      await waitFor(
        async () => appTextsTo('lina'),
        (t) => t.length >= 1,
        10_000,
        'the explanation',
      );
      expect(appTextsTo('lina')[0]).toContain('只有组长（王芳）或管理员可以用');
      await waitForQuiet(container);
      expect(card.updates).toBe(0);
      expect((await container.dataSource.getRepository(Reminder).findOneByOrFail({ id: reminderId })).staffUserid).toBe('zhangwei');
    });

    it('催一下 and 改派 by the lead: the owner is nudged, the reminder moves to the teammate picked, the card shows each', async () => {
      const card = await theCard();
      const taskId = String(card.card!.task_id);
      fake.click('wangfang', taskId, 'gb:nudge', GROUP);
      await updated(card, 1, 'the card after 催一下');
      expect(JSON.stringify(card.card)).toContain('王芳');
      expect(JSON.stringify(card.card)).toContain('催了一下');
      await waitFor(
        async () => appTextsTo('zhangwei').filter((t) => t.includes('催你跟进')),
        (t) => t.length === 1,
        10_000,
        'the nudge',
      );
      // 催一下 pressed again: the owner is not nudged twice, and the lead is told why nothing happened
      fake.click('wangfang', taskId, 'gb:nudge', GROUP);
      await waitFor(
        async () => appTextsTo('wangfang'),
        (t) => t.some((x) => x.includes('你已经点过「催一下」了')),
        10_000,
        'the lead told it was pressed already',
      );
      expect(appTextsTo('zhangwei').filter((t) => t.includes('催你跟进'))).toHaveLength(1);
      expect(card.updates).toBe(1);

      fake.click('wangfang', taskId, 'gb:reassign', GROUP, { assignee: 'lina' });
      await updated(card, 2, 'the card after 改派');
      expect(JSON.stringify(card.card)).toContain('改派给 李娜');
      expect((await container.dataSource.getRepository(Reminder).findOneByOrFail({ id: reminderId })).staffUserid).toBe('lina');
      await waitFor(
        async () => appTextsTo('lina').filter((t) => t.includes('改派给了你')),
        (t) => t.length === 1,
        10_000,
        'the new owner told',
      );

      // now it is 李娜's to close, not 张伟's
      fake.click('zhangwei', taskId, 'gb:take', GROUP);
      await waitFor(
        async () => appTextsTo('zhangwei').filter((t) => t.includes('负责人 李娜')),
        (t) => t.length === 1,
        10_000,
        'the former owner told',
      );
    });

    it('a click answered after WeCom’s 5 s posts the card again as a new message instead', async () => {
      const card = await theCard();
      const taskId = String(card.card!.task_id);
      const before = fake.chat(GROUP).length;
      fake.click('zhangwei', taskId, 'gb:take', GROUP);
      skewMs = 6000; // WeCom's clock: the click is more than 5 s old when the update arrives
      const after = await waitFor(
        async () => fake.chat(GROUP),
        (m) => m.length > before,
        10_000,
        'the card posted again',
      );
      expect(card.updates).toBe(0);
      expect(after[after.length - 1]!.card!.task_id).toMatch(new RegExp(`^${taskId}-u\\d+$`));
      expect(JSON.stringify(after[after.length - 1]!.card)).toContain('提醒已完成');
      expect(fake.log.some((l) => l.what.includes('req_id expired'))).toBe(true);
    });
  });

  describe('删人提醒 as a card with buttons in the bound group', () => {
    beforeEach(async () => {
      const team = await container.dataSource.getRepository(Team).findOneByOrFail({ name: '华东销售一组' });
      await container.dataSource.getRepository(Team).update({ id: team.id }, { botChatId: GROUP });
      await container.dataSource.getRepository(Staff).save({ userid: 'lina', wecomUserid: 'lina', name: '李娜', teamId: team.id });
      // the customer deletes 张伟: WeCom's del_follow_user callback, through the real webhook
      const req = signedCallback(
        container.wecom,
        externalContactXml({ corpId: container.wecom.corpId, changeType: 'del_follow_user', userId: 'zhangwei', externalUserId: 'wmLiuyang' }),
      );
      expect((await request(app.callback()).post(req.path).send(req.body)).status).toBe(200);
    });

    const theCard = async () => {
      const [message] = await waitFor(
        async () => fake.chat(GROUP).filter((m) => String(m.card?.task_id ?? '').startsWith('gc-churn-')),
        (m) => m.length >= 1,
        20_000,
        'the 删人提醒 card in the group',
      );
      return message!;
    };

    it('我来挽回 gives the clicker a follow-up reminder (once, however often clicked); 标记流失 by the owner moves the customer to 流失', async () => {
      const card = await theCard();
      const taskId = String(card.card!.task_id);
      expect(JSON.stringify(card.card)).toContain('刘洋 删除了 张伟');

      const click = fake.click('lina', taskId, 'gb:save', GROUP);
      fake.redeliver(click);
      await waitFor(
        async () => card.updates,
        (u) => u >= 1,
        10_000,
        'the card after 我来挽回',
      );
      fake.click('lina', taskId, 'gb:save', GROUP);
      await waitForQuiet(container);
      const reminders = await container.dataSource.getRepository(Reminder).findBy({ staffUserid: 'lina' });
      expect(reminders).toHaveLength(1);
      expect(reminders[0]!.content).toContain('挽回 刘洋');
      expect(JSON.stringify(card.card)).toContain('李娜');
      expect(card.updates).toBe(1);

      fake.click('zhangwei', taskId, 'gb:lost', GROUP);
      await waitFor(
        async () => card.updates,
        (u) => u >= 2,
        10_000,
        'the card after 标记流失',
      );
      expect(card.card!.card_type).toBe('text_notice');
      expect(JSON.stringify(card.card)).toContain('标记为流失');
      expect((await container.dataSource.getRepository(Customer).findOneByOrFail({ name: '刘洋' })).stage).toBe('lost');
    });
  });

  it('a team-group SOP step (templates/sops.json: opportunity-review) comes as a card; 已完成 says who did it', async () => {
    const team = await container.dataSource.getRepository(Team).findOneByOrFail({ name: '华东销售一组' });
    await container.dataSource.getRepository(Team).update({ id: team.id }, { botChatId: GROUP });
    await container.dataSource.getRepository(Staff).save({ userid: 'lina', wecomUserid: 'lina', name: '李娜', teamId: team.id });
    fake.say('zhangwei', '阶段 刘洋 商机');
    // its step is due tomorrow at 10:00: brought forward, as the sandbox's 立即触发到期提醒 does
    await waitFor(
      async () => (await container.queues.get('sop').getDelayed()).length,
      (n) => n >= 1,
      10_000,
      'the SOP step planned',
    );
    await promoteDelayedJobs(container.queues.get('sop'));
    const [card] = await waitFor(
      async () => fake.chat(GROUP).filter((m) => String(m.card?.task_id ?? '').startsWith('gc-sop-')),
      (m) => m.length >= 1,
      20_000,
      'the SOP step card in the group',
    );
    expect(JSON.stringify(card!.card)).toContain('刘洋');
    fake.click('lina', String(card!.card!.task_id), 'gb:sopdone', GROUP);
    await waitFor(
      async () => card!.updates,
      (u) => u >= 1,
      10_000,
      'the card after 已完成',
    );
    expect(JSON.stringify(card!.card)).toContain('李娜');
    expect(JSON.stringify(card!.card)).toContain('完成了这一步');
  });
});
