import {
  AuditLog,
  Customer,
  CustomerGroup,
  CustomerRelation,
  Handover,
  HandoverCustomer,
  Leaver,
  Opportunity,
  Reminder,
  SopRun,
  Staff,
  Team,
} from '../../entities';
import type { Container } from '../../src/container';
import { LEAVER_SCAN } from '../../src/modules/handover/leaver-scan.job';
import type { FakeWecomWorld } from '../../src/modules/sandbox/fake-wecom/fake-wecom.world';
import { addJob } from '../../src/platform/queue/job-definition';
import { changeContactXml } from '../helpers/capture-callbacks';
import { templateCardEventXml } from '../helpers/card-callbacks';
import { messageText, TEST_TRUST, testWecom, type WecomCall } from '../helpers/fake-wecom';
import { interceptWecom } from '../helpers/fake-wecom.nock';
import { customersOf } from '../helpers/handover-customers';
import { waitForQuiet } from '../helpers/quiet';
import { resetState, waitFor } from '../helpers/test-env';
import { startWebhookHarness, type WebhookHarness } from '../helpers/webhook-harness';
import { externalContactXml, textMessageXml } from '../helpers/wecom-callbacks';

const LEAVER_APIS = [
  'externalcontact/resigned/transfer_customer',
  'externalcontact/resigned/transfer_result',
  'externalcontact/groupchat/transfer',
  'externalcontact/get_unassigned_list',
  'externalcontact/get',
  'user/get',
];
const SENDING_APIS = ['message/send', 'message/update_template_card'];
/** How long a step may take on a busy machine (a wait ends as soon as its fact is true). */
const WAIT = 45_000;

/**
 * 离职继承 end to end: a salesperson leaves (delete_user to the signed webhook, or WeCom's
 * get_unassigned_list), their lead gets one card, clicks it (twice), and the worker's queue hands the
 * customers over through the fake WeCom (nock), which plays the 100-a-call limit, the 24 hours, the
 * customer's refusal and the takeover member's customer limit.
 */
describe('handover after leaving (离职继承)', () => {
  // 250 customers and a thousand callbacks: tens of seconds on MariaDB when the machine is busy.
  jest.setTimeout(120_000);
  let harness: WebhookHarness;
  let container: Container;
  let world: FakeWecomWorld;
  let calls: WecomCall[];
  let msgId = 7_940_000_000_000_000_000n;
  let ids: string[] = [];

  beforeAll(async () => {
    harness = await startWebhookHarness('leaver', { OUTBOUND_PACING_WINDOW_MS: '200', CRM_ADMINS: 'boss' });
    container = harness.container;
  });

  /** The team 一组 (lead 王主管, 张伟, 李娜, 赵六) and `count` customers of 张伟, in the CRM and in the fake. */
  async function seed(count: number): Promise<void> {
    world = testWecom([...TEST_TRUST]);
    world.staff.push(
      { userid: 'zhangwei', name: '张伟' },
      { userid: 'lina', name: '李娜' },
      { userid: 'zhaoliu', name: '赵六' },
      { userid: 'WangLead', name: '王主管' },
    );
    interceptWecom(world, { apis: [...SENDING_APIS, ...LEAVER_APIS] });
    calls = world.calls;
    await resetState(container);
    const db = container.dataSource;
    const team = await db.getRepository(Team).save({ name: '一组', leadUserid: 'wanglead' });
    await db.getRepository(Staff).save([
      { userid: 'wanglead', wecomUserid: 'WangLead', name: '王主管', teamId: team.id },
      { userid: 'zhangwei', wecomUserid: 'zhangwei', name: '张伟', teamId: team.id },
      { userid: 'lina', wecomUserid: 'lina', name: '李娜', teamId: team.id },
      { userid: 'zhaoliu', wecomUserid: 'zhaoliu', name: '赵六', teamId: team.id },
      { userid: 'boss', wecomUserid: 'boss', name: '老板' },
    ]);
    ids = Array.from({ length: count }, (_, i) => `wmLeave${String(i).padStart(4, '0')}`);
    await customersOf(db, world, 'zhangwei', ids);
  }

  afterAll(() => harness.close());

  const sendsTo = (userid: string) => calls.filter((c) => c.api === 'message/send' && c.errcode === undefined && c.body.touser === userid);
  const cardsTo = (userid: string, text: string) => sendsTo(userid).filter((c) => messageText(c.body).includes(text));
  const updates = () => calls.filter((c) => c.api === 'message/update_template_card');
  const leaverCards = () => cardsTo('WangLead', '位客户待分配');

  /** The answer to a typed message (the run's 「已提交…」 may overtake it). */
  async function type(from: string, content: string): Promise<string> {
    const before = sendsTo(from).length;
    await harness.post(textMessageXml({ corpId: container.wecom.corpId, from, content, msgId: String((msgId += 1n)) }));
    const replies = await waitFor(
      async () =>
        sendsTo(from)
          .slice(before)
          .map((c) => messageText(c.body))
          .filter((t) => !t.includes('已提交')),
      (r) => r.length > 0,
      WAIT,
      `the reply to ${content}`,
    );
    return replies[0]!;
  }

  /** A click on the leaver card; the greyed label and the message that follows it. */
  async function tap(from: string, key: string, responseCode: string, selected?: Record<string, string[]>): Promise<{ label: string; reply: string }> {
    const [before, sent] = [updates().length, sendsTo(from).length];
    const taskId = `leave-${key.split(':')[2]}`;
    await harness.post(templateCardEventXml({ corpId: container.wecom.corpId, from, eventKey: key, taskId, responseCode, selected }));
    const all = await waitFor(
      async () => updates(),
      (u) => u.length > before,
      WAIT,
      `the card after ${key}`,
    );
    // The click's own answer (the run's 「已提交…」 may overtake it)
    const replies = await waitFor(
      async () =>
        sendsTo(from)
          .slice(sent)
          .map((c) => messageText(c.body))
          .filter((t) => !t.includes('已提交')),
      (r) => r.length > 0,
      WAIT,
      `the message after ${key}`,
    );
    return { label: String((all[before]!.body.button as { replace_name: string }).replace_name), reply: replies[0]! };
  }

  /** 张伟 leaves: WeCom removes him from the directory and sends delete_user (delivered `times` times). */
  async function leave(times = 1): Promise<Leaver> {
    world.leave('zhangwei');
    const xml = changeContactXml({ corpId: container.wecom.corpId, changeType: 'delete_user', userId: 'zhangwei' });
    for (let i = 0; i < times; i++) await harness.post(xml);
    return waitFor(
      () => container.dataSource.getRepository(Leaver).findOneBy({ userid: 'zhangwei' }),
      (l) => l !== null,
      WAIT,
      'the leaver recorded',
    ) as Promise<Leaver>;
  }

  /** Callbacks as WeCom sends them: a customer's own in order (the delete before the add), eight customers at a time. */
  async function postAll(xmls: Array<Parameters<typeof externalContactXml>[0]>): Promise<void> {
    const byCustomer = new Map<string, typeof xmls>();
    for (const x of xmls) byCustomer.set(x.externalUserId, [...(byCustomer.get(x.externalUserId) ?? []), x]);
    const queue = [...byCustomer.values()];
    const lane = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) for (const x of next) await harness.post(externalContactXml(x));
    };
    await Promise.all(Array.from({ length: 8 }, lane));
  }

  /** Every settled transfer's callbacks, delivered once; returned for a later redelivery. */
  async function deliverSettled(): Promise<Array<Parameters<typeof externalContactXml>[0]>> {
    world.settleTransfers({ all: true });
    const now = Math.floor(Date.now() / 1000);
    const xmls = world.drainTransferEvents().map((e) => ({ corpId: container.wecom.corpId, ...e, createTime: now }));
    await postAll(xmls);
    return xmls;
  }

  const handovers = () => container.dataSource.getRepository(Handover).find({ order: { id: 'ASC' } });
  const rowsBy = (status: string) => container.dataSource.getRepository(HandoverCustomer).countBy({ status: status as never });
  const settledAll = () =>
    waitFor(
      async () => (await handovers()).map((h) => h.status),
      (st) => st.length > 0 && st.every((s) => s === 'settled'),
      WAIT,
      'every handover settled',
    );

  it('a leaver’s 250 customers go to one teammate in three calls, with their group, reminders moved once, whatever is clicked or redelivered twice', async () => {
    await seed(250);
    const db = container.dataSource;
    const [c0, c1] = await db.getRepository(Customer).find({ order: { id: 'ASC' }, take: 2 });
    // 客户1 is the most valuable (an open opportunity): first on the card.
    await db.getRepository(Opportunity).save({ customerId: c1!.id, staffUserid: 'zhangwei', amount: 80_000, probability: 50 });
    const later = await db
      .getRepository(Reminder)
      .save({ staffUserid: 'zhangwei', customerId: c0!.id, content: '回访 客户0', dueAt: new Date(Date.now() + 3 * 86_400_000) });
    const due = await db.getRepository(Reminder).save({ staffUserid: 'zhangwei', customerId: c1!.id, content: '发报价', dueAt: new Date(Date.now() - 1000) });
    world.groupChats.set('wrGroup1', { chat_id: 'wrGroup1', name: '客户群一', owner: 'zhangwei', create_time: 0, member_list: [] });
    await db.getRepository(CustomerGroup).save({ chatId: 'wrGroup1', name: '客户群一', ownerUserid: 'zhangwei' });

    const leaver = await leave(2);
    await waitFor(
      async () => leaverCards(),
      (c) => c.length > 0,
      WAIT,
      'the leaver card',
    );
    const card = leaverCards()[0]!.body.template_card as Record<string, any>;
    expect(card.main_title.title).toContain('250 位客户待分配');
    expect(card.sub_title_text.split('\n')[0]).toContain('客户1 ¥8万');
    expect(card.button_selection.option_list.map((o: { id: string }) => o.id)).toEqual(['lina', 'zhaoliu', 'wanglead']);

    // Until someone takes over, 张伟's reminder goes to the lead, saying whose it is.
    await container.reminderScheduler.schedule(due.id, due.dueAt);
    const relayed = await waitFor(
      async () => cardsTo('WangLead', '代收'),
      (c) => c.length > 0,
      WAIT,
      'the reminder at the lead',
    );
    expect(messageText(relayed[0]!.body)).toContain('张伟（已离职）的提醒');
    expect(sendsTo('zhangwei')).toHaveLength(0);

    const one = `leave:one:${leaver.id}`;
    expect(await tap('WangLead', one, 'RC-1', { leave_to: ['lina'] })).toMatchObject({
      label: '已分配',
      reply: expect.stringContaining('250 位客户交给 李娜 250 位'),
    });
    const second = await tap('WangLead', `leave:even:${leaver.id}`, 'RC-2');
    expect(second).toMatchObject({ label: '已分配，无需重复', reply: expect.stringContaining('已由 王主管 分配给 李娜 250 位') });
    const transfers = () => calls.filter((c) => c.api === 'externalcontact/resigned/transfer_customer');
    await waitFor(
      async () => transfers().length,
      (n) => n >= 3,
      WAIT,
      'three transfer calls',
    );
    expect(transfers().map((c) => (c.body.external_userid as string[]).length)).toEqual([100, 100, 50]);
    expect(transfers().every((c) => c.body.handover_userid === 'zhangwei' && c.body.takeover_userid === 'lina' && c.errcode === undefined)).toBe(true);
    expect(calls.filter((c) => c.api === 'externalcontact/groupchat/transfer').map((c) => c.body)).toEqual([{ chat_id_list: ['wrGroup1'], new_owner: 'lina' }]);
    expect(world.groupChats.get('wrGroup1')!.owner).toBe('lina');
    expect(await db.getRepository(CustomerGroup).findOneByOrFail({ chatId: 'wrGroup1' })).toMatchObject({ ownerUserid: 'lina' });
    expect(await handovers()).toHaveLength(1);

    await waitFor(
      async () => rowsBy('waiting'),
      (n) => n === 250,
      WAIT,
      'all waiting',
    );
    const events = await deliverSettled();
    await settledAll();
    expect(await rowsBy('done')).toBe(250);
    // Moved once: the open reminder is 李娜's now; the one already sent too, and 张伟's relations ended by the transfer.
    expect((await db.getRepository(Reminder).findOneByOrFail({ id: later.id })).staffUserid).toBe('lina');
    expect((await db.getRepository(Opportunity).findOneByOrFail({ customerId: c1!.id })).staffUserid).toBe('lina');
    expect(await db.getRepository(CustomerRelation).countBy({ staffUserid: 'zhangwei', status: 'active' })).toBe(0);
    // 李娜's relations come with WeCom's add events, handled on their own
    await waitFor(
      () => db.getRepository(CustomerRelation).countBy({ staffUserid: 'lina', status: 'active' }),
      (n) => n === 250,
      WAIT,
      '李娜 following all 250',
    );
    // WeCom's add events for 李娜 are no new customers: no onboarding SOP starts again.
    expect(await db.getRepository(SopRun).countBy({ staffUserid: 'lina' })).toBe(0);
    const digest = await waitFor(
      async () => cardsTo('lina', '交给你了'),
      (c) => c.length > 0,
      WAIT,
      'the new owner’s digest',
    );
    expect(messageText(digest[0]!.body)).toContain('250 位客户交给你了');
    await waitFor(
      async () => cardsTo('WangLead', '已有结果'),
      (c) => c.length > 0,
      WAIT,
      'the outcome card',
    );

    // Every callback again, a redelivery at a later time (the delete_user and the transfers' deletes and adds): nothing changes twice.
    await waitForQuiet(container);
    const snapshot = async () => ({
      moved: await db.getRepository(AuditLog).countBy({ action: 'handover.moved' }),
      lead: sendsTo('WangLead').length,
      lina: sendsTo('lina').length,
      transfers: transfers().length,
      groups: calls.filter((c) => c.api === 'externalcontact/groupchat/transfer').length,
      handovers: (await handovers()).length,
    });
    const before = await snapshot();
    expect(before.moved).toBe(250);
    await harness.post(changeContactXml({ corpId: container.wecom.corpId, changeType: 'delete_user', userId: 'zhangwei' }));
    await postAll(events.map((x) => ({ ...x, createTime: x.createTime! + 10 })));
    await waitForQuiet(container);
    expect(await snapshot()).toEqual(before);
    expect(leaverCards()).toHaveLength(1);
  });

  it('平均分给团队 splits the customers; a refusal and a takeover at its limit leave them with the leaver, their reminders still at the lead, and the lead is told', async () => {
    await seed(6);
    const db = container.dataSource;
    const customers = await db.getRepository(Customer).find({ order: { id: 'ASC' } });
    // 赵六 is at WeCom's customer limit already (he holds none here, so a limit of 0).
    world.customerLimits.set('zhaoliu', 0);
    const kept = await db
      .getRepository(Reminder)
      .save({ staffUserid: 'zhangwei', customerId: customers[0]!.id, content: '回访', dueAt: new Date(Date.now() + 86_400_000) });
    const leaver = await leave();
    await waitFor(
      async () => leaverCards(),
      (c) => c.length > 0,
      WAIT,
      'the leaver card',
    );

    const { reply } = await tap('WangLead', `leave:even:${leaver.id}`, 'RC-3');
    expect(reply).toContain('李娜 3 位、赵六 3 位');
    await waitFor(
      async () => rowsBy('waiting'),
      (n) => n === 6,
      WAIT,
      'all waiting',
    );
    const toLina = (await db.getRepository(HandoverCustomer).find({ relations: { handover: true }, order: { id: 'ASC' } })).filter(
      (r) => r.handover.toUserid === 'lina',
    );
    expect(toLina.map((r) => r.customerId)).toEqual([customers[0]!.id, customers[2]!.id, customers[4]!.id]);
    world.refuseTransfer(ids[0]!);
    await deliverSettled();
    await settledAll();
    expect(await rowsBy('refused')).toBe(1);
    expect(await rowsBy('limit')).toBe(3);
    expect(await rowsBy('done')).toBe(2);
    // The refused customer stays with 张伟: the reminder too, and it still reaches the lead when due.
    expect((await db.getRepository(Reminder).findOneByOrFail({ id: kept.id })).staffUserid).toBe('zhangwei');
    expect(await db.getRepository(CustomerRelation).countBy({ customerId: customers[0]!.id, staffUserid: 'zhangwei', status: 'active' })).toBe(1);
    await db.getRepository(Reminder).update({ id: kept.id }, { dueAt: new Date(Date.now() - 1000) });
    await container.reminderScheduler.schedule(kept.id, new Date(Date.now() - 1000));
    await waitFor(
      async () => cardsTo('WangLead', '代收'),
      (c) => c.length > 0,
      WAIT,
      'the kept reminder at the lead',
    );
    const outcomes = await waitFor(
      async () => cardsTo('WangLead', '已有结果'),
      (c) => c.length >= 2,
      WAIT,
      'one outcome card per new owner',
    );
    const text = outcomes.map((o) => messageText(o.body)).join('');
    expect(text).toContain('客户0（客户拒绝了转接）');
    expect(text).toContain('接替成员的客户数已达上限');
    // 李娜's two customers arrive as a card each (five or fewer).
    await waitFor(
      async () => cardsTo('lina', '交给你了').length,
      (n) => n >= 2,
      WAIT,
      '李娜’s two cards',
    );
    await waitForQuiet(container);
    expect(cardsTo('lina', '交给你了')).toHaveLength(2);
    expect(text).toContain('再分配');

    // What WeCom left with 张伟 is handed on by a second decision, once; the moved ones are not asked again.
    expect(await type('WangLead', '离职继承 张伟 给 李娜')).toContain('4 位客户交给 李娜 4 位');
    expect(await type('WangLead', '离职继承 张伟 平均分配')).toContain('不用再分配');
    await waitFor(
      async () => rowsBy('waiting'),
      (n) => n === 4,
      WAIT,
      'the rest waiting',
    );
    await deliverSettled();
    await settledAll();
    expect(await db.getRepository(CustomerRelation).countBy({ staffUserid: 'zhangwei', status: 'active' })).toBe(0);
    expect((await db.getRepository(Reminder).findOneByOrFail({ id: kept.id })).staffUserid).toBe('lina');
    expect(await handovers()).toHaveLength(3);
  });

  it('someone who is not a lead is told who can, by command and on a forwarded card', async () => {
    await seed(2);
    const leaver = await leave();
    expect(await type('lina', '离职继承 张伟 给 李娜')).toContain('管理员 老板');
    expect(await tap('lina', `leave:even:${leaver.id}`, 'RC-4')).toMatchObject({
      label: '只有主管或管理员可分配',
      reply: expect.stringContaining('你的主管 王主管'),
    });
    expect(await container.dataSource.getRepository(Handover).count()).toBe(0);
    // The lead's command works; an admin's second one is told it was done.
    expect(await type('WangLead', '离职继承 张伟 给 赵六')).toContain('2 位客户交给 赵六 2 位');
    expect(await type('boss', '离职继承 张伟 平均分配')).toContain('已由 王主管 分配给 赵六 2 位');
    expect(await type('WangLead', '离职继承 李娜 平均分配')).toContain('李娜 还在企业微信里');
  });

  it('WeCom’s unassigned list finds a leaver nobody told us of, once', async () => {
    await seed(3);
    world.leave('zhangwei');
    for (let i = 0; i < 2; i++) await addJob(container.queues, LEAVER_SCAN, {}, { jobId: `scan-${i}` });
    await waitFor(
      async () => leaverCards(),
      (c) => c.length > 0,
      WAIT,
      'the leaver card',
    );
    await waitForQuiet(container);
    expect(leaverCards()).toHaveLength(1);
    expect(messageText(leaverCards()[0]!.body)).toContain('3 位客户待分配');
    expect(await container.dataSource.getRepository(Staff).findOneByOrFail({ userid: 'zhangwei' })).toMatchObject({ active: false });
    expect(await container.dataSource.getRepository(Leaver).findOneByOrFail({ userid: 'zhangwei' })).toMatchObject({
      source: 'unassigned',
      standInUserid: 'wanglead',
    });
  });
});
