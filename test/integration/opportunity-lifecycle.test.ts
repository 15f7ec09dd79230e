import type Koa from 'koa';
import { IsNull } from 'typeorm';
import { AuditLog, Customer, CustomerRelation, Opportunity, OpportunityChange, Staff, StageChange } from '../../entities';
import type { Container } from '../../src/container';
import dayjs from '../../src/platform/dayjs';
import { workerModules } from '../../src/feature-modules';
import { createWebApp } from '../../src/web';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { say as sayTo } from '../helpers/bot-chat';
import { fakeWecom, type WecomCall } from '../helpers/fake-wecom';
import { createTestContainer, deleteRedisPrefix, resetState } from '../helpers/test-env';

const TZ = 'Asia/Shanghai';
/** The bot's clock: a Sunday 10:00 in Shanghai, ahead of the real clock. */
const TODAY = dayjs().tz(TZ).startOf('day');
const SUNDAY = TODAY.add(14 - TODAY.day(), 'day').hour(10);
const NOW = SUNDAY.toDate();
const day = (d: dayjs.Dayjs) => `${d.month() + 1}月${d.date()}日 周${'日一二三四五六'[d.day()]}`;

/** 商机 creates or updates, 赢单 / 输单 / 阶段 成交·流失 close, every change is kept and 撤销 takes it back. */
describe('opportunities that close', () => {
  let container: Container;
  let app: Koa;
  let worker: WorkerHandle;
  let calls: WecomCall[];
  const say = (text: string, from = 'zhangsan') => sayTo(container, app, calls, from, text);
  const repo = () => container.dataSource.getRepository(Opportunity);
  const customer = (name: string) => container.dataSource.getRepository(Customer).findOneByOrFail({ name });

  // a short pacing window: these tests answer more than WeCom's 30 messages a minute to one member
  beforeAll(async () => {
    container = await createTestContainer('pipeline', { CRM_QUIET_HOURS: 'off', INBOUND_RETRY_DELAY_MS: '50', OUTBOUND_PACING_WINDOW_MS: '2000' });
    app = createWebApp(container);
    worker = startWorker(container, { sweepEveryMs: 60_000, modules: workerModules(container, () => NOW) });
  });

  beforeEach(async () => {
    calls = fakeWecom();
    await resetState(container);
    await container.dataSource.getRepository(Staff).save([{ userid: 'zhangsan', wecomUserid: 'zhangsan', name: '张三销售' }]);
    let n = 0;
    for (const name of ['刘洋', '王芳', '陈静']) {
      const c = await container.dataSource.getRepository(Customer).save({ name, externalUserid: `wmPipe${(n += 1)}` });
      await container.dataSource
        .getRepository(CustomerRelation)
        .save({ customerId: c.id, staffUserid: 'zhangsan', addedAt: SUNDAY.subtract(10, 'day').toDate() });
    }
  });

  afterAll(async () => {
    worker.stop();
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  it('商机 again updates the open one; a name tells several apart; every change is in the history with who and when', async () => {
    expect(await say('商机 刘洋 5万 60% 月底')).toContain('¥50,000');
    const updated = await say('商机 刘洋 6万 70%');
    expect(updated).toContain('商机更新');
    expect(updated).toContain('¥60,000');
    expect(updated).toContain('¥50,000 · 60%');
    expect(await say('商机 刘洋 二期 20万 下周五')).toContain('二期 ¥200,000');
    const all = await repo().find({ order: { id: 'ASC' } });
    expect(all.map((o) => [o.name, o.amount, o.probability, o.status])).toEqual([
      [null, 60000, 70, 'open'],
      ['二期', 200000, null, 'open'],
    ]);
    // the close date typed first is kept when the update leaves it out
    expect(dayjs(all[0]!.expectedCloseAt).tz(TZ).format('YYYY-MM-DD')).toBe(SUNDAY.endOf('month').format('YYYY-MM-DD'));
    const history = await container.dataSource.getRepository(OpportunityChange).find({ order: { id: 'ASC' } });
    expect(history.map((h) => [h.opportunityId, h.kind, h.amount, h.probability, h.staffUserid])).toEqual([
      [all[0]!.id, 'create', 50000, 60, 'zhangsan'],
      [all[0]!.id, 'update', 60000, 70, 'zhangsan'],
      [all[1]!.id, 'create', 200000, null, 'zhangsan'],
    ]);
    expect(history.every((h) => h.createdAt.getTime() === NOW.getTime())).toBe(true);

    // both named, and 商机 names neither: which one?
    await say('商机 王芳 一期 5万');
    await say('商机 王芳 二期 8万');
    expect(await say('商机 王芳 9万')).toContain('王芳 有 2 个进行中的商机（一期、二期），请写上名称，比如：商机 王芳 一期 90000');
    expect(await repo().countBy({ customerId: (await customer('王芳')).id })).toBe(2);
  });

  it('赢单 and 输单 close one, move the stage and say so; 撤销 reopens it', async () => {
    await say('商机 刘洋 5万 60% 月底');
    await say('商机 刘洋 二期 20万');
    const won = await say('赢单 刘洋 4.8万');
    expect(won).toContain('¥48,000');
    expect(won).toContain('商机 → 成交');
    expect((await customer('刘洋')).stage).toBe('won');
    const lost = await say('输单 刘洋 二期 价格太高');
    expect(lost).toContain('价格太高');
    expect(lost).not.toContain('→');
    const [first, second] = await repo().find({ order: { id: 'ASC' } });
    expect(first).toMatchObject({ status: 'won', amount: 48000, closeReason: null });
    expect(first!.closedAt!.getTime()).toBe(NOW.getTime());
    expect(second).toMatchObject({ status: 'lost', amount: 200000, closeReason: '价格太高' });

    expect(await say('撤销')).toContain('已撤销：刘洋 的输单 ¥200,000，商机重新打开');
    expect(await repo().findOneByOrFail({ id: second!.id })).toMatchObject({ status: 'open', closedAt: null, closeReason: null });
    expect(await say('撤销')).toContain('已撤销：刘洋 的赢单 ¥48,000，商机重新打开，阶段改回 商机');
    expect(await repo().findOneByOrFail({ id: first!.id })).toMatchObject({ status: 'open', amount: 50000, probability: 60 });
    expect((await customer('刘洋')).stage).toBe('opportunity');
    expect(await container.dataSource.getRepository(OpportunityChange).countBy({ kind: 'won' })).toBe(0);

    // the last open one lost: the customer leaves the funnel
    await say('商机 王芳 3万');
    expect(await say('输单 王芳 预算砍了')).toContain('商机 → 流失');
    expect((await customer('王芳')).stage).toBe('lost');
    // nothing open: 输单 says so, 赢单 with an amount records the deal won
    expect(await say('输单 陈静 不要了')).toContain('陈静 没有进行中的商机。');
    expect(await say('赢单 陈静 2万')).toContain('线索 → 成交');
    expect(await repo().findOneByOrFail({ customerId: (await customer('陈静')).id })).toMatchObject({ status: 'won', amount: 20000 });
    expect(await say('撤销')).toContain('已撤销：陈静 的赢单 ¥20,000，阶段改回 线索');
    expect(await repo().countBy({ customerId: (await customer('陈静')).id })).toBe(0);
  });

  it('阶段 成交 / 流失 closes the open ones and says so; 撤销 reopens them with the stage', async () => {
    await say('商机 刘洋 5万');
    await say('商机 刘洋 二期 20万');
    const answer = await say('阶段 刘洋 成交');
    expect(answer).toContain('赢单');
    expect(answer).toContain('2个 共¥25万：¥5万、二期 ¥20万');
    expect((await repo().find()).map((o) => o.status)).toEqual(['won', 'won']);
    const move = await container.dataSource.getRepository(AuditLog).findOneByOrFail({ action: 'stage.change' });
    expect((move.detail!.closedOpportunities as unknown[]).length).toBe(2);
    expect(await say('撤销')).toContain('已撤销：刘洋 的阶段变更（商机 → 成交），已改回 商机，2个商机重新打开');
    expect((await repo().find()).map((o) => o.status)).toEqual(['open', 'open']);
    expect(await container.dataSource.getRepository(OpportunityChange).countBy({ kind: 'won' })).toBe(0);

    await say('商机 王芳 3万');
    expect(await say('阶段 王芳 流失')).toContain('输单');
    expect(await repo().findOneByOrFail({ customerId: (await customer('王芳')).id })).toMatchObject({ status: 'lost' });
    // a move to any other stage leaves them open
    await say('商机 陈静 1万');
    await say('阶段 陈静 潜在客户');
    expect(await repo().findOneByOrFail({ customerId: (await customer('陈静')).id })).toMatchObject({ status: 'open' });
    expect(await container.dataSource.getRepository(StageChange).countBy({ toStage: 'lost' })).toBe(1);
  });

  it('撤销 of an update puts the figures back', async () => {
    await say('商机 刘洋 5万 60%');
    await say('商机 刘洋 8万 90% 下周五');
    expect(await say('撤销')).toContain('已撤销：刘洋 的商机修改，已改回 ¥50,000 · 60%');
    expect(await repo().findOneByOrFail({ name: IsNull() })).toMatchObject({ amount: 50000, probability: 60, expectedCloseAt: null });
    expect(await container.dataSource.getRepository(OpportunityChange).count()).toBe(1);
  });

  it('the profile card and the timeline show the open ones with their close dates, and each change', async () => {
    await say('商机 刘洋 5万 60% 月底');
    await say('商机 刘洋 二期 20万 下周五');
    await say('商机 刘洋 6万');
    await say('输单 刘洋 二期 价格太高');
    await say('商机 刘洋 三期 8万 下周五');
    const card = await say('查客户 刘洋');
    const monthEnd = day(SUNDAY.endOf('month'));
    const short = (d: dayjs.Dayjs) => `${d.month() + 1}/${d.date()}`;
    expect(card).toContain(`2个：三期 ¥8万 ${short(SUNDAY.add(5, 'day'))}、¥6万 ${short(SUNDAY.endOf('month'))}`);
    const timeline = await say('查客户 刘洋 全部');
    expect(timeline).toContain(`商机 ¥60,000 · 60% · 预计${monthEnd}成交`);
    expect(timeline).toContain('商机更新：¥60,000 · 60%');
    expect(timeline).toContain('输单：二期 ¥200,000，原因：价格太高');
    expect(timeline).toContain('商机 二期 ¥200,000（已失败）');
  });
});
