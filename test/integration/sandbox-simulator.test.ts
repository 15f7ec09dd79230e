import request from 'supertest';
import { CustomerRelation, InboundEvent, OutboundMessage, Reminder, Staff } from '../../entities';
import { SandboxClient, SandboxClientError } from '../../src/modules/sandbox/sandbox-client';
import type { SandboxView } from '../../src/modules/sandbox/sandbox-view';
import { createWebApp } from '../../src/web';
import { waitForQuiet } from '../helpers/quiet';
import { startSandboxApp, type SandboxApp } from '../helpers/sandbox-app';
import { createTestContainer, waitFor } from '../helpers/test-env';

/**
 * The simulator drives the real product: each action changes the fake WeCom, posts an encrypted
 * callback to the app's own /wecom/callback over HTTP, and the real queue, handlers, bot and outbound
 * client do the rest — ending in messages the fake WeCom received. Driven through the control API with
 * the client `npm run simulate` uses.
 */
describe('sandbox simulator', () => {
  jest.setTimeout(60_000);
  let app: SandboxApp;
  let sandbox: SandboxClient;

  beforeAll(async () => {
    app = await startSandboxApp('sim');
    sandbox = new SandboxClient(app.url);
  });
  afterAll(() => app?.close());

  const view = (user = 'zhangwei') => sandbox.view(user);
  const until = (what: string, predicate: (v: SandboxView) => boolean, user = 'zhangwei') => waitFor(() => view(user), predicate, 15_000, what);
  /** A customer of 张伟's from the live channel's QR code, recorded with the rule's tag and welcomed: each test scans its own. */
  const scanned = async (name: string) => {
    await sandbox.action('scan', { userid: 'zhangwei', state: 'live-douyin', name });
    const v = await until(`${name} tagged and welcomed`, (x) => x.customers.some((c) => c.name === name && c.tags.includes('直播间') && c.welcome !== null));
    return v.customers.find((c) => c.name === name)!;
  };
  const cardTitles = (v: SandboxView) => v.chat.filter((c) => c.card).map((c) => String((c.card!.main_title as { title?: string })?.title ?? ''));

  it('a customer scans a channel QR code: recorded with the rule’s tags and stage, welcomed once, tagged in WeCom', async () => {
    const added = await sandbox.action('scan', { userid: 'zhangwei', state: 'live-douyin', name: '刘洋' });
    const v = await until('the customer, tagged and welcomed', (x) =>
      x.customers.some((c) => c.name === '刘洋' && c.tags.includes('直播间') && c.welcome !== null),
    );
    const customer = v.customers.find((c) => c.name === '刘洋')!;
    expect(customer).toMatchObject({
      externalUserid: added.customer,
      stage: '线索',
      mine: true,
      owners: [{ userid: 'zhangwei', name: '张伟', status: 'active', state: 'live-douyin' }],
    });
    expect(customer.welcome).toBe('您好刘洋，我是张伟，感谢您从直播间添加我！有任何问题随时找我。');
    await until('mark_tag in WeCom', (x) => x.activity.some((a) => a.text === 'mark_tag：刘洋 打上 直播间'));

    // Welcome first, recording after: the event is finished once its deferred stage has run too.
    const events = await waitFor(
      () => app.container.dataSource.getRepository(InboundEvent).find(),
      (e) => e.every((x) => x.status === 'done'),
      10_000,
      'the event done',
    );
    expect(events.map((e) => e.kind)).toEqual(['change_external_contact/add_external_contact']);
    const welcomes = await app.container.dataSource.getRepository(OutboundMessage).findBy({ channel: 'welcome' });
    expect(welcomes.map((w) => w.status)).toEqual(['sent']);
  });

  it('a salesperson types 记录跟进 with a date: a confirmation card; the reminder fires on demand, once, and 完成 on its card closes it', async () => {
    await scanned('陈晨');
    await sandbox.action('type', { userid: 'zhangwei', content: '查客户 陈晨' });
    const profile = await until('the profile card', (x) => cardTitles(x).includes('陈晨'));
    const rows = profile.chat.find((c) => (c.card?.main_title as { title?: string })?.title === '陈晨')!.card!.horizontal_content_list as Array<{
      keyname: string;
      value: string;
    }>;
    expect(rows).toEqual(
      expect.arrayContaining([
        { keyname: '标签', value: '直播间' },
        { keyname: '阶段', value: expect.stringMatching(/^线索/) },
      ]),
    );

    await sandbox.action('type', { userid: 'zhangwei', content: '记录跟进 陈晨 电话沟通了报价，明天下午3点再联系' });
    const confirmed = await until('the confirmation card', (x) => cardTitles(x).includes('已记录跟进：陈晨') && x.pendingReminders === 1);
    expect(confirmed.chat.filter((c) => c.direction === 'in').map((c) => c.text)).toEqual(['查客户 陈晨', '记录跟进 陈晨 电话沟通了报价，明天下午3点再联系']);

    // Tomorrow's reminder and the SOP steps the add started (the live channel's in 2 hours, the
    // new-customer ones in days) all run now.
    const { fired: count } = await sandbox.action('fire-due');
    expect(count).toBeGreaterThanOrEqual(2);
    const fired = await until(
      'the reminder card and the SOP step',
      (x) => cardTitles(x).includes('该联系 陈晨 了') && x.chat.some((c) => c.msgtype === 'markdown' && c.text!.includes('直播间客户')),
    );
    expect(fired.pendingReminders).toBe(0);
    expect(fired.quietUntil).toBeNull(); // CRM_QUIET_HOURS=off: the page shows no quiet-hours hint
    const reminder = (await app.container.dataSource.getRepository(Reminder).find())[0]!;
    expect(reminder.status).toBe('sent');
    // Due tomorrow: the card was brought forward, not the due time.
    expect(reminder.dueAt.getTime()).toBeGreaterThan(Date.now());

    // 完成 on the card: a real template_card_event; the product closes the reminder and greys the card.
    const card = fired.chat.find((c) => (c.card?.main_title as { title?: string })?.title === '该联系 陈晨 了')!;
    expect(card.card!.card_type).toBe('button_interaction');
    const done = (card.card!.button_list as Array<{ text: string; key: string }>).find((b) => b.text === '完成')!;
    await sandbox.action('click', { userid: 'zhangwei', card: card.seq, key: done.key });
    const handled = await until('the card updated in place', (x) => x.chat.find((c) => c.seq === card.seq)!.replacedButton !== undefined);
    expect(handled.chat.find((c) => c.seq === card.seq)!.replacedButton).toContain('已完成');
    await waitFor(
      () => app.container.dataSource.getRepository(Reminder).findOneByOrFail({ id: reminder.id }),
      (r) => r.status === 'done',
      10_000,
      'the reminder done',
    );
    const clickError = await sandbox.action('click', { userid: 'zhangwei', card: card.seq, key: done.key }).catch((e: Error) => e.message);
    expect(clickError).toContain('already been handled');

    // Nothing due is left but the reminder's overdue check, which finds it done: no new card, no group post.
    await sandbox.action('fire-due');
    await waitForQuiet(app.container);
    const after = await view();
    expect(cardTitles(after).filter((t) => t === '该联系 陈晨 了')).toHaveLength(1);
    expect(after.group!.items).toEqual([]);
  });

  it('tags changed in the admin console reach the CRM through edit_external_contact', async () => {
    const customer = await scanned('孙悦');
    await sandbox.action('tag', { userid: 'zhangwei', customer: customer.externalUserid, add: ['A类'] });
    const tagged = await until('the console tag in the CRM', (x) => x.customers.find((c) => c.name === '孙悦')!.tags.includes('A类'));
    // added beside the channel rule's tag, not in place of it
    expect(tagged.customers.find((c) => c.name === '孙悦')!.tags).toEqual(expect.arrayContaining(['直播间', 'A类']));
  });

  it('a tag taken off in the admin console leaves the CRM too, whoever put it on', async () => {
    const scan = await scanned('周洁');
    await sandbox.action('tag', { userid: 'zhangwei', customer: scan.externalUserid, add: ['A类'] });
    await until('the console tag in the CRM', (x) => x.customers.find((c) => c.name === '周洁')!.tags.includes('A类'));
    const customer = (await view()).customers.find((c) => c.name === '周洁')!;
    expect(customer.tags).toContain('直播间'); // from the channel rule
    // Two edits of one pair within the same second are the same callback to WeCom's dedupe (CreateTime is in seconds).
    const second = Math.floor(Date.now() / 1000);
    await waitFor(
      async () => Math.floor(Date.now() / 1000),
      (now) => now > second,
      2000,
      'the next second',
    );
    await sandbox.action('tag', { userid: 'zhangwei', customer: customer.externalUserid, remove: ['直播间', 'A类'] });
    await until('the tags gone from the CRM', (x) => !x.customers.find((c) => c.name === '周洁')!.tags.some((t) => t === '直播间' || t === 'A类'));
  });

  it('the customer deletes the salesperson: the relation is lost and the team group gets the 删人提醒', async () => {
    const customer = await scanned('赵磊');
    await sandbox.action('delete-staff', { userid: 'zhangwei', customer: customer.externalUserid });
    const v = await until('the alert in the team group', (x) => (x.group?.items.length ?? 0) > 0);
    expect(v.group!.name).toBe('华东销售一组');
    expect(JSON.stringify(v.group!.items)).toContain('赵磊');
    const relation = await app.container.dataSource
      .getRepository(CustomerRelation)
      .findOneByOrFail({ staffUserid: 'zhangwei', customer: { externalUserid: customer.externalUserid! } });
    expect(relation.status).toBe('lost');
    await until('the customer shown as lost', (x) => x.customers.find((c) => c.name === '赵磊')!.owners[0]!.status === 'lost');

    // The alert says the history is kept: 查客户 finds the customer for the salesperson they deleted.
    const typed = await sandbox.action('type', { userid: 'zhangwei', content: '查客户 赵磊' });
    const answered = await until('the profile', (x) => x.chat.some((c) => c.seq > Number(typed.seq) && c.direction === 'out'));
    const card = answered.chat.find((c) => c.seq > Number(typed.seq) && c.direction === 'out')!;
    expect(JSON.stringify(card.card)).toContain('已删除');
    expect(JSON.stringify(card.card)).toContain('原负责人张伟');
  });

  it('pressed again, fire-due does not call a reminder due tomorrow overdue: its check reads the clock and waits for the real time', async () => {
    // what other tests left delayed (their customers' SOP steps) runs first, so that a press here moves only this test's work
    await sandbox.action('fire-due');
    await waitForQuiet(app.container);
    await sandbox.action('type', { userid: 'lina', content: '提醒 明天上午10点 发周报' });
    await until('the reminder set', (x) => x.pendingReminders === 1, 'lina');
    await sandbox.action('fire-due');
    await until('the reminder card', (x) => x.chat.some((c) => c.card?.card_type === 'button_interaction'), 'lina');
    const reminder = await waitFor(
      () => app.container.dataSource.getRepository(Reminder).findOneByOrFail({ staffUserid: 'lina' }),
      (r) => r.status === 'sent',
      10_000,
      'fired',
    );
    await sandbox.action('fire-due');
    // the check ran and planned itself again for two hours after the real due time
    const sop = app.container.queues.get('overdue');
    const again = await waitFor(
      async () => (await sop.getDelayed()).filter((j) => j.name === 'overdue' && j.data.reminderId === reminder.id && j.data.recheck === 1),
      (j) => j.length === 1,
      10_000,
      'the check planned again',
    );
    expect(again[0]!.timestamp + Number(again[0]!.opts.delay)).toBeGreaterThan(reminder.dueAt.getTime());
    const v = await view('lina');
    expect((v.group?.items ?? []).filter((i) => (i.text ?? '').includes('提醒已超时未处理'))).toEqual([]);
  });

  it('帮助 / help / ? are answered in the chat; the trace of a typed message shows its event handled and its reply sent', async () => {
    for (const typed of ['帮助', 'help', '?']) {
      const { seq, msgId } = await sandbox.action('type', { userid: 'lina', content: typed });
      const v = await until(`a reply to ${typed}`, (x) => x.chat.some((c) => c.seq > Number(seq) && c.direction === 'out'), 'lina');
      const reply = v.chat.find((c) => c.seq > Number(seq) && c.direction === 'out')!;
      expect([reply.msgtype, reply.text]).toEqual(['markdown', expect.stringContaining('**记录跟进**')]);
      const trace = await waitFor(
        () => sandbox.trace(String(msgId)),
        (t) => t.event?.status === 'done',
        10_000,
        'the event done',
      );
      expect(trace.replies.map((r) => [r.status, r.errcode])).toEqual([['sent', 0]]);
    }
    expect((await view('lina')).chat.filter((c) => c.msgtype === 'rejected')).toEqual([]);
    expect(await sandbox.trace('123')).toEqual({ event: null, replies: [] });
  });

  it('bad input gets a clear Chinese answer and changes nothing', async () => {
    const refused = async (name: string, params: Record<string, unknown>) => {
      const error = await sandbox.action(name, params).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SandboxClientError);
      return error as SandboxClientError;
    };
    const before = await view();
    expect((await refused('scan', { userid: 'nobody', state: 'x' })).message).toContain('userid not found');
    expect((await refused('scan', { state: 'x' })).message).toContain('请选择销售');
    expect((await refused('type', { userid: 'zhangwei', content: '   ' })).message).toContain('消息不能为空');
    expect((await refused('tag', { userid: 'zhangwei', customer: 'wmNobody', add: ['A类'] })).message).toContain('84061');
    expect((await refused('tag', { userid: 'lina', customer: 'x', add: ['没有这个标签'] })).message).toContain('企业标签里没有「没有这个标签」');
    expect((await refused('click', { userid: 'zhangwei', card: 99999, key: 'done' })).message).toContain('no card #99999');
    const unknown = await refused('teleport', {});
    expect([unknown.status, unknown.message]).toEqual([400, expect.stringContaining('没有这个操作：teleport')]);
    const notJson = await request(app.url).post('/sandbox/api/actions/scan').set('content-type', 'application/json').send('{oops');
    expect([notJson.status, notJson.body.error]).toEqual([400, '请求体不是合法的 JSON']);
    const after = await view();
    expect(after.customers).toEqual(before.customers);
    expect(after.chat).toEqual(before.chat);
  });

  it('the salesperson deletes a customer: their lead hears of it as an app message', async () => {
    const added = await sandbox.action('scan', { userid: 'lina', state: 'expo-2026', name: '赵敏' });
    await until('the customer recorded', (x) => x.customers.some((c) => c.name === '赵敏'), 'lina');
    await sandbox.action('delete-customer', { userid: 'lina', customer: added.customer });
    const lead = await until('the alert to the lead', (x) => x.chat.some((c) => JSON.stringify(c.card ?? '').includes('李娜 删除了客户 赵敏')), 'wangfang');
    expect(lead.chat.filter((c) => JSON.stringify(c.card ?? '').includes('赵敏'))).toHaveLength(1);
  });

  it('an admin renames a member in the directory: change_contact brings the new name to the CRM', async () => {
    const staff = app.container.dataSource.getRepository(Staff);
    const before = await staff.findOneByOrFail({ userid: 'lina' });
    await sandbox.action('rename-staff', { userid: 'lina', name: '李娜娜' });
    const renamed = await waitFor(
      () => staff.findOneByOrFail({ userid: 'lina' }),
      (s) => s.name === '李娜娜',
      15_000,
      'the new name',
    );
    // a rename and nothing else: the same member, still active, in the same team
    expect(renamed).toMatchObject({ id: before.id, wecomUserid: before.wecomUserid, active: true, teamId: before.teamId });
  });

  it('is not there at all when real WeCom credentials are configured', async () => {
    const real = await createTestContainer('sim-real');
    try {
      const http = request(createWebApp(real).callback());
      for (const path of ['/sandbox', '/sandbox/api/view', '/sandbox/cgi-bin/gettoken', '/sandbox/sandbox.js']) expect((await http.get(path)).status).toBe(404);
      expect((await http.post('/sandbox/api/actions/scan').send({ userid: 'zhangwei' })).status).toBe(404);
    } finally {
      await real.close();
    }
  });
});
