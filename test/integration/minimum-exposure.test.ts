import type Koa from 'koa';
import request from 'supertest';
import { Customer, CustomerRelation, FollowUp, Reminder, Staff, Team } from '../../entities';
import type { Container } from '../../src/container';
import dayjs from '../../src/platform/dayjs';
import { workerModules } from '../../src/feature-modules';
import { createWebApp } from '../../src/web';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { REPORT_REFUSED } from '../../templates/cards/digest.cards';
import { CUSTOMER_NOT_VISIBLE } from '../../templates/who-sees';
import { fakeWecom, messageText, type WecomCall } from '../helpers/fake-wecom';
import { createTestContainer, deleteRedisPrefix, resetState, waitFor } from '../helpers/test-env';
import { signedCallback, textMessageXml } from '../helpers/wecom-callbacks';

const TZ = 'Asia/Shanghai';
/** The bot's clock: a Sunday 10:00 ahead of the real one (reminders are delayed jobs on the real clock). */
const TODAY = dayjs().tz(TZ).startOf('day');
const NOW = TODAY.add(14 - TODAY.day(), 'day')
  .hour(10)
  .toDate();

const PHONE = '13812345678';
const MASKED = '138****5678';

/**
 * Who sees a customer, end to end through the webhook: 张三 is zhangsan's customer; lisi is in his
 * team, the lead leads it, zhaoliu is in another team, boss is an admin. Every command that shows a
 * customer is run as each of them: the owner sees the phone number, the lead and the admin see the
 * customer with it masked, a teammate and a stranger do not find them at all.
 */
describe('minimum exposure: who sees a customer, and their phone number', () => {
  let container: Container;
  let app: Koa;
  let worker: WorkerHandle;
  let calls: WecomCall[];
  let msgId = 7_100_000_000_000_000_000n;

  beforeAll(async () => {
    container = await createTestContainer('exposure', { CRM_QUIET_HOURS: 'off', CRM_ADMINS: 'boss', INBOUND_RETRY_DELAY_MS: '50' });
    app = createWebApp(container);
    worker = startWorker(container, { sweepEveryMs: 60_000, modules: workerModules(container, () => NOW) });
  });

  beforeEach(async () => {
    calls = fakeWecom();
    await resetState(container);
    const ds = container.dataSource;
    const [east, west] = await ds.getRepository(Team).save([
      { name: '华东组', leadUserid: 'lead' },
      { name: '华西组', leadUserid: null },
    ]);
    await ds.getRepository(Staff).save([
      { userid: 'zhangsan', wecomUserid: 'zhangsan', name: '张三销售', teamId: east!.id },
      { userid: 'lisi', wecomUserid: 'lisi', name: '李四销售', teamId: east!.id },
      { userid: 'lead', wecomUserid: 'lead', name: '赵主管', teamId: east!.id },
      { userid: 'zhaoliu', wecomUserid: 'zhaoliu', name: '赵六销售', teamId: west!.id },
      { userid: 'boss', wecomUserid: 'boss', name: '王经理' },
    ]);
    const customer = await ds.getRepository(Customer).save({ name: '张三', externalUserid: 'wmExposure1' });
    await ds.getRepository(CustomerRelation).save({
      customerId: customer.id,
      staffUserid: 'zhangsan',
      addedAt: new Date('2026-10-01T02:00:00Z'),
      remarkMobiles: [PHONE],
    });
    await ds.getRepository(FollowUp).save({ customerId: customer.id, staffUserid: 'zhangsan', content: `客户手机${PHONE}，约了下周回电` });
    await ds.getRepository(Reminder).save({
      customerId: customer.id,
      staffUserid: 'zhangsan',
      content: `打${PHONE}回访张三`,
      dueAt: dayjs(NOW).add(2, 'day').toDate(),
      status: 'pending',
    });
  });

  afterAll(async () => {
    worker.stop();
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  async function say(from: string, content: string): Promise<string> {
    const before = calls.filter((c) => c.api === 'message/send').length;
    const req = signedCallback(container.wecom, textMessageXml({ corpId: container.wecom.corpId, from, content, msgId: String((msgId += 1n)) }));
    expect((await request(app.callback()).post(req.path).send(req.body)).status).toBe(200);
    const sends = await waitFor(
      async () => calls.filter((c) => c.api === 'message/send'),
      (s) => s.length > before,
      15_000,
      `a reply to "${content}"`,
    );
    expect(sends[before]!.body.touser).toBe(from);
    return messageText(sends[before]!.body);
  }

  type Sees = 'phone' | 'masked' | 'nothing';
  const viewers: Array<[string, string, Sees]> = [
    ['the owner', 'zhangsan', 'phone'],
    ['a teammate', 'lisi', 'nothing'],
    ['a stranger', 'zhaoliu', 'nothing'],
    ['the lead', 'lead', 'masked'],
    ['an admin', 'boss', 'masked'],
  ];

  function expectSees(reply: string, sees: Sees, shown: string) {
    if (sees === 'nothing') {
      expect(reply).not.toContain(shown);
      expect(reply).not.toContain('5678');
      return;
    }
    expect(reply).toContain(shown);
    if (sees === 'phone') expect(reply).toContain(PHONE);
    else {
      expect(reply).toContain(MASKED);
      expect(reply).not.toContain(PHONE);
    }
  }

  it.each(viewers)('查客户 (the profile card) as %s', async (_who, userid, sees) => {
    const reply = await say(userid, '查客户 张三');
    if (sees === 'nothing') expect(reply).toContain('没有找到客户「张三」');
    expectSees(reply, sees, '客户档案');
  });

  it.each(viewers)('查客户 … 全部 (the timeline) as %s', async (_who, userid, sees) => {
    const reply = await say(userid, '查客户 张三 全部');
    if (sees === 'nothing') expect(reply).toContain('没有找到客户「张三」');
    expectSees(reply, sees, '客户时间线');
  });

  it.each(viewers)('查 by part of the phone number as %s', async (_who, userid, sees) => {
    const reply = await say(userid, '查 5678');
    if (sees === 'nothing') expect(reply).toContain('没有找到客户「5678」');
    else expectSees(reply, sees, '客户档案');
  });

  it.each(viewers)('我的客户 as %s', async (_who, userid, sees) => {
    const reply = await say(userid, '我的客户');
    if (sees === 'nothing') expect(reply).not.toContain('张三');
    else expect(reply).toContain('**张三**');
    expect(reply).not.toContain(PHONE);
  });

  it.each(viewers)('待办 and 今日 as %s: a reminder is its writer’s alone', async (_who, userid) => {
    for (const command of ['待办', '今日']) {
      const reply = await say(userid, command);
      if (userid === 'zhangsan') expect(reply).toContain('张三');
      else expect(reply).not.toContain('回访张三');
    }
  });

  it.each(viewers)('商机 (a write) as %s: only the owner and an admin change the customer', async (_who, userid) => {
    const reply = await say(userid, '商机 张三 5000');
    if (userid === 'zhangsan' || userid === 'boss') expect(reply).not.toContain('没有找到客户');
    else expect(reply).toContain('没有找到客户「张三」');
  });

  it.each(viewers)('报表 as %s: a lead’s team, an admin everyone, anyone else refused', async (_who, userid) => {
    const reply = await say(userid, '报表');
    if (userid === 'lead' || userid === 'boss') expect(reply).not.toContain(REPORT_REFUSED);
    else expect(reply).toContain(REPORT_REFUSED);
    expect(reply).not.toContain(PHONE);
  });

  it('a customer chosen from a list who has gone to a colleague since is refused, saying who can see them', async () => {
    const ds = container.dataSource;
    const other = await ds.getRepository(Customer).save({ name: '张三', externalUserid: 'wmExposure2' });
    await ds.getRepository(CustomerRelation).save({ customerId: other.id, staffUserid: 'zhangsan', addedAt: new Date('2026-10-02T02:00:00Z') });
    expect(await say('zhangsan', '查客户 张三')).toContain('找到2位「张三」');
    // Both move to a salesperson of another team before the answer.
    await ds.getRepository(CustomerRelation).update({ staffUserid: 'zhangsan' }, { staffUserid: 'zhaoliu' });
    expect(await say('zhangsan', '1')).toContain(CUSTOMER_NOT_VISIBLE);
  });
});
