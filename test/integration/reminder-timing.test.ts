import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { AuditLog, Customer, CustomerRelation, InboundEvent, OutboundMessage, Reminder, Staff } from '../../entities';
import { parseTeamsFile, syncTeams } from '../../src/modules/capture/teams-file';
import type { Container } from '../../src/container';
import dayjs from '../../src/platform/dayjs';
import { reminderJobId } from '../../src/modules/reminders/reminder.scheduler';
import { overdueJobId } from '../../src/modules/reminders/overdue.scheduler';
import { fireDelayedWorkNow } from '../../src/modules/sandbox/sandbox.module';
import { templateCardEventXml } from '../helpers/card-callbacks';
import { fakeWecom, type WecomCall } from '../helpers/fake-wecom';
import { testClock } from '../helpers/test-clock';
import { resetState, waitFor } from '../helpers/test-env';
import { startWebhookHarness, type WebhookHarness } from '../helpers/webhook-harness';
import { externalContactXml, textMessageXml } from '../helpers/wecom-callbacks';

const TZ = 'Asia/Shanghai';
const ROBOT = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=timing-team-key';
const dir = mkdtempSync(join(tmpdir(), 'reminder-timing-'));
const TEAMS_JSON = { teams: [{ name: '华东', lead: 'Boss', members: ['ZhangSan'], robotWebhookUrl: ROBOT }] };
const TEAMS = join(dir, 'teams.json');
writeFileSync(TEAMS, JSON.stringify(TEAMS_JSON));

/** A Shanghai wall-clock time, e.g. `sh('2026-12-02 04:08')`. */
const sh = (local: string) => dayjs.tz(local, TZ).toDate();
const local = (at: Date) => dayjs(at).tz(TZ).format('YYYY-MM-DD HH:mm');

/**
 * When reminders fire, snooze and escalate, and what quiet hours hold — driven as a salesperson
 * and WeCom would: typed commands and card clicks through the signed webhook, the real queues and
 * worker, MariaDB and Redis; WeCom faked with nock. The product's clock is the test's (`clock`);
 * Bull waits on the real one, so "time passes" is the clock moved and the due job promoted.
 * Quiet hours are the default 21:00–08:00.
 */
describe('reminder timing: snooze, overdue, quiet hours', () => {
  let harness: WebhookHarness;
  let container: Container;
  let calls: WecomCall[];
  const clock = testClock(sh('2026-12-02 04:08'));
  let msgId = 7_710_000_000_000_000_000n;
  let customer: Customer;

  beforeAll(async () => {
    harness = await startWebhookHarness(
      'timing',
      { CRM_QUIET_HOURS: '21:00-08:00', CRM_TIMEZONE: TZ, CRM_TEAMS_FILE: TEAMS, OUTBOUND_PACING_WINDOW_MS: '200' },
      clock.date,
    );
    container = harness.container;
  });

  beforeEach(async () => {
    nock.cleanAll();
    calls = fakeWecom({ also: ['webhook/send', 'externalcontact/get_corp_tag_list'] });
    await resetState(container);
    await syncTeams(container.dataSource, parseTeamsFile(TEAMS_JSON));
    await container.dataSource.getRepository(Staff).update({ userid: 'zhangsan' }, { name: '张三销售' });
    customer = await container.dataSource.getRepository(Customer).save({ name: '王老板', externalUserid: 'wmBoss' });
    await container.dataSource
      .getRepository(CustomerRelation)
      .save({ customerId: customer.id, staffUserid: 'zhangsan', addedAt: new Date('2026-10-01T02:00:00Z') });
  });

  afterAll(() => harness.close());

  const repo = <T extends object>(entity: new () => T) => container.dataSource.getRepository(entity);
  const reminderRow = (id: number) => repo(Reminder).findOneByOrFail({ id });
  const sends = () => calls.filter((c) => c.api === 'message/send');
  const updates = () => calls.filter((c) => c.api === 'message/update_template_card');
  const robotPosts = () => calls.filter((c) => c.api === 'webhook/send').map((c) => JSON.stringify(c.body));
  const overduePosts = () => robotPosts().filter((p) => p.includes('提醒已超时未处理'));
  const settled = () =>
    waitFor(
      () => repo(InboundEvent).find(),
      (rows) => rows.length > 0 && rows.every((r) => r.status === 'done'),
      15_000,
      'every callback handled',
    );

  /** What the salesperson types, arriving now on the test's clock. */
  async function type(content: string): Promise<void> {
    msgId += 1n;
    await harness.post(
      textMessageXml({ corpId: container.wecom.corpId, from: 'ZhangSan', content, msgId: String(msgId), createTime: Math.floor(clock.now() / 1000) }),
    );
  }

  /** The text of the n-th reply (cards by their fields), waiting for it. */
  async function reply(n: number): Promise<string> {
    const all = await waitFor(
      async () => sends(),
      (s) => s.length >= n,
      15_000,
      `reply #${n}`,
    );
    return JSON.stringify(all[n - 1]!.body);
  }

  /** 提醒 …: the reminder it created, once its confirmation is sent. */
  async function remind(text: string): Promise<Reminder> {
    const before = await repo(Reminder).count();
    await type(text);
    const rows = await waitFor(
      () => repo(Reminder).find({ order: { id: 'ASC' } }),
      (r) => r.length === before + 1,
      15_000,
      `the reminder of「${text}」`,
    );
    const reminder = rows[rows.length - 1]!;
    await waitFor(
      async () => sends().map((s) => JSON.stringify(s.body)),
      (s) => s.some((b) => b.includes(`提醒已设好 #${reminder.id}`)),
      15_000,
      `the confirmation of #${reminder.id}`,
    );
    return reminder;
  }

  async function click(eventKey: string, taskId: string, responseCode: string, selected?: Record<string, string[]>): Promise<Record<string, any>> {
    const before = updates().length;
    await harness.post(
      templateCardEventXml({
        corpId: container.wecom.corpId,
        from: 'ZhangSan',
        eventKey,
        taskId,
        responseCode,
        createTime: Math.floor(clock.now() / 1000),
        selected,
      }),
    );
    const all = await waitFor(
      async () => updates(),
      (u) => u.length > before,
      15_000,
      `the card update after ${eventKey}`,
    );
    return all[before]!.body as Record<string, any>;
  }

  /** The 待办 card as sent. */
  async function todoCard(): Promise<Record<string, any>> {
    const before = sends().length;
    await type('待办');
    return JSON.parse(await reply(before + 1)).template_card;
  }

  /** Time passes until `local`: the clock moves, and the job that would have woken by then runs. */
  async function passTo(localTime: string, queue: 'reminders' | 'overdue', jobId: string): Promise<void> {
    clock.set(sh(localTime));
    const job = await waitFor(
      () => container.queues.get(queue).getJob(jobId),
      (j) => j !== null,
      10_000,
      `job ${jobId}`,
    );
    await job!.promote();
  }

  const jobGone = (queue: 'reminders' | 'overdue', jobId: string) =>
    waitFor(
      () => container.queues.get(queue).getJob(jobId),
      (j) => j === null,
      15_000,
      `job ${jobId} done`,
    );

  describe('snooze never moves a reminder earlier', () => {
    it('待办 → 推迟1小时 on a reminder due 12月8日 09:00, clicked twice at 04:08, gives 10:00 then 11:00; 明天再提醒 on one due 12月3日 15:00 gives 12月4日 09:00', async () => {
      clock.set(sh('2026-12-02 04:08'));
      const monday = await remind('提醒 12月8日上午9点 王老板 发报价');
      expect(local(monday.dueAt)).toBe('2026-12-08 09:00');
      const thursday = await remind('提醒 12月3日下午3点 写周报');
      expect(local(thursday.dueAt)).toBe('2026-12-03 15:00');

      const card = await todoCard();
      const first = await click('todo:snooze1h', card.task_id, 'RC-todo-1', { reminder: [String(monday.id)] });
      expect(local((await reminderRow(monday.id)).dueAt)).toBe('2026-12-08 10:00');
      // The answer names the new time in full, and the card stays clickable with the list as it is now.
      expect(first.template_card.main_title.desc).toBe(`#${monday.id} 已推迟到 12月8日 周二 10:00`);
      expect(first.template_card.replace_text).toBeUndefined();
      expect(first.template_card.sub_title_text).toContain(`#${monday.id} 12月8日 周二 10:00 王老板：发报价`);

      await click('todo:snooze1h', card.task_id, 'RC-todo-2', { reminder: [String(monday.id)] });
      const twice = await reminderRow(monday.id);
      expect(local(twice.dueAt)).toBe('2026-12-08 11:00');
      expect(twice.snoozeCount).toBe(2);
      // its job waits for the new time on the product's clock
      const job = await container.queues.get('reminders').getJob(reminderJobId(monday.id));
      expect(Math.abs(Number(job!.opts.delay) - (sh('2026-12-08 11:00').getTime() - clock.now()))).toBeLessThan(2000);

      const tomorrow = await click('todo:tomorrow', card.task_id, 'RC-todo-3', { reminder: [String(thursday.id)] });
      expect(local((await reminderRow(thursday.id)).dueAt)).toBe('2026-12-04 09:00');
      expect(tomorrow.template_card.main_title.desc).toBe(`#${thursday.id} 已推迟到 12月4日 周五 09:00`);
    });

    it('on the card of a reminder fired early (fire-due), 推迟1小时 counts from its due time; on one already past due, from now', async () => {
      clock.set(sh('2026-12-02 10:00'));
      const ahead = await remind('提醒 明天下午3点 王老板 发合同');
      await fireDelayedWorkNow(container.queues);
      const card = JSON.parse(
        await waitFor(
          async () => sends().map((s) => JSON.stringify(s.body)),
          (s) => s.some((b) => b.includes('button_interaction')),
          15_000,
          'the fired card',
        ).then((s) => s.find((b) => b.includes('button_interaction'))!),
      ).template_card;
      await waitFor(
        () => reminderRow(ahead.id),
        (r) => r.status === 'sent',
        10_000,
        'fired',
      );
      const answer = await click(`rem:snooze1h:${ahead.id}`, card.task_id, 'RC-ahead');
      expect(local((await reminderRow(ahead.id)).dueAt)).toBe('2026-12-03 16:00');
      expect(answer.template_card.main_title.desc).toBe('已推迟到 12月3日 周四 16:00');
      expect(answer.template_card.horizontal_content_list).toContainEqual({ keyname: '新时间', value: '12月3日 周四 16:00' });

      const { reminder: late } = await container.services.reminders.create({
        staffUserid: 'zhangsan',
        customerId: null,
        content: '回电话',
        dueAt: sh('2026-12-02 09:30'),
        sourceKey: 'test:late',
      });
      await container.dataSource.getRepository(Reminder).update({ id: late.id }, { status: 'sent', firedAt: sh('2026-12-02 09:30') });
      await click(`rem:snooze1h:${late.id}`, `rem-${late.id}-x`, 'RC-late');
      expect(local((await reminderRow(late.id)).dueAt)).toBe('2026-12-02 11:00');
    });

    it('typed: 推迟 12 adds an hour to its due time; a typed time earlier than the due time is refused with what to type, and changes nothing', async () => {
      clock.set(sh('2026-12-02 04:08'));
      const r = await remind('提醒 12月8日上午9点 王老板 发报价');
      const n = sends().length;
      await type(`推迟 ${r.id}`);
      expect(await reply(n + 1)).toContain(`推迟到 12月8日 周二 10:00（原定 12月8日 周二 09:00）`);
      expect(local((await reminderRow(r.id)).dueAt)).toBe('2026-12-08 10:00');

      await type(`推迟 ${r.id} 明天上午10点`);
      const refused = await reply(n + 2);
      expect(refused).toContain(`提醒 #${r.id} 现在是 12月8日 周二 10:00 到期，12月3日 周四 10:00 比它早，推迟只能往后推，没有改动`);
      expect(refused).toContain(`完成 ${r.id}`);
      const unchanged = await reminderRow(r.id);
      expect([local(unchanged.dueAt), unchanged.snoozeCount]).toEqual(['2026-12-08 10:00', 1]);

      await type(`推迟 ${r.id} 12月9日上午10点`);
      expect(await reply(n + 3)).toContain('推迟到 12月9日 周三 10:00');
      expect(local((await reminderRow(r.id)).dueAt)).toBe('2026-12-09 10:00');
    });
  });

  describe('overdue means open CRM_OVERDUE_AFTER_MINUTES after its real due time, by the clock', () => {
    it('fire-due pressed twice does not report a reminder due tomorrow as overdue; its check waits for the real time and then escalates once', async () => {
      clock.set(sh('2026-12-02 10:00'));
      const r = await remind('提醒 明天上午10点 王老板 确认合同');
      await fireDelayedWorkNow(container.queues);
      const fired = await waitFor(
        () => reminderRow(r.id),
        (x) => x.status === 'sent',
        15_000,
        'the card fired early',
      );
      const check = overdueJobId(r.id, fired.firedAt!);
      await waitFor(
        () => container.queues.get('overdue').getJob(check),
        (j) => j !== null,
        10_000,
        'the overdue check planned',
      );

      // Pressed again: the check runs now, reads the clock, and plans itself for 12月3日 12:00.
      await fireDelayedWorkNow(container.queues);
      await jobGone('overdue', check);
      const again = (await container.queues.get('overdue').getJob(overdueJobId(r.id, fired.firedAt!, 1)))!;
      expect(again).not.toBeNull();
      expect(Math.abs(Number(again.opts.delay) - (sh('2026-12-03 12:00').getTime() - clock.now()))).toBeLessThan(2000);
      expect(overduePosts()).toEqual([]);
      expect((await reminderRow(r.id)).escalatedAt).toBeNull();

      // A minute before: still not overdue.
      await passTo('2026-12-03 11:59', 'overdue', overdueJobId(r.id, fired.firedAt!, 1));
      await jobGone('overdue', overdueJobId(r.id, fired.firedAt!, 1));
      expect(overduePosts()).toEqual([]);

      // Two hours after its due time, still open: the team group hears of it, once, with the true delay.
      await passTo('2026-12-03 12:01', 'overdue', overdueJobId(r.id, fired.firedAt!, 2));
      const posts = await waitFor(
        async () => overduePosts(),
        (p) => p.length === 1,
        15_000,
        'the escalation',
      );
      expect(posts[0]).toContain('超过2小时');
      expect(posts[0]).toContain('确认合同');
      expect(posts[0]).toContain('12月3日 周四 10:00');
      expect((await reminderRow(r.id)).escalatedAt).toEqual(clock.date());
    });

    it('nothing about a customer who deleted the salesperson escalates: their reminders close with the reason, and the salesperson is told', async () => {
      clock.set(sh('2026-12-02 10:00'));
      const later = await remind('提醒 明天上午10点 王老板 回访');
      const soon = await remind('提醒 1分钟后 王老板 发资料');
      await passTo('2026-12-02 10:01', 'reminders', reminderJobId(soon.id));
      const fired = await waitFor(
        () => reminderRow(soon.id),
        (x) => x.status === 'sent',
        15_000,
        'the card fired',
      );

      // The customer deletes the salesperson (删人).
      await harness.post(
        externalContactXml({
          corpId: container.wecom.corpId,
          changeType: 'del_follow_user',
          userId: 'ZhangSan',
          externalUserId: 'wmBoss',
          createTime: Math.floor(clock.now() / 1000),
        }),
      );
      await waitFor(
        () => repo(CustomerRelation).findOneByOrFail({ customerId: customer.id }),
        (x) => x.status === 'lost',
        15_000,
        'the relation lost',
      );
      await waitFor(
        async () => robotPosts(),
        (p) => p.some((x) => x.includes('王老板')),
        15_000,
        'the 删人提醒 in the group',
      );

      // fire-due: the pending one is closed instead of firing; the check of the fired one closes it too.
      await fireDelayedWorkNow(container.queues);
      await waitFor(
        () => reminderRow(later.id),
        (x) => x.status === 'cancelled',
        15_000,
        'the pending reminder closed',
      );
      await waitFor(
        () => reminderRow(soon.id),
        (x) => x.status === 'cancelled',
        15_000,
        'the fired reminder closed',
      );
      await jobGone('overdue', overdueJobId(soon.id, fired.firedAt!));
      expect((await reminderRow(later.id)).closeReason).toBe('customer_lost');
      expect((await reminderRow(soon.id)).closeReason).toBe('customer_lost');
      expect(await repo(AuditLog).countBy({ action: 'reminder.close' })).toBe(2);
      const told = await waitFor(
        async () => sends().map((s) => JSON.stringify(s.body)),
        (s) => s.some((b) => b.includes(`提醒 #${later.id} 已自动关闭`)),
        15_000,
        'the salesperson told',
      );
      expect(told.find((b) => b.includes(`提醒 #${later.id} 已自动关闭`))).toContain('王老板：客户已删除你');
      expect(told.filter((b) => b.includes(`"task_id":"rem-${later.id}-`))).toEqual([]); // no card for it

      // Hours later, nothing escalates.
      clock.set(sh('2026-12-03 13:00'));
      await fireDelayedWorkNow(container.queues);
      await settled();
      expect(overduePosts()).toEqual([]);
      const n = sends().length;
      await type('待办');
      expect(await reply(n + 1)).toContain('没有待办提醒');
    });
  });

  describe('quiet hours hold only what the product starts on its own', () => {
    it('提醒 1分钟后 typed at 04:00 arrives at 04:01; its overdue escalation (the product’s own) waits for 08:00', async () => {
      clock.set(sh('2026-12-02 04:00'));
      const r = await remind('提醒 1分钟后 回访李雷');
      expect(await reply(1)).toContain('提醒已设好'); // the reply to what they typed: at once

      await passTo('2026-12-02 04:01', 'reminders', reminderJobId(r.id));
      const card = await waitFor(
        async () => sends(),
        (s) => s.length === 2,
        15_000,
        'the reminder card at 04:01',
      );
      expect(JSON.stringify(card[1]!.body)).toContain('回访李雷');
      const row = await waitFor(
        () => repo(OutboundMessage).findOneByOrFail({ idempotencyKey: `reminder:${r.id}:${r.dueAt.getTime()}` }),
        (x) => x.status === 'sent',
        10_000,
        'the card logged sent',
      );
      expect(row).toMatchObject({ quietHoursExempt: true, sentAt: clock.date() });

      // 06:01 it is overdue, but an escalation in quiet hours is decided in the morning.
      const firedAt = (
        await waitFor(
          () => reminderRow(r.id),
          (x) => x.status === 'sent',
          10_000,
          'marked sent',
        )
      ).firedAt!;
      await passTo('2026-12-02 06:01', 'overdue', overdueJobId(r.id, firedAt));
      await jobGone('overdue', overdueJobId(r.id, firedAt));
      expect(robotPosts()).toEqual([]);
      const morning = (await container.queues.get('overdue').getJob(overdueJobId(r.id, firedAt, 1)))!;
      expect(Math.abs(Number(morning.opts.delay) - (sh('2026-12-02 08:00').getTime() - clock.now()))).toBeLessThan(2000);

      await passTo('2026-12-02 08:00', 'overdue', overdueJobId(r.id, firedAt, 1));
      const posts = await waitFor(
        async () => overduePosts(),
        (p) => p.length === 1,
        15_000,
        'the escalation at 08:00',
      );
      expect(posts[0]).toContain('超过3小时');
    });
  });
});
