import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Koa from 'koa';
import request from 'supertest';
import { Customer, CustomerRelation, FollowUp, Staff, Team } from '../../entities';
import type { Container } from '../../src/container';
import { DIGEST_JOBS } from '../../src/modules/digests/digest.jobs';
import { workerModules } from '../../src/feature-modules';
import { promoteDelayedJobs } from '../../src/platform/queue/queues';
import { createWebApp } from '../../src/web';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { checkWecomLimits } from '../../src/platform/wecom/limits/check-limits';
import { utf8Bytes } from '../../src/platform/wecom/limits/wecom-limits';
import { say as sayTo } from '../helpers/bot-chat';
import { templateCardEventXml } from '../helpers/card-callbacks';
import type { WecomCall } from '../helpers/fake-wecom';
import { FakeWecomWorld } from '../helpers/fake-wecom-world';
import { createTestContainer, deleteRedisPrefix, resetState, waitFor } from '../helpers/test-env';
import { externalContactXml, signedCallback } from '../helpers/wecom-callbacks';

/**
 * Every kind of message the product sends, built from the largest realistic data, through the
 * webhook, the queues and the outbound queue to a fake WeCom that refuses what WeCom refuses — and
 * each message that reached it checked again against every WeCom limit (content bytes, each card
 * field, list lengths) and for what a reader would see broken (a cut character, a cut tag).
 */

// The longest a real tenant gives: a WeChat nickname (emoji and all), a WeCom remark (20 characters),
// a corp tag (30 characters), a member's name, a typed message (2048 bytes).
const NAME = '🌸欧阳娜娜Nana·上海静安区别墅装修设计工作室主理人🌸';
const REMARK = '静安别墅整装意向客户老板娘预算充足很急';
const STAFF = '司马欧阳·长名字资深高级销售顾问';
const TAG = (i: number) => `${String(i).padStart(2, '0')}号超长企业标签名称用来测试卡片字段的字节限制啊`.slice(0, 30);
const NOTE_LINE = '客户说月底前定，预算含软装，要求三套方案对比，注意周末不方便接电话😀';
// the longest welcome a channel rule takes (1300 characters): with the names filled in, over WeCom's 4000 bytes
const WELCOME = `${`您好{name}，我是{staff}。${'欢迎关注我们的全屋定制服务，'.repeat(100)}`.slice(0, 1299)}。`;
const ROBOT = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=largest-team';
const MESSAGE_APIS = new Set(['message/send', 'appchat/send', 'webhook/send', 'externalcontact/send_welcome_msg', 'message/update_template_card']);

/** Every text a reader sees in a call: content, and each string field of a card. */
function texts(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(texts);
  if (value && typeof value === 'object') return Object.values(value).flatMap(texts);
  return [];
}

function expectWithinLimits(calls: WecomCall[]): void {
  for (const call of calls.filter((c) => MESSAGE_APIS.has(c.api))) {
    expect({ api: call.api, errcode: call.errcode, errmsg: call.errmsg }).toEqual({ api: call.api, errcode: undefined, errmsg: undefined });
    expect(checkWecomLimits(call.api, call.body)).toBeNull();
    for (const text of texts(call.body)) {
      expect(text).not.toContain('\uFFFD');
      expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/); // no half of an emoji
    }
    const markdown = (call.body.markdown as { content?: string } | undefined)?.content;
    if (markdown) {
      expect(markdown.match(/<font /g)?.length ?? 0).toBe(markdown.match(/<\/font>/g)?.length ?? 0);
      expect(markdown.replace(/<font color="\w+">|<\/font>|<@[\w.-]+>/g, '')).not.toMatch(/<\/?f|<@/);
    }
  }
}

describe('every reply, with the largest realistic data, within WeCom’s limits', () => {
  jest.setTimeout(120_000);
  let container: Container;
  let app: Koa;
  let worker: WorkerHandle;
  let dir: string;
  const world = new FakeWecomWorld();
  const say = (text: string, from = 'zhangsan') => sayTo(container, app, world.calls, from, text);
  const sent = (api: string) => world.calls.filter((c) => c.api === api);
  let seen = 0;
  /** the calls since the last check */
  const fresh = () => world.calls.slice(seen, (seen = world.calls.length));

  async function post(xml: string): Promise<void> {
    const req = signedCallback(container.wecom, xml);
    expect((await request(app.callback()).post(req.path).send(req.body)).status).toBe(200);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'largest-replies-'));
    const rules = join(dir, 'channel-rules.json');
    writeFileSync(
      rules,
      JSON.stringify({
        rules: [{ name: 'long', label: '超长欢迎语渠道名称十六', match: { prefix: 'long-' }, welcome: WELCOME }],
        default: { welcome: WELCOME },
      }),
    );
    container = await createTestContainer('largest', {
      CRM_QUIET_HOURS: 'off',
      CRM_ADMINS: 'boss',
      INBOUND_RETRY_DELAY_MS: '50',
      OUTBOUND_PACING_WINDOW_MS: '200',
      // a reminder fired late is overdue this long after its card went out (a second here, not two hours)
      CRM_OVERDUE_AFTER_MINUTES: '0.02',
      CRM_CHANNEL_RULES_FILE: rules,
    });
    world.install();
    app = createWebApp(container);
    worker = startWorker(container, { sweepEveryMs: 3_600_000, modules: workerModules(container) });
    await resetState(container);

    const ds = container.dataSource;
    const team = await ds.getRepository(Team).save({ name: '华东大区销售一组（超长的团队名称）', robotWebhookUrl: ROBOT, leadUserid: 'boss' });
    const chatTeam = await ds.getRepository(Team).save({ name: '渠道组', appChatId: 'wrLargestChat' });
    // 200 salespeople with long names, each with a follow-up today: the team digest and 报表 are full
    const people = Array.from({ length: 200 }, (_, i) => ({
      userid: `sales${i}`,
      wecomUserid: `Sales${i}`,
      name: `${STAFF}${i}`,
      teamId: i % 10 === 0 ? chatTeam.id : team.id,
    }));
    await ds
      .getRepository(Staff)
      .save([
        { userid: 'zhangsan', wecomUserid: 'zhangsan', name: STAFF, teamId: team.id },
        { userid: 'boss', wecomUserid: 'boss', name: `${STAFF}主管` },
        ...people,
      ]);

    const customers = ds.getRepository(Customer);
    const relations = ds.getRepository(CustomerRelation);
    // 60 customers with the longest names (我的客户), 12 more of one name (a numbered list)
    for (let i = 0; i < 72; i++) {
      const same = i >= 60;
      const c = await customers.save({
        name: same ? '王磊' : `${NAME}${i}`,
        externalUserid: `wmLargest${i}`,
        corpName: '上海静安区某某某装饰工程设计有限公司第一分公司',
        stage: i % 5 === 0 ? 'opportunity' : 'lead',
      });
      await relations.save({
        customerId: c.id,
        staffUserid: 'zhangsan',
        remark: same ? `${REMARK}${i}`.slice(0, 20) : REMARK,
        state: `long-${i}`,
        remarkMobiles: ['13812345678'],
        addedAt: new Date(Date.now() - (i + 40) * 86_400_000),
      });
    }
    const first = await customers.findOneByOrFail({ externalUserid: 'wmLargest0' });
    // 200 follow-ups on one customer (the timeline), one today for each salesperson (the digests)
    await ds
      .getRepository(FollowUp)
      .save(Array.from({ length: 200 }, (_, i) => ({ customerId: first.id, staffUserid: 'zhangsan', content: `${NOTE_LINE}（第${i}次）` })));
    await ds.getRepository(FollowUp).save(people.map((p, i) => ({ customerId: first.id + (i % 60), staffUserid: p.userid, content: NOTE_LINE })));
    // 50 open reminders with long matters (待办), due in the next days
    for (let i = 0; i < 50; i++) {
      const { reminder } = await container.services.reminders.create({
        staffUserid: 'zhangsan',
        customerId: first.id + (i % 60),
        content: `联系 ${NAME}${i % 60}：${NOTE_LINE.repeat(3)}`,
        dueAt: new Date(Date.now() + (i + 2) * 3_600_000),
        sourceKey: `largest:reminder:${i}`,
      });
      await container.services.reminders.scheduleJob(reminder);
    }
  }, 180_000);

  beforeEach(() => {
    world.install(); // nock is emptied after every test (helpers/no-network.ts); the world and its calls stay
  });

  afterAll(async () => {
    worker.stop();
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('帮助, and 帮助 for every command', async () => {
    const help = await say('帮助');
    for (const command of ['记录跟进', '查客户', '勿扰', '帮助']) expect(help).toContain(`**${command}**`);
    for (const command of [
      '记录跟进',
      '查客户',
      '我的客户',
      '打标签',
      '去标签',
      '阶段',
      '商机',
      '提醒',
      '待办',
      '完成',
      '推迟',
      '今日',
      '报表',
      '撤销',
      '勿扰',
      '恢复',
      '帮助',
    ]) {
      expect(await say(`帮助 ${command}`)).toContain('用法');
    }
    expectWithinLimits(fresh());
  });

  it('记录跟进 with a 2,000-byte note with line breaks and emoji, for the longest-named customer', async () => {
    const lines = Array.from({ length: 18 }, (_, i) => `${i + 1}. ${NOTE_LINE}`);
    const content = `记录跟进 ${NAME}0 明天下午3点再联系。\n${lines.join('\n')}`.slice(0, 730);
    expect(utf8Bytes(content)).toBeGreaterThan(1900);
    expect(utf8Bytes(content)).toBeLessThanOrEqual(2048);
    const card = await say(content);
    expect(card).toContain('已记录跟进');
    expectWithinLimits(fresh());
  });

  it('打标签 with 20 tags of 30 characters, then the profile card with all of it', async () => {
    const tags = Array.from({ length: 20 }, (_, i) => TAG(i));
    expect(await say(`打标签 ${NAME}0 ${tags.join(' ')}`)).toContain('标签');
    const profile = await say(`查客户 ${NAME}0`);
    expect(profile).toContain('客户档案');
    expectWithinLimits(fresh());
  });

  it('the timeline pages of a customer with 200 follow-ups', async () => {
    const first = await say(`查客户 ${NAME}0 全部`);
    expect(first).toContain('客户时间线');
    expect(await say(`查客户 ${NAME}0 2`)).toContain('第2/');
    expectWithinLimits(fresh());
  });

  it('待办 with 50 reminders, 我的客户 with 72 customers, a numbered list of 12 namesakes, and the other commands', async () => {
    const todo = await say('待办');
    expect(todo).toMatch(/待办提醒（5\d）/);
    expect(todo).toMatch(/…共5\d条/);
    expect(await say('我的客户')).toContain('我的客户');
    expect(await say('查客户 王磊')).toContain('回复数字选择');
    expect(await say('1')).toContain('客户档案');
    expect(await say(`商机 ${NAME}1 99999万 100% 月底`)).toContain('¥');
    expect(await say(`阶段 ${NAME}2 商机`)).toContain('商机');
    expect(await say(`勿扰 ${NAME}3 ${NOTE_LINE.repeat(9)}`)).toContain(NAME);
    expect(await say(`恢复 ${NAME}3`)).toContain(NAME);
    expect(await say(`提醒 明天上午10点 ${NAME}4 ${NOTE_LINE.repeat(8)}`)).toContain('提醒已设好');
    const id = /#(\d+)/.exec(todo)![1]!;
    expect(await say(`推迟 ${id} 后天上午10点`)).toContain('推迟到');
    expect(await say(`完成 ${id}`)).toContain('已完成');
    expect(await say('撤销')).toBeTruthy();
    expect(await say(`今天天气不错${NOTE_LINE.repeat(10)}`)).toBeTruthy();
    expectWithinLimits(fresh());
  });

  it('今日, and 报表 for an admin over 200 people', async () => {
    expect(await say('今日')).toContain('今日简报');
    const report = await say('报表 本月', 'boss');
    expect(report).toMatch(/另有\d+人未显示/);
    expectWithinLimits(fresh());
  });

  it('every reminder fires as a card; a click updates it and 查看客户 sends the profile; overdue posts reach the team group', async () => {
    // and one three hours past its time: overdue by the clock, so its check posts to the team group
    const first = await container.dataSource.getRepository(Customer).findOneByOrFail({ externalUserid: 'wmLargest0' });
    const { reminder: late } = await container.services.reminders.create({
      staffUserid: 'zhangsan',
      customerId: first.id,
      content: `联系 ${NAME}0：${NOTE_LINE.repeat(12)}`,
      dueAt: new Date(Date.now() - 3 * 3_600_000),
      sourceKey: 'largest:reminder:late',
    });
    await container.services.reminders.scheduleJob(late);
    await promoteDelayedJobs(container.queues.get('reminders'));
    const cards = await waitFor(
      async () => sent('message/send').filter((c) => String((c.body.template_card as { task_id?: string } | undefined)?.task_id ?? '').startsWith('rem-')),
      (c) => c.length >= 49,
      60_000,
      'the reminder cards',
    );
    // (not the late one: it is left open to become overdue)
    const card = cards
      .map((c) => c.body.template_card as { task_id: string; button_list: Array<{ key: string }> })
      .find((c) => !c.task_id.startsWith(`rem-${late.id}-`))!;
    const done = card.button_list.find((b) => b.key.startsWith('rem:done:'))!.key;
    const profile = card.button_list.find((b) => b.key.startsWith('rem:customer:'))!.key;
    await post(templateCardEventXml({ corpId: container.wecom.corpId, from: 'zhangsan', eventKey: profile, taskId: card.task_id, responseCode: 'RC-1' }));
    await post(templateCardEventXml({ corpId: container.wecom.corpId, from: 'zhangsan', eventKey: done, taskId: card.task_id, responseCode: 'RC-2' }));
    await waitFor(
      async () => sent('message/update_template_card'),
      (u) => u.length >= 1,
      15_000,
      'the card update',
    );
    await waitFor(
      async () => sent('message/send').filter((c) => JSON.stringify(c.body).includes('客户档案')),
      (p) => p.length >= 3,
      15_000,
      'the profile card',
    );
    await waitFor(
      async () => {
        await promoteDelayedJobs(container.queues.get('overdue'));
        return sent('webhook/send');
      },
      (w) => w.some((c) => c.body.msgtype === 'template_card' && JSON.stringify(c.body).includes('提醒已超时未处理')),
      30_000,
      'an overdue post',
    );
    expectWithinLimits(fresh());
  });

  it('the team digests (a robot, an app chat) and the personal digests, for 200 people', async () => {
    const job = await container.queues.get('maintenance').add(DIGEST_JOBS.team, {}, { jobId: 'largest-team', timestamp: Date.now() } as never);
    await waitFor(
      async () => (await job.getState()) as string,
      (s) => s === 'completed',
      60_000,
      'the team digest job',
    );
    const daily = await container.queues.get('maintenance').add(DIGEST_JOBS.daily, {}, { jobId: 'largest-daily', timestamp: Date.now() } as never);
    await waitFor(
      async () => (await daily.getState()) as string,
      (s) => s === 'completed',
      60_000,
      'the personal digest job',
    );
    await waitFor(
      async () => [
        sent('appchat/send'),
        sent('webhook/send').filter((c) => c.body.msgtype === 'markdown' && String((c.body.markdown as { content: string }).content).includes('团队日报')),
      ],
      ([a, r]) => a!.length >= 1 && r!.length >= 1,
      30_000,
      'both team digests',
    );
    await waitFor(
      async () => sent('message/send').filter((c) => String(c.body.touser).startsWith('Sales')),
      (s) => s.length >= 150,
      60_000,
      'the personal digests',
    );
    const robot = sent('webhook/send').find(
      (c) => c.body.msgtype === 'markdown' && String((c.body.markdown as { content: string }).content).includes('团队日报'),
    )!;
    expect(utf8Bytes((robot.body.markdown as { content: string }).content)).toBeGreaterThan(2048);
    expectWithinLimits(fresh());
  });

  it('a customer with the longest name deletes the salesperson, the salesperson deletes another; a transfer fails; a new customer gets the longest welcome and the SOP steps', async () => {
    await post(externalContactXml({ corpId: container.wecom.corpId, changeType: 'del_follow_user', userId: 'zhangsan', externalUserId: 'wmLargest5' }));
    await post(externalContactXml({ corpId: container.wecom.corpId, changeType: 'del_external_contact', userId: 'zhangsan', externalUserId: 'wmLargest7' }));
    await post(
      externalContactXml({
        corpId: container.wecom.corpId,
        changeType: 'transfer_fail',
        userId: 'zhangsan',
        externalUserId: 'wmLargest6',
        failReason: 'customer_refused',
      }),
    );
    world.addCustomer('wmNewLongest', NAME, [{ userid: 'zhangsan', state: 'long-new', remark: REMARK }]);
    await post(
      externalContactXml({
        corpId: container.wecom.corpId,
        changeType: 'add_external_contact',
        userId: 'zhangsan',
        externalUserId: 'wmNewLongest',
        state: 'long-new',
        welcomeCode: 'WELCOME-LONGEST',
      }),
    );
    const [welcome] = await waitFor(
      async () => sent('externalcontact/send_welcome_msg'),
      (w) => w.length === 1,
      15_000,
      'the welcome',
    );
    expect(utf8Bytes((welcome!.body.text as { content: string }).content)).toBeGreaterThan(3900);
    await waitFor(
      async () => sent('webhook/send').filter((c) => c.body.msgtype === 'template_card' && JSON.stringify(c.body).includes('删人提醒')),
      (s) => s.length === 1,
      15_000,
      'the 删人提醒 group post',
    );
    await waitFor(
      async () => sent('message/send').filter((c) => JSON.stringify(c.body).includes('转接失败')),
      (s) => s.length === 2,
      15_000,
      'the transfer alerts',
    );
    const removed = await waitFor(
      async () => sent('message/send').filter((c) => JSON.stringify(c.body).includes('删除了客户')),
      (s) => s.length >= 1,
      15_000,
      'the 客户流失 card to the lead',
    );
    expect(String((removed[0]!.body.template_card as { main_title: { title: string } }).main_title.title)).toMatch(/… 删除了客户 静安/);
    await waitFor(
      async () => {
        await promoteDelayedJobs(container.queues.get('sop'));
        return sent('message/send').filter((c) => JSON.stringify(c.body).includes('SOP'));
      },
      (s) => s.length >= 1,
      30_000,
      'an SOP step',
    );
    expectWithinLimits(fresh());
  });

  it('nothing that reached WeCom was refused or over a limit, and every kind of message was sent', () => {
    expectWithinLimits(world.calls);
    const kinds = new Set(
      world.calls
        .filter((c) => MESSAGE_APIS.has(c.api))
        .map(
          (c) =>
            `${c.api}:${String(c.body.msgtype ?? (c.body.text ? 'text' : 'update'))}:${String((c.body.template_card as { card_type?: string } | undefined)?.card_type ?? '')}`,
        ),
    );
    expect([...kinds].sort()).toEqual(
      [
        'appchat/send:markdown:',
        'externalcontact/send_welcome_msg:text:',
        'message/send:markdown:',
        'message/send:template_card:button_interaction',
        'message/send:template_card:text_notice',
        'message/send:text:',
        'message/update_template_card:update:button_interaction',
        'webhook/send:markdown:',
        'webhook/send:template_card:text_notice',
      ].sort(),
    );
  });
});
