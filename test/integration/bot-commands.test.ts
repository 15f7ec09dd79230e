import type Koa from 'koa';
import request from 'supertest';
import { Customer, CustomerRelation, FollowUp, Reminder, Staff, StageChange } from '../../entities';
import type { Container } from '../../src/container';
import dayjs from '../../src/platform/dayjs';
import { workerModules } from '../../src/feature-modules';
import { reminderJobId } from '../../src/modules/reminders/reminder.scheduler';
import { createWebApp } from '../../src/web';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { fakeWecom, messageText, type WecomCall } from '../helpers/fake-wecom';
import { waitForQuiet } from '../helpers/quiet';
import { createTestContainer, deleteRedisPrefix, resetState, waitFor } from '../helpers/test-env';
import { signedCallback, textMessageXml } from '../helpers/wecom-callbacks';

const TZ = 'Asia/Shanghai';
/**
 * The bot's clock: a Sunday 10:00 in Shanghai, one to two weeks ahead of the real clock. It must be
 * in the future because reminders are delayed Bull jobs timed by the real clock: a reminder due
 * before the real now would fire at once.
 */
const TODAY = dayjs().tz(TZ).startOf('day');
const SUNDAY = TODAY.add(14 - TODAY.day(), 'day').hour(10);
const NOW = SUNDAY.toDate();
/** "11月24日 周二": how a reply names a day `daysAfterNow` days after NOW. */
const dayLabel = (daysAfterNow: number) => {
  const day = SUNDAY.add(daysAfterNow, 'day');
  return `${day.month() + 1}月${day.date()}日 周${'日一二三四五六'[day.day()]}`;
};

/**
 * Salespeople typing to the app, end to end: a signed callback to the real webhook, the real queue
 * and worker, the bot, MariaDB, and the reply through the outbound queue to WeCom (nock).
 */
describe('chat commands through the webhook', () => {
  let container: Container;
  let app: Koa;
  let worker: WorkerHandle;
  let calls: WecomCall[];
  let msgId = 7_000_000_000_000_000_000n;

  beforeAll(async () => {
    container = await createTestContainer('bot', { CRM_QUIET_HOURS: 'off', CRM_ADMINS: 'boss', INBOUND_RETRY_DELAY_MS: '50' });
    app = createWebApp(container);
    worker = startWorker(container, { sweepEveryMs: 60_000, modules: workerModules(container, () => NOW) });
  });

  beforeEach(async () => {
    calls = fakeWecom();
    await resetState(container);
    const staff = container.dataSource.getRepository(Staff);
    await staff.save([
      { userid: 'zhangsan', wecomUserid: 'ZhangSan', name: '张三销售' },
      { userid: 'lisi', wecomUserid: 'lisi', name: '李四销售' },
      { userid: 'boss', wecomUserid: 'boss', name: '王经理' },
    ]);
    const customers = container.dataSource.getRepository(Customer);
    const relations = container.dataSource.getRepository(CustomerRelation);
    let n = 0;
    const add = async (name: string, owner: string, extra: Partial<CustomerRelation> = {}) => {
      const customer = await customers.save({ name, externalUserid: `wmCustomer${(n += 1)}` });
      await relations.save({ customerId: customer.id, staffUserid: owner, addedAt: new Date('2026-10-01T02:00:00Z'), ...extra });
      return customer;
    };
    await add('张三', 'zhangsan', { state: 'douyin-live', remarkMobiles: ['13812345678'] });
    await add('张三丰', 'zhangsan');
    await add('王五', 'zhangsan', { remark: '王五-北京' });
    await add('王五', 'zhangsan', { remark: '王五-上海' });
    await add('李四', 'lisi');
  });

  afterAll(async () => {
    worker.stop();
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  /** Types `content` as `from` and waits for the bot's reply (the n-th message/send overall). */
  async function say(from: string, content: string, options: { msgId?: string } = {}): Promise<string> {
    const id = options.msgId ?? String((msgId += 1n));
    const before = calls.filter((c) => c.api === 'message/send').length;
    const req = signedCallback(container.wecom, textMessageXml({ corpId: container.wecom.corpId, from, content, msgId: id }));
    const res = await request(app.callback()).post(req.path).send(req.body);
    expect(res.status).toBe(200);
    const sends = await waitFor(
      async () => calls.filter((c) => c.api === 'message/send'),
      (s) => s.length > before,
      15_000,
      `a reply to "${content}"`,
    );
    const reply = sends[before]!.body;
    expect(reply.touser).toBe(from);
    return messageText(reply);
  }

  const customerNamed = (name: string) => container.dataSource.getRepository(Customer).findOneByOrFail({ name });

  it('记录跟进 with a date records the follow-up, schedules the reminder and confirms with the resolved time', async () => {
    const reply = await say('ZhangSan', '记录跟进 张三 电话沟通了报价，下周二再联系');
    expect(reply).toContain('已记录跟进：张三');
    expect(reply).toContain(dayLabel(2));

    const zhang = await customerNamed('张三');
    const followUps = await container.dataSource.getRepository(FollowUp).findBy({ customerId: zhang.id });
    expect(followUps).toHaveLength(1);
    expect(followUps[0]).toMatchObject({ staffUserid: 'zhangsan', content: '电话沟通了报价，下周二再联系' });
    expect(zhang.lastContactAt?.toISOString()).toBe(NOW.toISOString());

    const [reminder] = await container.dataSource.getRepository(Reminder).findBy({ customerId: zhang.id });
    expect(dayjs(reminder!.dueAt).tz(TZ).format('YYYY-MM-DD')).toBe(SUNDAY.add(2, 'day').format('YYYY-MM-DD'));
    const job = await container.queues.get('reminders').getJob(reminderJobId(reminder!.id));
    expect(job).not.toBeNull();
    const firesAt = job!.timestamp + Number(job!.opts.delay ?? 0);
    expect(Math.abs(firesAt - Math.max(reminder!.dueAt.getTime(), job!.timestamp))).toBeLessThan(1000);
  });

  it('a redelivered command records once and answers once', async () => {
    await say('zhangsan', '跟进 张三丰 发了案例', { msgId: '424242' });
    const req = signedCallback(
      container.wecom,
      textMessageXml({ corpId: container.wecom.corpId, from: 'zhangsan', content: '跟进 张三丰 发了案例', msgId: '424242' }),
    );
    expect((await request(app.callback()).post(req.path).send(req.body)).status).toBe(200);
    await waitForQuiet(container);
    expect(await container.dataSource.getRepository(FollowUp).count()).toBe(1);
    expect(calls.filter((c) => c.api === 'message/send')).toHaveLength(1);
  });

  it('an ambiguous name gets a numbered list, and the number picks the customer', async () => {
    const list = await say('zhangsan', '查客户 王五');
    expect(list).toContain('找到2位「王五」');
    expect(list).toContain('王五-北京');
    const card = await say('zhangsan', '2');
    expect(card).toContain('客户档案');
    expect(card).toContain('王五');
  });

  it('finds a customer by part of a phone number, and shows the profile', async () => {
    const card = await say('zhangsan', '查 5678');
    expect(card).toContain('张三');
    expect(card).toContain('douyin-live');
  });

  it('runs a typo one character off as the command it meant, suggests otherwise, and hints for plain chat', async () => {
    expect(await say('zhangsan', '跟近 张三 打了电话')).toContain('按“记录跟进”记录（你输入的是“跟近”）');
    expect(await say('zhangsan', '记录根近 张三 打了电话')).toContain('你是不是想用「记录跟进」');
    expect(await say('zhangsan', '你好')).toContain('发送「帮助」');
  });

  it('a salesperson cannot see or change a colleague’s customer; an admin can', async () => {
    expect(await say('zhangsan', '阶段 李四 商机')).toContain('没有找到客户「李四」');
    expect((await customerNamed('李四')).stage).toBe('lead');
    expect(await say('boss', '查客户 李四')).toContain('客户档案');
  });

  it('bad input gets the usage line and an example, and stores nothing', async () => {
    const missing = await say('zhangsan', '记录跟进 张三');
    expect(missing).toContain('用法：记录跟进 <客户> <内容>');
    expect(missing).toContain('例如：');
    expect(await say('zhangsan', '阶段 张三 签约')).toContain('没有「签约」这个阶段');
    expect(await say('zhangsan', '商机 张三 很多钱')).toContain('不是金额');
    expect(await say('zhangsan', '提醒 改天 张三 回访')).toContain('看不懂时间');
    expect(await container.dataSource.getRepository(FollowUp).count()).toBe(0);
    expect(await container.dataSource.getRepository(StageChange).count()).toBe(0);
    expect(await container.dataSource.getRepository(Reminder).count()).toBe(0);
  });

  it('阶段 moves the customer and keeps history; 撤销 undoes it once', async () => {
    expect(await say('zhangsan', '阶段 张三 商机')).toContain('张三：商机');
    expect((await customerNamed('张三')).stage).toBe('opportunity');
    expect(await say('zhangsan', '撤销')).toContain('已撤销：张三 的阶段变更（线索 → 商机），已改回 线索');
    expect((await customerNamed('张三')).stage).toBe('lead');
    expect(await say('zhangsan', '撤销')).toContain('没有可以撤销的记录');
  });

  it('撤销 of a follow-up takes it back whole: the note, its reminder, and the customer’s last contact', async () => {
    expect(await say('zhangsan', '记录跟进 张三丰 发错了，明天下午3点再联系')).toContain('已记录跟进：张三丰');
    expect((await customerNamed('张三丰')).lastContactAt).not.toBeNull();
    expect(await say('zhangsan', '撤销')).toContain('已撤销：张三丰 的跟进「发错了，明天下午3点再联系」和它设的提醒 #');
    const customer = await customerNamed('张三丰');
    expect(await container.dataSource.getRepository(FollowUp).countBy({ customerId: customer.id })).toBe(0);
    expect((await container.dataSource.getRepository(Reminder).findBy({ customerId: customer.id })).map((r) => r.status)).toEqual(['cancelled']);
    // Not contacted after all: a "no follow-up since" SOP step and the silent-customer figures must see that.
    expect(customer.lastContactAt).toBeNull();
  });

  it('打标签 and 去标签 keep the tag links with their source', async () => {
    expect(await say('zhangsan', '打标签 张三 高意向 教育行业')).toContain('高意向、教育行业');
    expect(await say('zhangsan', '去标签 张三 高意向')).toContain('现有标签');
    const zhang = await customerNamed('张三');
    expect(await container.services.tags.namesFor(zhang.id)).toEqual(['教育行业']);
  });

  it('提醒 and 待办: a reminder with a customer, listed with its number; 完成 closes it', async () => {
    const confirm = await say('zhangsan', '提醒 明天下午3点 张三 发报价');
    expect(confirm).toContain(`${dayLabel(1)} 15:00`);
    const [reminder] = await container.dataSource.getRepository(Reminder).find();
    expect(reminder).toMatchObject({ content: '发报价', status: 'pending' });
    expect((await container.dataSource.getRepository(Customer).findOneByOrFail({ id: reminder!.customerId! })).name).toBe('张三');
    expect(await say('zhangsan', '待办')).toContain(`#${reminder!.id}`);
    expect(await say('zhangsan', `完成 ${reminder!.id}`)).toContain(`✅ 提醒 #${reminder!.id} 已完成：发报价`);
    expect((await container.dataSource.getRepository(Reminder).findOneByOrFail({ id: reminder!.id })).status).toBe('done');
    // typed again (to be sure): said so, not announced as done a second time
    const again = await say('zhangsan', `完成 ＃${reminder!.id}`);
    expect(again).toContain(`提醒 #${reminder!.id} 之前已经完成了`);
    expect(again).not.toContain('✅');
    expect(await container.queues.get('reminders').getJob(reminderJobId(reminder!.id))).toBeNull();
  });

  it('帮助 lists every command from the registry', async () => {
    const help = await say('zhangsan', '帮助');
    for (const name of ['记录跟进', '查客户', '我的客户', '打标签', '去标签', '阶段', '商机', '提醒', '待办', '今日', '撤销']) expect(help).toContain(name);
    expect(await say('zhangsan', '帮助 商机')).toContain('商机 <客户> <金额>');
  });

  it('商机 and 我的客户 and 今日 answer with the numbers', async () => {
    expect(await say('zhangsan', '商机 张三 5万 60% 月底')).toContain('¥50,000');
    expect(await say('zhangsan', '我的客户 商机')).toContain('张三');
    expect(await say('zhangsan', '今日')).toContain('今日简报');
  });
});
