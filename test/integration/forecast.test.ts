import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Koa from 'koa';
import { Customer, Opportunity, Staff } from '../../entities';
import type { Container } from '../../src/container';
import dayjs from '../../src/platform/dayjs';
import { workerModules } from '../../src/feature-modules';
import { createWebApp } from '../../src/web';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { say as sayTo } from '../helpers/bot-chat';
import { fakeWecom, type WecomCall } from '../helpers/fake-wecom';
import { createTestContainer, deleteRedisPrefix, waitFor } from '../helpers/test-env';

const TZ = 'Asia/Shanghai';
/** Wednesday 16 December 2026, 10:00 in Shanghai: 本月 is December, 本季 October–December, 下月 January. */
const NOW = dayjs.tz('2026-12-16 10:00', TZ).toDate();
const at = (local: string) => dayjs.tz(local, TZ).toDate();

/** 预测 over hand-made opportunities whose figures are worked out below, at the edges of CRM_TIMEZONE months. */
describe('预测', () => {
  let container: Container;
  let app: Koa;
  let worker: WorkerHandle;
  let calls: WecomCall[];
  const dir = mkdtempSync(join(tmpdir(), 'wecom-crm-forecast-'));
  const say = (from: string, text: string) => sayTo(container, app, calls, from, text);
  const forecast = (userid: string, period: 'month' | 'quarter' | 'next_month', isAdmin = false) =>
    container.services.forecast.forecast({ userid, isAdmin }, period, NOW);

  beforeAll(async () => {
    const teamsFile = join(dir, 'teams.json');
    writeFileSync(
      teamsFile,
      JSON.stringify({ teams: [{ name: '销售一组', lead: 'wang', members: ['zhangsan', 'lisi'], memberTargets: { zhangsan: 100000, lisi: 50000 } }] }),
    );
    container = await createTestContainer('forecast', { CRM_QUIET_HOURS: 'off', CRM_ADMINS: 'boss', INBOUND_RETRY_DELAY_MS: '50', CRM_TEAMS_FILE: teamsFile });
    app = createWebApp(container);
    worker = startWorker(container, { sweepEveryMs: 60_000, modules: workerModules(container, () => NOW) });
    // the worker's start-up syncs the teams file into teams and staff
    await waitFor(
      async () => (await container.dataSource.getRepository(Staff).find()).filter((s) => s.teamId !== null).length,
      (n) => n === 3,
      15_000,
      'the teams file synced',
    );
    await container.dataSource.getRepository(Staff).update({ userid: 'zhangsan' }, { name: '张三销售' });
    await container.dataSource.getRepository(Staff).update({ userid: 'lisi' }, { name: '李四销售' });
    await container.dataSource.getRepository(Staff).save({ userid: 'zhao', wecomUserid: 'zhao', name: '赵六' });
    const customer = await container.dataSource.getRepository(Customer).save({ name: '客户甲', externalUserid: 'wmForecast' });
    const row = (
      staffUserid: string,
      amount: number,
      probability: number | null,
      close: string | null,
      status: 'open' | 'won' | 'lost' = 'open',
      closed?: string,
    ) => ({
      customerId: customer.id,
      staffUserid,
      amount,
      probability,
      expectedCloseAt: close ? at(close) : null,
      status,
      closedAt: closed ? at(closed) : null,
    });
    await container.dataSource
      .getRepository(Opportunity)
      .save([
        row('zhangsan', 100000, 60, '2026-12-31 23:30'),
        row('zhangsan', 50000, null, '2027-01-01 00:30'),
        row('zhangsan', 20000, 50, '2026-12-10 09:00'),
        row('zhangsan', 30000, 80, '2026-12-05 09:00', 'won', '2026-12-01 00:10'),
        row('zhangsan', 40000, 80, null, 'won', '2026-11-30 23:50'),
        row('zhangsan', 99999, 10, '2026-12-20 09:00', 'lost', '2026-12-02 10:00'),
        row('lisi', 80000, 25, '2026-11-20 09:00'),
        row('lisi', 10000, null, null, 'won', '2026-12-15 12:00'),
        row('zhao', 5000, 100, '2027-02-01 09:00'),
      ]);
  });

  // nock is reset after each test
  beforeEach(() => {
    calls = fakeWecom();
  });

  afterAll(async () => {
    worker.stop();
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it("a salesperson's own, in CRM_TIMEZONE months and quarters, with the target", async () => {
    expect((await forecast('zhangsan', 'month')).total).toEqual({
      name: '我',
      target: 100000,
      figures: {
        openCount: 3,
        openAmount: 170000,
        weighted: 70000,
        dueCount: 2,
        dueAmount: 120000,
        dueWeighted: 70000,
        wonCount: 1,
        wonAmount: 30000,
        overdueCount: 1,
        overdueAmount: 20000,
      },
    });
    const quarter = await forecast('zhangsan', 'quarter');
    expect(quarter.total.figures).toMatchObject({ dueCount: 2, dueAmount: 120000, wonCount: 2, wonAmount: 70000 });
    expect(quarter.total.target).toBe(300000);
    expect(quarter.days).toBe('10月1日–12月31日');
    const next = await forecast('zhangsan', 'next_month');
    expect(next.total.figures).toMatchObject({ dueCount: 1, dueAmount: 50000, dueWeighted: 0, wonCount: 0, wonAmount: 0 });

    const text = await say('zhangsan', '预测');
    expect(text).toContain('我的预测 · 本月');
    expect(text).toContain('进行中：3个 ¥170,000 · 加权 ¥70,000');
    expect(text).toContain('本月预计成交：2个 ¥120,000 · 加权 ¥70,000');
    expect(text).toContain('本月已赢单：1个 ¥30,000 · 目标 ¥100,000 · 完成 30%');
    expect(text).toContain('1个 ¥20,000');
    expect(await say('zhangsan', '预测 本季')).toContain('本季已赢单：2个 ¥70,000 · 目标 ¥300,000 · 完成 23%');
    expect(await say('zhangsan', '预测 明年')).toContain('不认识「明年」');
  });

  it('a lead sees the team per member, zeros included; an admin everyone', async () => {
    const team = await forecast('wang', 'month');
    expect(team.scope).toBe('销售一组');
    expect(team.total.target).toBe(150000);
    expect(team.total.figures).toMatchObject({
      openCount: 4,
      openAmount: 250000,
      weighted: 90000,
      dueCount: 2,
      wonCount: 2,
      wonAmount: 40000,
      overdueCount: 2,
      overdueAmount: 100000,
    });
    expect(team.members.map((m) => [m.name, m.figures.openAmount, m.target])).toEqual(
      expect.arrayContaining([
        ['张三销售', 170000, 100000],
        ['李四销售', 80000, 50000],
        ['wang', 0, null],
      ]),
    );
    const text = await say('wang', '预测');
    expect(text).toContain('销售一组预测 · 本月');
    expect(text).toContain('完成 27%');
    expect(text).toContain('> 李四销售：进行中 ¥80,000 · 加权 ¥20,000 · 预计 ¥0 · 赢单 ¥10,000（目标 ¥50,000，完成 20%） · 过期 1个');

    const everyone = await forecast('boss', 'month', true);
    expect(everyone.total.figures).toMatchObject({ openCount: 5, openAmount: 255000, weighted: 95000 });
    expect(everyone.members.map((m) => m.name)).toEqual(['张三销售', '李四销售', '赵六']);
  });
});
