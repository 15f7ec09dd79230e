import { AuditLog, Customer, CustomerRelation, InboundEvent, Reminder, Staff } from '../../entities';
import type { Container } from '../../src/container';
import dayjs from '../../src/platform/dayjs';
import { reminderJobId } from '../../src/modules/reminders/reminder.scheduler';
import { CUSTOMER_NOT_VISIBLE } from '../../templates/who-sees';
import { templateCardEventXml } from '../helpers/card-callbacks';
import { fakeWecom, type WecomCall } from '../helpers/fake-wecom';
import { waitForQuiet } from '../helpers/quiet';
import { testClock } from '../helpers/test-clock';
import { resetState, waitFor } from '../helpers/test-env';
import { startWebhookHarness, type WebhookHarness } from '../helpers/webhook-harness';
import { textMessageXml } from '../helpers/wecom-callbacks';

const TZ = 'Asia/Shanghai';
/** The handlers' clock: a few days ahead of the real one, so a snoozed job is delayed on the real clock. */
const NOW = dayjs().tz(TZ).startOf('day').add(3, 'day').hour(15).toDate();

/**
 * Interactive reminder cards end to end: the reminder fires through the real queue as a
 * button_interaction card, the click comes back as a signed template_card_event through the
 * webhook, the worker acts and updates the card with message/update_template_card (nock).
 */
describe('interactive reminder cards', () => {
  const clock = testClock(NOW);
  let container: Container;
  let harness: WebhookHarness;
  let calls: WecomCall[];
  let customer: Customer;

  beforeAll(async () => {
    harness = await startWebhookHarness('cards', { OUTBOUND_PACING_WINDOW_MS: '200' }, clock.date);
    container = harness.container;
  });

  beforeEach(async () => {
    clock.set(NOW);
    calls = fakeWecom();
    await resetState(container);
    await container.dataSource.getRepository(Staff).save({ userid: 'zhangsan', wecomUserid: 'ZhangSan', name: '张三销售' });
    customer = await container.dataSource.getRepository(Customer).save({ name: '王老板', externalUserid: 'wmBoss' });
    await container.dataSource
      .getRepository(CustomerRelation)
      .save({ customerId: customer.id, staffUserid: 'zhangsan', addedAt: new Date('2026-10-01T02:00:00Z') });
  });

  afterAll(() => harness.close());

  const sends = () => calls.filter((c) => c.api === 'message/send');
  const updates = () => calls.filter((c) => c.api === 'message/update_template_card');
  const reminderRow = (id: number) => container.dataSource.getRepository(Reminder).findOneByOrFail({ id });

  /** A reminder due now, fired by the real queue; returns it and the card that went out. */
  async function firedReminder(content = '回访报价'): Promise<{ reminder: Reminder; card: Record<string, unknown> }> {
    const { reminder } = await container.services.reminders.create({
      staffUserid: 'zhangsan',
      customerId: customer.id,
      content,
      dueAt: clock.date(),
      sourceKey: `test:${content}:${Math.random()}`,
    });
    await container.services.reminders.scheduleJob(reminder);
    const sent = await waitFor(
      async () => sends(),
      (s) => s.length > 0,
      15_000,
      'the reminder card',
    );
    await waitFor(
      () => reminderRow(reminder.id),
      (r) => r.status === 'sent',
      5000,
      'the reminder marked sent',
    );
    return { reminder, card: sent[0]!.body.template_card as Record<string, unknown> };
  }

  async function click(
    eventKey: string,
    taskId: string,
    responseCode: string,
    options: { times?: number; selected?: Record<string, string[]> } = {},
  ): Promise<void> {
    const xml = templateCardEventXml({
      corpId: container.wecom.corpId,
      from: 'ZhangSan',
      eventKey,
      taskId,
      responseCode,
      createTime: 1_790_000_000,
      selected: options.selected,
    });
    for (let i = 0; i < (options.times ?? 1); i++) await harness.post(xml);
  }

  const settled = () =>
    waitFor(
      () => container.dataSource.getRepository(InboundEvent).find(),
      (rows) => rows.length > 0 && rows.every((r) => r.status === 'done'),
      15_000,
      'the click processed',
    );

  it('a fired reminder is a button_interaction card with 完成 / 推迟1小时 / 明天再提醒 / 查看客户', async () => {
    const { reminder, card } = await firedReminder();
    expect(card.card_type).toBe('button_interaction');
    expect(card.task_id).toBe(`rem-${reminder.id}-${(await reminderRow(reminder.id)).dueAt.getTime()}`);
    expect((card.button_list as Array<{ text: string; key: string }>).map((b) => [b.text, b.key])).toEqual([
      ['完成', `rem:done:${reminder.id}`],
      ['推迟1小时', `rem:snooze1h:${reminder.id}`],
      ['明天再提醒', `rem:tomorrow:${reminder.id}`],
      ['查看客户', `rem:customer:${reminder.id}`],
    ]);
    expect(sends()[0]!.body.touser).toBe('zhangsan');
  });

  it('完成 marks the reminder done and updates the card exactly once, even when the click is delivered twice', async () => {
    const { reminder, card } = await firedReminder();
    await click(`rem:done:${reminder.id}`, String(card.task_id), 'RC-done-1', { times: 2 });
    await waitFor(
      async () => updates(),
      (u) => u.length >= 1,
      15_000,
      'the card update',
    );
    await settled();
    await waitForQuiet(container);

    expect(updates()).toHaveLength(1);
    const body = updates()[0]!.body as { response_code: string; userids: string[]; template_card: Record<string, unknown> };
    expect(body.response_code).toBe('RC-done-1');
    expect(body.userids).toEqual(['ZhangSan']);
    expect(body.template_card).toMatchObject({ card_type: 'button_interaction', task_id: card.task_id, replace_text: '✅ 已完成' });
    const done = await reminderRow(reminder.id);
    expect(done.status).toBe('done');
    expect(done.doneAt?.toISOString()).toBe(NOW.toISOString());
    expect(await container.dataSource.getRepository(AuditLog).countBy({ action: 'reminder.card_click' })).toBe(1);

    // A later click on the same card (a new ResponseCode): said so, nothing done twice.
    await click(`rem:done:${reminder.id}`, String(card.task_id), 'RC-done-2');
    await waitFor(
      async () => updates(),
      (u) => u.length === 2,
      15_000,
      'the second card update',
    );
    expect(updates()[1]!.body).toMatchObject({ response_code: 'RC-done-2', template_card: { replace_text: '已完成，无需重复操作' } });
    expect((await reminderRow(reminder.id)).doneAt?.toISOString()).toBe(NOW.toISOString());
  });

  it('推迟1小时 reschedules the delayed job an hour later and greys the card with the new time', async () => {
    const { reminder, card } = await firedReminder();
    await click(`rem:snooze1h:${reminder.id}`, String(card.task_id), 'RC-snooze');
    await waitFor(
      async () => updates(),
      (u) => u.length === 1,
      15_000,
      'the card update',
    );

    const snoozed = await reminderRow(reminder.id);
    const expected = NOW.getTime() + 3600_000;
    expect(snoozed).toMatchObject({ status: 'pending', snoozeCount: 1 });
    expect(snoozed.dueAt.getTime()).toBe(expected);
    const job = await container.queues.get('reminders').getJob(reminderJobId(reminder.id));
    expect(job).not.toBeNull();
    expect(await job!.isDelayed()).toBe(true);
    // delayed by an hour on the handlers' clock (Bull waits on the real one)
    expect(Math.abs(Number(job!.opts.delay) - 3600_000)).toBeLessThan(1000);
    expect(JSON.stringify(updates()[0]!.body)).toContain(`已推迟到 ${dayjs(expected).tz(TZ).format('M月D日')}`);
  });

  it('明天再提醒 moves it to 09:00 tomorrow in the CRM time zone', async () => {
    const { reminder, card } = await firedReminder();
    await click(`rem:tomorrow:${reminder.id}`, String(card.task_id), 'RC-tomorrow');
    await waitFor(
      async () => updates(),
      (u) => u.length === 1,
      15_000,
      'the card update',
    );
    const snoozed = await reminderRow(reminder.id);
    expect(dayjs(snoozed.dueAt).tz(TZ).format('YYYY-MM-DD HH:mm')).toBe(dayjs(NOW).tz(TZ).add(1, 'day').format('YYYY-MM-DD 09:00'));
    expect(await container.queues.get('reminders').getJob(reminderJobId(reminder.id))).not.toBeNull();
  });

  it('查看客户 sends the profile card and leaves the reminder open', async () => {
    const { reminder, card } = await firedReminder();
    await click(`rem:customer:${reminder.id}`, String(card.task_id), 'RC-view');
    const all = await waitFor(
      async () => sends(),
      (s) => s.length === 2,
      15_000,
      'the profile card',
    );
    expect(JSON.stringify(all[1]!.body)).toContain('客户档案');
    expect(JSON.stringify(all[1]!.body)).toContain('王老板');
    expect((await reminderRow(reminder.id)).status).toBe('sent');
    expect(updates()).toHaveLength(0);
  });

  it('查看客户 of a customer who has gone to a colleague since says who can see them, and shows nothing of them', async () => {
    const { reminder, card } = await firedReminder();
    await container.dataSource.getRepository(CustomerRelation).update({ customerId: customer.id }, { staffUserid: 'lisi' });
    await click(`rem:customer:${reminder.id}`, String(card.task_id), 'RC-gone');
    const all = await waitFor(
      async () => sends(),
      (s) => s.length === 2,
      15_000,
      'the answer to the click',
    );
    expect(JSON.stringify(all[1]!.body)).toContain(CUSTOMER_NOT_VISIBLE);
    expect(JSON.stringify(all[1]!.body)).not.toContain('客户档案');
  });

  it('a click on somebody else’s reminder changes nothing', async () => {
    const { reminder } = await container.services.reminders.create({
      staffUserid: 'lisi',
      customerId: customer.id,
      content: '别人的',
      dueAt: new Date(clock.now() + 3600_000),
      sourceKey: 'test:lisi',
    });
    await click(`rem:done:${reminder.id}`, 'rem-x', 'RC-foreign');
    await waitFor(
      async () => updates(),
      (u) => u.length === 1,
      15_000,
      'the card update',
    );
    expect(updates()[0]!.body).toMatchObject({ button: { replace_name: '提醒不存在' } });
    expect((await reminderRow(reminder.id)).status).toBe('pending');
  });

  it('待办 is a card with a drop-down of reminders and the same buttons; a click acts on the one picked', async () => {
    const later = new Date(NOW.getTime() + 86_400_000);
    const first = (
      await container.services.reminders.create({ staffUserid: 'zhangsan', customerId: customer.id, content: '发报价', dueAt: later, sourceKey: 'todo:1' })
    ).reminder;
    const second = (
      await container.services.reminders.create({
        staffUserid: 'zhangsan',
        customerId: null,
        content: '写周报',
        dueAt: new Date(later.getTime() + 3600_000),
        sourceKey: 'todo:2',
      })
    ).reminder;
    await harness.post(textMessageXml({ corpId: container.wecom.corpId, from: 'ZhangSan', content: '待办', msgId: '7700000000000000001' }));
    const card = (
      await waitFor(
        async () => sends(),
        (s) => s.length === 1,
        15_000,
        'the 待办 card',
      )
    )[0]!.body.template_card as Record<string, any>;
    expect(card.card_type).toBe('button_interaction');
    expect(card.button_selection.option_list.map((o: { id: string }) => o.id)).toEqual([String(first.id), String(second.id)]);
    expect(card.button_list.map((b: { key: string }) => b.key)).toEqual(['todo:done', 'todo:snooze1h', 'todo:tomorrow']);

    await click('todo:done', card.task_id, 'RC-todo', { selected: { reminder: [String(second.id)] } });
    await waitFor(
      async () => updates(),
      (u) => u.length === 1,
      15_000,
      'the card update',
    );
    // redrawn in place with the list as it is now, still clickable, saying what happened
    const redrawn = updates()[0]!.body as { response_code: string; template_card: Record<string, any> };
    expect(redrawn.response_code).toBe('RC-todo');
    expect(redrawn.template_card).toMatchObject({ task_id: card.task_id, main_title: { desc: `#${second.id} ✅ 已完成` } });
    expect(redrawn.template_card.replace_text).toBeUndefined();
    // the list holds what is open; the drop-down keeps the one just done first and picked (a second tap is harmless)
    expect(redrawn.template_card.sub_title_text).not.toContain('写周报');
    expect(redrawn.template_card.button_selection.option_list.map((o: { id: string }) => o.id)).toEqual([String(second.id), String(first.id)]);
    expect(redrawn.template_card.button_selection.selected_id).toBe(String(second.id));
    expect((await reminderRow(second.id)).status).toBe('done');
    expect((await reminderRow(first.id)).status).toBe('pending');
  });
});
