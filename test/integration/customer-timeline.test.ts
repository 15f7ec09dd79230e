import type Koa from 'koa';
import { AuditLog, Customer, CustomerRelation, Reminder, Staff } from '../../entities';
import type { Container } from '../../src/container';
import dayjs from '../../src/platform/dayjs';
import { workerModules } from '../../src/feature-modules';
import { createWebApp } from '../../src/web';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { say as sayTo } from '../helpers/bot-chat';
import { fakeWecom, type WecomCall } from '../helpers/fake-wecom';
import { createTestContainer, deleteRedisPrefix, resetState } from '../helpers/test-env';

const TZ = 'Asia/Shanghai';
/** A Sunday 10:00 in Shanghai ahead of the real clock (the 下周二 reminder is a delayed job on the real clock). */
const TODAY = dayjs().tz(TZ).startOf('day');
const SUNDAY = TODAY.add(14 - TODAY.day(), 'day').hour(10);
const NOW = SUNDAY.toDate();

/** 查客户: the summary card and the paged timeline, through the webhook, the queue and the bot. */
describe('customer timeline and summary (查客户)', () => {
  let container: Container;
  let app: Koa;
  let worker: WorkerHandle;
  let calls: WecomCall[];
  const say = (from: string, text: string) => sayTo(container, app, calls, from, text);

  beforeAll(async () => {
    container = await createTestContainer('timeline', { CRM_QUIET_HOURS: 'off', INBOUND_RETRY_DELAY_MS: '50' });
    app = createWebApp(container);
    worker = startWorker(container, { sweepEveryMs: 60_000, modules: workerModules(container, () => NOW) });
  });

  beforeEach(async () => {
    calls = fakeWecom();
    await resetState(container);
    await container.dataSource.getRepository(Staff).save([
      { userid: 'zhangsan', wecomUserid: 'zhangsan', name: '张三销售' },
      { userid: 'lisi', wecomUserid: 'lisi', name: '李四销售' },
    ]);
    const customer = await container.dataSource.getRepository(Customer).save({ name: '张三', externalUserid: 'wmZhang' });
    await container.dataSource.getRepository(CustomerRelation).save([
      { customerId: customer.id, staffUserid: 'zhangsan', state: 'douyin-live', addedAt: SUNDAY.subtract(30, 'day').toDate() },
      {
        customerId: customer.id,
        staffUserid: 'lisi',
        addedAt: SUNDAY.subtract(20, 'day').toDate(),
        status: 'lost',
        endedAt: SUNDAY.subtract(5, 'day').toDate(),
      },
    ]);
  });

  afterAll(async () => {
    worker.stop();
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  it('the card sums up the customer: how long, stage and time in stage, last three follow-ups, open reminders, owners, channel, tags', async () => {
    const fresh = await say('zhangsan', '查客户 张三');
    expect(fresh).toContain('客户档案');
    expect(fresh).toContain('客户30天');
    expect(fresh).toContain('还没有跟进记录');

    await say('zhangsan', '打标签 张三 高意向');
    await say('zhangsan', '记录跟进 张三 电话沟通了报价，下周二再联系');
    await say('zhangsan', '跟进 张三 发了案例');
    await say('zhangsan', '跟进 张三 约了演示');
    await say('zhangsan', '跟进 张三 演示很顺利');
    await say('zhangsan', '阶段 张三 商机');

    const card = await say('zhangsan', '查客户 张三');
    expect(card).toContain('商机 · 客户30天');
    expect(card).toContain('商机 · 今天起');
    // the newest three, newest first; the first follow-up is no longer shown
    expect(card).toMatch(/张三销售：演示很顺利.*张三销售：约了演示.*张三销售：发了案例/);
    expect(card).not.toContain('电话沟通了报价');
    expect(card).toContain('"张三销售"'); // owners: only the active follower
    expect(card).not.toContain('李四销售');
    expect(card).toContain('douyin-live');
    expect(card).toContain('高意向');
    expect(card).toMatch(/1条 · 下次 \d+月\d+日 周二 09:00/);
    expect(card).toContain('完整记录：查客户 张三 全部');
  });

  it('全部 shows the whole timeline newest first in pages of eight, and a page number turns the page', async () => {
    await say('zhangsan', '打标签 张三 高意向');
    await say('zhangsan', '记录跟进 张三 电话沟通了报价，下周二再联系');
    await say('zhangsan', '跟进 张三 发了案例');
    await say('zhangsan', '阶段 张三 商机');
    await say('zhangsan', '去标签 张三 高意向');
    const customer = await container.dataSource.getRepository(Customer).findOneByOrFail({ name: '张三' });
    await container.dataSource
      .getRepository(Reminder)
      .save({ staffUserid: 'zhangsan', customerId: customer.id, content: '寄样品', dueAt: SUNDAY.subtract(1, 'day').toDate() });

    // added ×2, ended, tag added, tag removed, follow-up ×2, reminder created ×2, reminder missed, stage = 11 entries
    const first = await say('zhangsan', '查客户 张三 全部');
    expect(first).toContain('张三 · 客户时间线');
    expect(first).toContain('第1/2页，共11条');
    expect(first).toContain('阶段 线索 → 商机');
    expect(first).toContain('去标签：高意向');
    expect(first).toContain('客户删除了李四销售');
    expect(first).toContain('提醒逾期未完成：寄样品');
    expect(first).toContain('下一页：发送「查客户 张三 2」');

    const second = await say('zhangsan', '查客户 张三 2');
    expect(second).toContain('第2/2页');
    expect(second).toContain('添加了张三销售（渠道 douyin-live）');
    expect(second).toContain('已是最后一页');
    // the oldest entry is the last line of the last page
    expect(second.indexOf('添加了张三销售')).toBeGreaterThan(second.indexOf('添加了李四销售'));

    expect(await say('zhangsan', '查客户 张三 3')).toContain('张三的时间线只有2页');
    // after 全部, people add the page to what they typed
    for (const typed of ['查客户 张三 全部 2', '查客户 张三 全部 第2页', '查客户，张三，全部，第二页'])
      expect(await say('zhangsan', typed)).toContain('第2/2页');
  });

  it('a lone number is still a phone fragment, and a colleague who never followed the customer does not see them', async () => {
    await container.dataSource.getRepository(CustomerRelation).update({ staffUserid: 'zhangsan' }, { remarkMobiles: ['13812345678'] });
    expect(await say('zhangsan', '查 5678')).toContain('客户档案');
    expect(await say('wangwu', '查客户 张三 全部')).toContain('没有找到客户「张三」');
  });

  it('tags removed in WeCom itself (kept only as counts) still show in the timeline', async () => {
    const customer = await container.dataSource.getRepository(Customer).findOneByOrFail({ name: '张三' });
    await container.dataSource.getRepository(AuditLog).save({
      actor: 'system',
      action: 'customer.edit',
      targetType: 'customer',
      targetId: String(customer.id),
      detail: { userid: 'zhangsan', added: 0, removed: 2 },
    });
    expect(await say('zhangsan', '查客户 张三 全部')).toContain('企业微信里移除了2个标签');
  });
});
