import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { Customer, CustomerRelation, Reminder, SopRun, SopStepRun, Staff } from '../../entities';
import { syncTeams, parseTeamsFile } from '../../src/modules/capture/teams-file';
import type { Container } from '../../src/container';
import { workerModules } from '../../src/feature-modules';
import { fireDelayedWorkNow } from '../../src/modules/sandbox/sandbox.module';
import { OVERDUE_JOB, overdueJobId } from '../../src/modules/reminders/overdue.scheduler';
import { SILENT_SCAN_JOB } from '../../src/modules/sop/silent-scan';
import { loadSopFile, parseSopFile } from '../../src/modules/sop/sop-definitions';
import { fireSopStep } from '../../src/modules/sop/sop-step.processor';
import { TeamGroups } from '../../src/modules/customers/team-group';
import { createLogger } from '../../src/platform/logger';
import { FakeWecomWorld } from '../helpers/fake-wecom-world';
import { waitForQuiet } from '../helpers/quiet';
import { testClock } from '../helpers/test-clock';
import { createTestContainer, deleteRedisPrefix, resetState, waitFor } from '../helpers/test-env';
import { startWebhookHarness, type WebhookHarness } from '../helpers/webhook-harness';
import { externalContactXml, textMessageXml } from '../helpers/wecom-callbacks';

const ROBOT = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=sop-team-key';
const dir = mkdtempSync(join(tmpdir(), 'wecom-crm-sop-'));
const file = (name: string, json: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(json, null, 2));
  return path;
};

/** Short offsets (seconds) so that the real delayed jobs fire while the test waits. */
const SOPS = file('sops.json', {
  sops: [
    {
      name: 'live-onboarding',
      title: '直播新客户',
      trigger: { type: 'customer_added', tag: '直播间' },
      steps: [
        { key: 'welcome-check', offset: '+0', audience: 'owner', message: '确认 {name} 收到了欢迎语（来源 {state}）', when: { stageIn: ['lead', 'prospect'] } },
        { key: 'first-call', offset: '+3s', audience: 'owner', message: '给 {name} 打第一个电话' },
        { key: 'team-note', offset: '+5s', audience: 'team_group', message: '{staff} 的新客户 {name} 第 {days} 天' },
      ],
    },
    {
      name: 'opportunity-review',
      title: '商机跟进',
      trigger: { type: 'stage_changed', to: 'opportunity' },
      steps: [{ key: 'review', offset: '+0', audience: 'team_group', message: '{name} 进入{stage}阶段' }],
    },
    {
      name: 'vip-care',
      title: 'VIP关怀',
      trigger: { type: 'tag_added', tag: 'VIP' },
      steps: [{ key: 'care', offset: '+0', audience: 'owner', message: '{name} 被标为 {tag}，安排专属服务' }],
    },
    {
      name: 'silent-7',
      title: '沉默客户唤醒',
      trigger: { type: 'silent', days: 7 },
      steps: [{ key: 'nudge', offset: '+0', audience: 'owner', message: '{name} 已经 {silentDays} 天没有跟进了' }],
    },
  ],
});
const RULES = file('channel-rules.json', {
  rules: [{ name: 'live', match: { prefix: 'live-' }, tags: [{ group: '渠道', name: '直播间' }], stage: 'prospect', welcome: '您好{name}', sops: [] }],
  default: {},
});
const TEAMS = { teams: [{ name: '华东', lead: 'Boss', members: ['ZhangSan'], robotWebhookUrl: ROBOT }] };

/**
 * SOPs end to end: signed callbacks into the webhook, the real queues and worker, MariaDB, WeCom
 * faked by nock; definitions, rules and teams come from files named by the config, as in production.
 */
describe('SOP engine', () => {
  // The product's clock: set at each test's start, still unless the test moves it (offsets and overdue times are measured on it; Bull's delays run on the real one).
  const clock = testClock(Date.now());
  let harness: WebhookHarness;
  let container: Container;
  let world: FakeWecomWorld;
  let msgId = 9_100_000_000_000_000_000n;

  beforeAll(async () => {
    world = new FakeWecomWorld().install(); // capture's start-up refreshes the tag dictionary
    harness = await startWebhookHarness(
      'sop',
      {
        OUTBOUND_PACING_WINDOW_MS: '200',
        CRM_SOPS_FILE: SOPS,
        CRM_CHANNEL_RULES_FILE: RULES,
        CRM_TEAMS_FILE: file('teams.json', TEAMS),
        CRM_OVERDUE_AFTER_MINUTES: '0.05',
      },
      clock.date,
    );
    container = harness.container;
  });

  beforeEach(async () => {
    clock.set(Date.now());
    await resetState(container);
    nock.cleanAll();
    world = new FakeWecomWorld().install();
    await syncTeams(container.dataSource, parseTeamsFile(TEAMS));
    await container.dataSource.getRepository(Staff).update({ userid: 'zhangsan' }, { name: '张三销售' });
  });

  afterAll(() => harness.close());

  const post = (xml: string) => harness.post(xml);
  const addEvent = (externalUserId: string, state: string) =>
    externalContactXml({
      corpId: container.wecom.corpId,
      changeType: 'add_external_contact',
      userId: 'ZhangSan',
      externalUserId,
      state,
      welcomeCode: `WC-${externalUserId}`,
    });
  const repo = <T extends object>(entity: new () => T) => container.dataSource.getRepository(entity);
  const stepsOf = async (customerId: number) => {
    const runs = await repo(SopRun).findBy({ customerId });
    return repo(SopStepRun).find({ where: runs.map((r) => ({ runId: r.id })), order: { stepIndex: 'ASC' } });
  };
  /** SOP steps to the salesperson (markdown app messages; alerts are cards) */
  const appMarkdown = () =>
    world
      .callsTo('message/send')
      .filter((c) => c.body.msgtype === 'markdown')
      .map((c) => String((c.body.markdown as { content: string }).content));

  it('a new customer from a tagged channel starts the SOP once, and its steps fire in order to the owner and the team group', async () => {
    world.addCustomer('wmSop1', '小红', [{ userid: 'ZhangSan', state: 'live-0901' }]);
    await post(addEvent('wmSop1', 'live-0901'));
    await post(addEvent('wmSop1', 'live-0901')); // redelivered: one run, one of each step
    const robot = await waitFor(
      async () => world.callsTo('webhook/send'),
      (c) => c.length === 1,
      20_000,
      'the team step',
    );
    const customer = await repo(Customer).findOneByOrFail({ externalUserid: 'wmSop1' });
    // The group post is sent by the outbound queue while the step's own job is still recording it
    // (step sent, run finished): WeCom having it does not mean the rows say so yet.
    await waitFor(
      () => repo(SopRun).findBy({ customerId: customer.id }),
      (runs) => runs.every((r) => r.status === 'finished'),
      10_000,
      'the run finished',
    );

    expect(await repo(SopRun).findBy({ customerId: customer.id })).toEqual([
      expect.objectContaining({
        sopName: 'live-onboarding',
        staffUserid: 'zhangsan',
        triggerType: 'customer_added',
        status: 'finished',
        context: { state: 'live-0901' },
      }),
    ]);
    const steps = await stepsOf(customer.id);
    expect(steps.map((s) => [s.stepKey, s.status])).toEqual([
      ['welcome-check', 'sent'],
      ['first-call', 'sent'],
      ['team-note', 'sent'],
    ]);
    expect(steps[0]!.firedAt!.getTime()).toBeLessThanOrEqual(steps[1]!.firedAt!.getTime());
    expect(steps[1]!.firedAt!.getTime()).toBeLessThanOrEqual(steps[2]!.firedAt!.getTime());
    expect(steps[1]!.dueAt.getTime() - steps[0]!.dueAt.getTime()).toBe(3000);

    const owner = appMarkdown();
    expect(owner).toHaveLength(2);
    expect(owner[0]).toContain('确认 小红 收到了欢迎语（来源 live-0901）');
    expect(owner[1]).toContain('给 小红 打第一个电话');
    expect(world.callsTo('message/send')[0]!.body.touser).toBe('ZhangSan');
    const group = JSON.stringify(robot[0]!.body);
    expect(group).toContain('张三销售 的新客户 小红 第 1 天');
    expect(group).toContain('<@ZhangSan>');
  });

  it('an add whose mark_tag fails after the customer is stored starts its SOP when the retried add records it, once', async () => {
    // WeCom busy for every try of the first attempt's mark_tag: the event's job fails after the
    // customer, the relation and (in the same transaction) the SOP run were written, and is retried.
    world.faults.answer('externalcontact/mark_tag', { errcode: -1, errmsg: 'system busy' }, 3);
    world.addCustomer('wmSopRetry', '小丽', [{ userid: 'ZhangSan', state: 'live-0903' }]);
    await post(addEvent('wmSopRetry', 'live-0903'));
    const first = await waitFor(
      async () => appMarkdown(),
      (m) => m.length === 1,
      20_000,
      'the first step, after the retried add',
    );
    expect(first[0]).toContain('确认 小丽 收到了欢迎语');
    const customer = await repo(Customer).findOneByOrFail({ externalUserid: 'wmSopRetry' });
    expect(world.callsTo('externalcontact/mark_tag')).toHaveLength(4);
    expect(world.callsTo('externalcontact/send_welcome_msg')).toHaveLength(1);
    expect(await repo(SopRun).findBy({ customerId: customer.id })).toEqual([expect.objectContaining({ sopName: 'live-onboarding' })]);
    expect((await stepsOf(customer.id)).map((s) => s.stepKey)).toEqual(['welcome-check', 'first-call', 'team-note']);
  });

  it('a customer who deletes the salesperson has the pending steps skipped, with the reason', async () => {
    world.addCustomer('wmSop2', '小刚', [{ userid: 'ZhangSan', state: 'live-0902' }]);
    await post(addEvent('wmSop2', 'live-0902'));
    await waitFor(
      async () => appMarkdown(),
      (m) => m.length === 1,
      15_000,
      'the first step',
    );
    await post(externalContactXml({ corpId: container.wecom.corpId, changeType: 'del_follow_user', userId: 'ZhangSan', externalUserId: 'wmSop2' }));
    await waitForQuiet(container); // the deletion handled
    clock.advance(5_000); // the steps' offsets pass on the product's clock, and their jobs run now
    await fireDelayedWorkNow(container.queues);
    const customer = await repo(Customer).findOneByOrFail({ externalUserid: 'wmSop2' });
    const steps = await waitFor(
      () => stepsOf(customer.id),
      (s) => s.every((x) => x.status !== 'pending'),
      20_000,
      'the remaining steps settled',
    );
    expect(steps.map((s) => [s.stepKey, s.status, s.skipReason])).toEqual([
      ['welcome-check', 'sent', null],
      ['first-call', 'skipped', 'customer_lost'],
      ['team-note', 'skipped', 'customer_lost'],
    ]);
    expect(appMarkdown()).toHaveLength(1);
    expect(JSON.stringify(world.callsTo('webhook/send'))).not.toContain('第 1 天'); // only the churn alert went to the group
  });

  it('a customer marked 勿扰 gets no further steps, and the run says why', async () => {
    world.addCustomer('wmSop3', '小丽', [{ userid: 'ZhangSan', state: 'live-0903' }]);
    await post(addEvent('wmSop3', 'live-0903'));
    await waitFor(
      async () => appMarkdown(),
      (m) => m.length === 1,
      15_000,
      'the first step',
    );
    await post(textMessageXml({ corpId: container.wecom.corpId, from: 'ZhangSan', content: '勿扰 小丽', msgId: String((msgId += 1n)) }));
    await waitForQuiet(container); // 勿扰 handled
    clock.advance(5_000); // the steps' offsets pass on the product's clock, and their jobs run now
    await fireDelayedWorkNow(container.queues);
    const customer = await repo(Customer).findOneByOrFail({ externalUserid: 'wmSop3' });
    const steps = await waitFor(
      () => stepsOf(customer.id),
      (s) => s.every((x) => x.status !== 'pending'),
      20_000,
      'the remaining steps settled',
    );
    expect(steps.map((s) => s.skipReason)).toEqual([null, 'do_not_contact', 'do_not_contact']);
  });

  it('moving a customer to 商机 starts the stage SOP, posted to the team group with the salesperson mentioned', async () => {
    const customer = await repo(Customer).save({ name: '老周', externalUserid: 'wmZhou', stage: 'prospect' });
    await repo(CustomerRelation).save({ customerId: customer.id, staffUserid: 'zhangsan', addedAt: clock.date() });
    await post(textMessageXml({ corpId: container.wecom.corpId, from: 'ZhangSan', content: '阶段 老周 商机', msgId: String((msgId += 1n)) }));
    const robot = await waitFor(
      async () => world.callsTo('webhook/send'),
      (c) => c.length === 1,
      15_000,
      'the stage SOP step',
    );
    expect(JSON.stringify(robot[0]!.body)).toContain('老周 进入商机阶段');
    expect(JSON.stringify(robot[0]!.body)).toContain('<@ZhangSan>');
    expect(await repo(SopRun).findBy({ customerId: customer.id })).toEqual([
      expect.objectContaining({ sopName: 'opportunity-review', triggerType: 'stage_changed' }),
    ]);
  });

  it('打标签 with a trigger tag starts its SOP once per customer and tag', async () => {
    const customer = await repo(Customer).save({ name: '老吴', externalUserid: 'wmWu' });
    await repo(CustomerRelation).save({ customerId: customer.id, staffUserid: 'zhangsan', addedAt: clock.date() });
    for (let i = 0; i < 2; i++)
      await post(textMessageXml({ corpId: container.wecom.corpId, from: 'ZhangSan', content: '打标签 老吴 VIP', msgId: String((msgId += 1n)) }));
    const sent = await waitFor(
      async () => appMarkdown(),
      (m) => m.length === 1,
      15_000,
      'the tag SOP step',
    );
    expect(sent[0]).toContain('老吴 被标为 VIP，安排专属服务');
    await waitForQuiet(container);
    expect(await repo(SopRun).countBy({ customerId: customer.id, sopName: 'vip-care' })).toBe(1);
    expect(appMarkdown()).toHaveLength(1);
  });

  it('an edited definition changes what pending steps send; sent steps keep their text; a removed step is skipped', async () => {
    world.addCustomer('wmSop4', '小周', [{ userid: 'ZhangSan', state: 'live-0904' }]);
    await post(addEvent('wmSop4', 'live-0904'));
    await waitFor(
      async () => appMarkdown(),
      (m) => m.length === 1,
      15_000,
      'the first step',
    );
    const customer = await repo(Customer).findOneByOrFail({ externalUserid: 'wmSop4' });
    const [first, second, third] = await stepsOf(customer.id);

    // The file as edited by operations, read by a restarted worker: step 2 reworded, step 3 removed.
    const edited = structuredClone(loadSopFile(SOPS).file);
    const onboarding = edited.sops.find((d) => d.name === 'live-onboarding')!;
    onboarding.steps = onboarding.steps.filter((step) => step.key !== 'team-note');
    onboarding.steps[1]!.message = '新话术：今天联系 {name}';
    const deps = {
      dataSource: container.dataSource,
      definitions: parseSopFile(edited),
      outbound: container.outbound,
      teams: new TeamGroups(container.dataSource, container.outbound),
      logger: createLogger('silent'),
      now: clock.date,
    };
    expect(await fireSopStep(deps, second!.id)).toBe('sent');
    expect(await fireSopStep(deps, third!.id)).toBe('skipped:step_removed');
    expect(await fireSopStep(deps, first!.id)).toBe('not_pending');

    const after = await stepsOf(customer.id);
    expect(after.map((x) => [x.status, x.skipReason])).toEqual([
      ['sent', null],
      ['sent', null],
      ['skipped', 'step_removed'],
    ]);
    expect(after[0]!.message).toContain('确认 小周 收到了欢迎语');
    expect(after[1]!.message).toBe('新话术：今天联系 小周');
    // the original jobs fire (now, not at their +3 s and +5 s) and find nothing pending
    await fireDelayedWorkNow(container.queues);
    await waitForQuiet(container);
    expect(appMarkdown()).toHaveLength(2);
    expect(world.callsTo('webhook/send')).toHaveLength(0);
  });

  it('the silent scan starts the nudge for a customer silent N days, not for one followed up yesterday, and only once', async () => {
    const day = 86_400_000;
    const silent = await repo(Customer).save({ name: '老沉默', externalUserid: 'wmSilent', lastContactAt: new Date(clock.now() - 10 * day) });
    const recent = await repo(Customer).save({ name: '刚联系', externalUserid: 'wmRecent', lastContactAt: new Date(clock.now() - 1 * day) });
    for (const c of [silent, recent])
      await repo(CustomerRelation).save({ customerId: c.id, staffUserid: 'zhangsan', addedAt: new Date(clock.now() - 60 * day) });

    const scan = async () => {
      const job = await container.queues.get('maintenance').add(SILENT_SCAN_JOB, {});
      await waitFor(
        async () => job.getState(),
        (s) => s === 'completed',
        15_000,
        'the silent scan',
      );
    };
    await scan();
    const sent = await waitFor(
      async () => appMarkdown(),
      (m) => m.length === 1,
      15_000,
      'the nudge',
    );
    expect(sent[0]).toContain('老沉默 已经 10 天没有跟进了');
    await scan();
    await waitForQuiet(container);
    expect(await repo(SopRun).countBy({ sopName: 'silent-7' })).toBe(1);
    expect(await repo(SopRun).countBy({ customerId: recent.id })).toBe(0);
    expect(appMarkdown()).toHaveLength(1);
  });

  it('a reminder left open after it fired is escalated to the team group once, naming the salesperson and the customer', async () => {
    const customer = await repo(Customer).save({ name: '钱总', externalUserid: 'wmQian' });
    const { reminder } = await container.services.reminders.create({
      staffUserid: 'zhangsan',
      customerId: customer.id,
      content: '确认合同',
      dueAt: clock.date(),
      sourceKey: 'test:overdue',
    });
    const { reminder: closed } = await container.services.reminders.create({
      staffUserid: 'zhangsan',
      customerId: customer.id,
      content: '已处理的',
      dueAt: clock.date(),
      sourceKey: 'test:closed',
    });
    await container.services.reminders.scheduleJob(reminder);
    await container.services.reminders.scheduleJob(closed);
    await waitFor(
      () => repo(Reminder).findOneByOrFail({ id: closed.id }),
      (r) => r.status === 'sent',
      10_000,
      'the reminder fired',
    );
    await container.services.reminders.complete(closed.id, 'zhangsan', clock.date());
    // Its check is planned CRM_OVERDUE_AFTER_MINUTES after it fired, on the product's clock: that time passes, and the check runs now.
    await waitFor(
      async () => (await container.queues.get('overdue').getDelayed()).filter((j) => j.name === OVERDUE_JOB && j.data.reminderId === reminder.id),
      (jobs) => jobs.length === 1,
      10_000,
      'the overdue check planned',
    );
    clock.advance(60_000);
    await fireDelayedWorkNow(container.queues);

    const robot = await waitFor(
      async () => world.callsTo('webhook/send'),
      (c) => c.length >= 1,
      20_000,
      'the escalation',
    );
    const body = JSON.stringify(robot[0]!.body);
    // a robot gets a notice card: the salesperson as a member row (a tap opens their profile)
    expect(robot[0]!.body.msgtype).toBe('template_card');
    expect(body).toContain('提醒已超时未处理');
    expect(body).toContain(JSON.stringify({ keyname: '销售', value: '张三销售', type: 3, userid: 'ZhangSan' }));
    expect(body).toContain('钱总');
    expect(body).toContain('确认合同');
    // recorded by the check's job after it queued the post, which the outbound queue may send first
    await waitFor(
      () => repo(Reminder).findOneByOrFail({ id: reminder.id }),
      (r) => r.escalatedAt !== null,
      10_000,
      'the escalation recorded',
    );

    // Run the check again (a retry, a second worker): still one post; the closed reminder never escalates.
    await container.queues.get('overdue').add(OVERDUE_JOB, { reminderId: reminder.id }, { jobId: `${overdueJobId(reminder.id, new Date())}-again` });
    await waitForQuiet(container);
    expect(world.callsTo('webhook/send')).toHaveLength(1);
    expect((await repo(Reminder).findOneByOrFail({ id: closed.id })).escalatedAt).toBeNull();
  });
});

describe('an invalid SOP file', () => {
  it('fails worker startup with a message naming the file and the field', async () => {
    const path = file('broken-sops.json', {
      sops: [{ name: 'x', title: 'X', trigger: { type: 'silent', days: 0 }, steps: [{ key: 'a', offset: '+1 day', audience: 'owner', message: 'hi' }] }],
    });
    const container = await createTestContainer('sop-bad', { CRM_SOPS_FILE: path, CRM_CHANNEL_RULES_FILE: RULES });
    try {
      expect(() => workerModules(container)).toThrow(
        new RegExp(`Invalid SOP file ${path}:[\\s\\S]*sops\\.0\\.trigger\\.days:[\\s\\S]*sops\\.0\\.steps\\.0\\.offset: must look like`),
      );
      expect(container.handlers.kinds()).toEqual([]);
    } finally {
      await container.close();
      await deleteRedisPrefix(container.queues.prefix);
    }
  });
});
