import { AuditLog, Customer, CustomerRelation, Handover, HandoverCustomer, Opportunity, Reminder, SopRun, Staff, Team } from '../../entities';
import type { Container } from '../../src/container';
import type { FakeWecomWorld } from '../../src/modules/sandbox/fake-wecom/fake-wecom.world';
import { DigestQueries } from '../../src/modules/digests/digest-queries.service';
import { dayWindow } from '../../src/modules/digests/digest-window';
import { handoverRuns } from '../../src/modules/handover/handover-run.job';
import { promoteDelayedJobs } from '../../src/platform/queue/queues';
import { templateCardEventXml } from '../helpers/card-callbacks';
import { messageText, TEST_TRUST, testWecom, type WecomCall } from '../helpers/fake-wecom';
import { interceptWecom } from '../helpers/fake-wecom.nock';
import { customersOf } from '../helpers/handover-customers';
import { waitForQuiet } from '../helpers/quiet';
import { resetState, waitFor } from '../helpers/test-env';
import { startWebhookHarness, type WebhookHarness } from '../helpers/webhook-harness';
import { externalContactXml, textMessageXml } from '../helpers/wecom-callbacks';

const HANDOVER_APIS = ['externalcontact/transfer_customer', 'externalcontact/transfer_result', 'externalcontact/get', 'user/get'];
const SENDING_APIS = ['message/send', 'message/update_template_card'];

/**
 * 在职转接 end to end: typed to the signed webhook, confirmed on the card, submitted and polled by the
 * worker's queue against the fake WeCom (nock), which plays WeCom's 100-a-call limit, the 24-hour
 * wait and the customer's refusal.
 */
describe('handover while employed (在职转接)', () => {
  let harness: WebhookHarness;
  let container: Container;
  let world: FakeWecomWorld;
  let calls: WecomCall[];
  let msgId = 7_930_000_000_000_000_000n;
  const ids = Array.from({ length: 250 }, (_, i) => `wmHand${String(i).padStart(4, '0')}`);

  beforeAll(async () => {
    harness = await startWebhookHarness('handover', { OUTBOUND_PACING_WINDOW_MS: '200', CRM_ADMINS: 'boss' });
    container = harness.container;
  });

  beforeEach(async () => {
    world = testWecom([...TEST_TRUST]);
    world.staff.push({ userid: 'zhangwei', name: '张伟' }, { userid: 'lina', name: '李娜' });
    interceptWecom(world, { apis: [...SENDING_APIS, ...HANDOVER_APIS] });
    calls = world.calls;
    await resetState(container);
    const db = container.dataSource;
    const team = await db.getRepository(Team).save({ name: '一组', leadUserid: 'wanglead' });
    await db.getRepository(Staff).save([
      { userid: 'wanglead', wecomUserid: 'WangLead', name: '王主管', teamId: team.id },
      { userid: 'zhangwei', wecomUserid: 'zhangwei', name: '张伟', teamId: team.id },
      { userid: 'lina', wecomUserid: 'lina', name: '李娜', teamId: team.id },
      { userid: 'outsider', wecomUserid: 'outsider', name: '路人' },
      { userid: 'boss', wecomUserid: 'boss', name: '老板' },
    ]);
    await customersOf(db, world, 'zhangwei', ids);
  });

  afterAll(() => harness.close());

  const sendsTo = (userid: string) => calls.filter((c) => c.api === 'message/send' && c.errcode === undefined && c.body.touser === userid);
  const updates = () => calls.filter((c) => c.api === 'message/update_template_card');

  async function type(from: string, content: string): Promise<Record<string, any>> {
    const before = sendsTo(from).length;
    await harness.post(textMessageXml({ corpId: container.wecom.corpId, from, content, msgId: String((msgId += 1n)) }));
    const all = await waitFor(
      async () => sendsTo(from),
      (s) => s.length > before,
      15_000,
      `the reply to ${content}`,
    );
    return all[before]!.body;
  }

  async function tap(from: string, key: string, taskId: string, responseCode: string): Promise<string> {
    const before = updates().length;
    await harness.post(templateCardEventXml({ corpId: container.wecom.corpId, from, eventKey: key, taskId, responseCode }));
    const all = await waitFor(
      async () => updates(),
      (u) => u.length > before,
      15_000,
      `the card after ${key}`,
    );
    return String((all[before]!.body.button as { replace_name: string }).replace_name);
  }

  const handover = () => container.dataSource.getRepository(Handover).findOneByOrFail({});
  /** The next poll, once the run before it has queued it: brought forward as the sandbox's fire-due would. */
  async function pollNow(): Promise<void> {
    const queue = container.queues.get('maintenance');
    await waitFor(
      async () => (await queue.getDelayed()).filter((j) => j.name === 'handover-run').length,
      (n) => n > 0,
      15_000,
      'the next poll queued',
    );
    await promoteDelayedJobs(queue);
  }
  const rowsBy = async (status: string) => container.dataSource.getRepository(HandoverCustomer).countBy({ status: status as never });

  it('tells someone who may not hand over who can', async () => {
    const reply = messageText(await type('outsider', '转接 全部 给 李娜'));
    expect(reply).toContain('管理员 老板');
    expect(await container.dataSource.getRepository(Handover).count()).toBe(0);
  });

  it('two customers of one name in the team: the numbered list, and the number picks which one moves', async () => {
    const db = container.dataSource;
    const team = await db.getRepository(Team).findOneByOrFail({ name: '一组' });
    await db.getRepository(Staff).save({ userid: 'zhaoliu', wecomUserid: 'zhaoliu', name: '赵六', teamId: team.id });
    const [a, b] = await db.getRepository(Customer).save([
      { externalUserid: 'wmWangLei1', name: '王磊' },
      { externalUserid: 'wmWangLei2', name: '王磊' },
    ]);
    await db.getRepository(CustomerRelation).save([
      { customerId: a!.id, staffUserid: 'zhangwei', addedAt: new Date('2026-11-03T02:00:00Z') },
      { customerId: b!.id, staffUserid: 'zhaoliu', addedAt: new Date('2026-11-20T02:00:00Z') },
    ]);
    const list = messageText(await type('WangLead', '转接 王磊 给 李娜'));
    expect(list).toContain('找到2位「王磊」，回复数字选择');
    expect(list).toContain('1. 王磊 · 赵六的客户 · 直接添加 · 11月20日添加');
    expect(list).toContain('2. 王磊 · 张伟的客户 · 直接添加 · 11月3日添加');
    expect(await db.getRepository(Handover).count()).toBe(0);

    const card = (await type('WangLead', '1')).template_card;
    expect(card.main_title.title).toContain('1 位客户');
    expect(JSON.stringify(card)).toContain('赵六 1 位');
    expect(await db.getRepository(HandoverCustomer).find()).toEqual([expect.objectContaining({ customerId: b!.id, fromUserid: 'zhaoliu' })]);

    // two names, one of them ambiguous: which ones there are, and how to pick one
    const two = messageText(await type('WangLead', '转接 王磊、客户1 给 李娜'));
    expect(two).toContain('王磊（张伟的）、王磊（赵六的）');
    expect(two).toContain('单独转接这一位');
  });

  it('moves 250 customers in three calls, acts once on a button clicked twice, and tells the lead how it ended', async () => {
    const card = (await type('WangLead', '转接 张伟的全部客户 给 李娜')).template_card;
    expect(card.main_title.title).toContain('250 位客户');
    expect(JSON.stringify(card)).toContain('张伟 250 位');
    const [ok] = card.button_list as Array<{ key: string }>;

    expect(await tap('WangLead', ok!.key, card.task_id, 'RC-1')).toBe('已确认转接');
    expect(await tap('WangLead', ok!.key, card.task_id, 'RC-2')).toBe('已确认，无需重复操作');
    const started = await waitFor(
      async () => sendsTo('WangLead'),
      (s) => s.length >= 2,
      15_000,
      'the lead told what started',
    );
    expect(messageText(started[1]!.body)).toContain('已提交 250 位客户转给 李娜');
    const transfers = calls.filter((c) => c.api === 'externalcontact/transfer_customer');
    expect(transfers.map((c) => (c.body.external_userid as string[]).length)).toEqual([100, 100, 50]);
    expect(transfers.every((c) => c.errcode === undefined && String(c.body.transfer_success_msg).includes('李娜'))).toBe(true);
    expect(await rowsBy('waiting')).toBe(250);

    // A poll before the 24 hours are up changes nothing; then one customer refuses, another meets the limit.
    await pollNow();
    await waitFor(
      async () => calls.filter((c) => c.api === 'externalcontact/transfer_result').length,
      (n) => n >= 2,
      15_000,
      'the second poll',
    );
    expect(await rowsBy('waiting')).toBe(250);
    world.refuseTransfer(ids[0]!);
    world.settleTransfers({ all: true });

    await pollNow();
    await waitFor(
      async () => (await handover()).status,
      (s) => s === 'settled',
      15_000,
      'the handover settled',
    );
    expect(await rowsBy('done')).toBe(249);
    expect(await rowsBy('refused')).toBe(1);
    const result = await waitFor(
      async () => sendsTo('WangLead'),
      (s) => s.length >= 3,
      15_000,
      'the outcome card',
    );
    const outcome = messageText(result[2]!.body);
    expect(outcome).toContain('249 位');
    expect(outcome).toContain('客户0（客户拒绝了转接）');

    // A repeated poll (a retried job) finds nothing waiting and tells nobody again.
    const polled = calls.filter((c) => c.api === 'externalcontact/transfer_result').length;
    await handoverRuns(container.queues).schedule((await handover()).id, 0);
    await waitForQuiet(container);
    expect(calls.filter((c) => c.api === 'externalcontact/transfer_result').length).toBe(polled);
    expect(sendsTo('WangLead')).toHaveLength(3);
  });

  it('says in Chinese why WeCom would not start a customer’s transfer', async () => {
    world.faults.add({
      apis: ['externalcontact/transfer_customer'],
      answer: (call) => ({
        errcode: 0,
        errmsg: 'ok',
        customer: (call.body.external_userid as string[]).map((id, i) => ({ external_userid: id, errcode: i === 0 ? 40128 : 0 })),
      }),
      times: 1,
    });
    const card = (await type('WangLead', '转接 客户0 给 李娜')).template_card;
    expect(card.main_title.title).toContain('1 位客户');
    await tap('WangLead', (card.button_list as Array<{ key: string }>)[0]!.key, card.task_id, 'RC-3');
    const told = await waitFor(
      async () => sendsTo('WangLead'),
      (s) => s.length >= 2,
      15_000,
      'the lead told',
    );
    expect(messageText(told[1]!.body)).toContain('90 天内已转接过两次');
    const outcome = await waitFor(
      async () => sendsTo('WangLead'),
      (all) => all.length >= 3,
      15_000,
      'the outcome card',
    );
    expect(messageText(outcome[2]!.body)).toContain('未能提交');
  });

  it('moves open work exactly once, by WeCom’s delete-by-transfer or by the poll, redelivered or repeated, and leaves a refused customer’s', async () => {
    const db = container.dataSource;
    const [c0, c1, c2] = await db.getRepository(Customer).find({ order: { id: 'ASC' }, take: 3 });
    const dueAt = new Date(Date.now() + 3 * 86_400_000);
    for (const c of [c0!, c1!, c2!]) {
      await db.getRepository(Reminder).save({ staffUserid: 'zhangwei', customerId: c.id, content: `回访 ${c.name}`, dueAt });
      await db.getRepository(Opportunity).save({ customerId: c.id, staffUserid: 'zhangwei', amount: 12_345.67, probability: 60 });
      await db.getRepository(SopRun).save({
        sopName: '新客户',
        customerId: c.id,
        staffUserid: 'zhangwei',
        triggerType: 'customer_added',
        runKey: `run-${c.id}`,
        status: 'active',
        startedAt: new Date(),
      });
    }
    const card = (await type('WangLead', '转接 客户0、客户1、客户2 给 李娜')).template_card;
    expect(JSON.stringify(card)).toContain('3 个');
    await tap('WangLead', (card.button_list as Array<{ key: string }>)[0]!.key, card.task_id, 'RC-4');
    await waitFor(
      async () => rowsBy('waiting'),
      (n) => n === 3,
      15_000,
      'three customers waiting',
    );

    world.refuseTransfer(ids[0]!);
    world.settleTransfers({ all: true });
    const events = world.drainTransferEvents();
    // WeCom's callbacks for 客户0 (refused) and 客户1 (taken over), each delivered twice, the second a redelivery at a later time.
    const now = Math.floor(Date.now() / 1000);
    for (const createTime of [now, now, now + 5]) {
      for (const e of events.filter((e) => e.externalUserId !== ids[2])) {
        await harness.post(externalContactXml({ corpId: container.wecom.corpId, ...e, createTime }));
      }
    }
    // The events' run reads transfer_result too: 客户2, whose events never arrive, is found taken over there. Then a repeated poll.
    await waitFor(
      async () => (await handover()).status,
      (st) => st === 'settled',
      15_000,
      'the handover settled',
    );
    expect(await rowsBy('refused')).toBe(1);
    await handoverRuns(container.queues).schedule((await handover()).id, 0);
    await waitForQuiet(container);
    // 李娜 follows 客户1 now (WeCom's add event for her), and a customer handed over is not her new customer in 报表 or the digests
    const lina = await db.getRepository(CustomerRelation).findBy({ staffUserid: 'lina', status: 'active' });
    expect(lina.length).toBeGreaterThanOrEqual(1);
    const figures = await new DigestQueries(db).perStaff(dayWindow(new Date(), container.config.timezone, 7), ['lina']);
    expect(figures.get('lina')?.newCustomers ?? 0).toBe(0);

    const ownerOf = async (customerId: number) => ({
      reminder: (await db.getRepository(Reminder).findOneByOrFail({ customerId })).staffUserid,
      opportunity: await db.getRepository(Opportunity).findOneByOrFail({ customerId }),
      sop: (await db.getRepository(SopRun).findOneByOrFail({ customerId })).staffUserid,
    });
    expect(await ownerOf(c0!.id)).toMatchObject({ reminder: 'zhangwei', sop: 'zhangwei', opportunity: { staffUserid: 'zhangwei' } });
    for (const c of [c1!, c2!]) {
      expect(await ownerOf(c.id)).toMatchObject({
        reminder: 'lina',
        sop: 'lina',
        opportunity: { staffUserid: 'lina', amount: 12_345.67, probability: 60, status: 'open' },
      });
    }
    const moved = await db.getRepository(AuditLog).findBy({ action: 'handover.moved' });
    expect(moved.map((a) => [a.targetId, a.detail])).toEqual(
      expect.arrayContaining([
        [String(c1!.id), expect.objectContaining({ from: 'zhangwei', to: 'lina', reminders: 1, sopRuns: 1, opportunities: 1 })],
        [String(c2!.id), expect.objectContaining({ from: 'zhangwei', to: 'lina', reminders: 1, sopRuns: 1, opportunities: 1 })],
      ]),
    );
    expect(moved).toHaveLength(2);
    // The history stays: 张伟's relation with 客户1 ended by transfer, 李娜 follows now.
    expect(await db.getRepository(CustomerRelation).findOneByOrFail({ customerId: c1!.id, staffUserid: 'zhangwei' })).toMatchObject({ status: 'transferred' });
    expect(await db.getRepository(CustomerRelation).findOneByOrFail({ customerId: c1!.id, staffUserid: 'lina' })).toMatchObject({ status: 'active' });
    // The lead hears of the refusal from capture's alert and of the whole from the outcome card.
    const outcome = messageText(sendsTo('WangLead').find((c) => messageText(c.body).includes('已有结果'))!.body);
    expect(outcome).toContain('"2 位"');
    expect(outcome).toContain('客户0（客户拒绝了转接）');
  });
});
