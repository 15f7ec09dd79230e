import type Koa from 'koa';
import { Customer, Opportunity, OpportunityChange } from '../../entities';
import type { SeedCustomer, SeedOpportunity, SeedOptions } from '../../src/cli/seed-data';
import { seedCustomers, seedTeams } from '../../src/cli/seed-data';
import { writeSeed } from '../../src/cli/seed-writer';
import type { Container } from '../../src/container';
import { workerModules } from '../../src/feature-modules';
import { DIGEST_JOBS } from '../../src/modules/digests/digest.jobs';
import { pipelinePerStaff } from '../../src/modules/pipeline';
import dayjs from '../../src/platform/dayjs';
import { createWebApp } from '../../src/web';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { type ForecastFigures, type ForecastPeriod, yuan } from '../../templates/forecast';
import { NO_PIPELINE, type PipelineFigures } from '../../templates/pipeline-figures';
import { say as sayTo } from '../helpers/bot-chat';
import { fakeWecom, type WecomCall } from '../helpers/fake-wecom';
import { type Period, recountForecast, recountPipeline, total } from '../helpers/pipeline-recount';
import { createTestContainer, deleteRedisPrefix, waitFor } from '../helpers/test-env';

const TZ = 'Asia/Shanghai';
const at = (local: string) => dayjs.tz(local, TZ).toDate();
/** [from, to) between two Shanghai wall-clock times: the periods are written out here, not computed by the product's code. */
const span = (from: string, to: string): Period => ({ start: at(from), end: at(to) });

/** 45 days of history through Monday 30 November 2026 (Shanghai): customers added over 90 days, close dates months ahead. */
const SEED: SeedOptions = { customers: 3000, staff: 12, teams: 3, days: 45, seed: 7, end: at('2026-12-01 00:00'), opportunities: 2400 };
/** The last evening of November, and the next morning: the month turns between them. */
const NOV_30 = at('2026-11-30 23:45');
const DEC_1 = at('2026-12-01 09:00');
/** The weekly digest of Monday 30 November: 23–29 November against 16–22 November. */
const MONDAY = at('2026-11-30 09:00');

const FORECAST_ZERO: ForecastFigures = {
  openCount: 0,
  openAmount: 0,
  weighted: 0,
  dueCount: 0,
  dueAmount: 0,
  dueWeighted: 0,
  wonCount: 0,
  wonAmount: 0,
  overdueCount: 0,
  overdueAmount: 0,
};

/** 预测's periods seen on each of the two days, as calendar months in Shanghai, and the day a close date is past before. */
const FORECAST_PERIODS: Array<{ now: Date; today: Date; periods: Record<ForecastPeriod, Period> }> = [
  {
    now: NOV_30,
    today: at('2026-11-30 00:00'),
    periods: {
      month: span('2026-11-01 00:00', '2026-12-01 00:00'),
      quarter: span('2026-10-01 00:00', '2027-01-01 00:00'),
      next_month: span('2026-12-01 00:00', '2027-01-01 00:00'),
    },
  },
  {
    now: DEC_1,
    today: at('2026-12-01 00:00'),
    periods: {
      month: span('2026-12-01 00:00', '2027-01-01 00:00'),
      quarter: span('2026-10-01 00:00', '2027-01-01 00:00'),
      next_month: span('2027-01-01 00:00', '2027-02-01 00:00'),
    },
  },
];

/**
 * Every money figure of the digests, 报表 and 预测 over a generated data set equals a recount of the
 * generated rows in plain TypeScript, in Shanghai calendar periods — per salesperson, per team and
 * for everyone — and the text a salesperson or a team group reads says the same numbers.
 */
describe('money figures and the forecast, recounted from the seed', () => {
  let container: Container;
  let app: Koa;
  let worker: WorkerHandle;
  let calls: WecomCall[];
  let clock = NOV_30;
  const customers: SeedCustomer[] = [];
  const opportunities: SeedOpportunity[] = [];
  const { teams, staff } = seedTeams(SEED);
  const teamMembers = (t: number) => staff.filter((s) => s.team === t).map((s) => s.userid);
  const say = async (from: string, text: string) => JSON.parse(await sayTo(container, app, calls, from, text)).content as string;
  /** a salesperson who leads no team */
  const seller = staff.find((s) => !teams.some((t) => t.leadUserid === s.userid))!.userid;
  const lead = teams[0]!.leadUserid;

  beforeAll(async () => {
    container = await createTestContainer('pipeline-recount', { CRM_QUIET_HOURS: 'off', CRM_ADMINS: 'boss', INBOUND_RETRY_DELAY_MS: '50' });
    app = createWebApp(container);
    worker = startWorker(container, { sweepEveryMs: 3_600_000, modules: workerModules(container, () => clock) });
    await worker.ready;
    await writeSeed(container.dataSource, SEED, (c) => {
      customers.push(c);
      opportunities.push(...c.opportunities);
    });
    // The month's edge: won at 23:30 on 30 November Shanghai time (15:30 UTC, still November) and at 00:30 on 1 December.
    const customer = await container.dataSource.getRepository(Customer).findOneByOrFail({ externalUserid: customers[0]!.externalUserid });
    const edge = (amount: number, closed: string): SeedOpportunity => ({
      staffUserid: seller,
      name: `边界${amount}`,
      amount,
      probability: 90,
      expectedCloseAt: at('2026-11-30 12:00'),
      status: 'won',
      closedAt: at(closed),
      createdAt: at('2026-11-20 10:00'),
    });
    const edges = [edge(12_345, '2026-11-30 23:30'), edge(54_321, '2026-12-01 00:30')];
    await container.dataSource.getRepository(Opportunity).save(edges.map((o) => ({ ...o, customerId: customer.id })));
    opportunities.push(...edges);
  }, 120_000);

  beforeEach(() => {
    calls = fakeWecom({ also: ['webhook/send'] });
  });

  afterAll(async () => {
    worker.stop();
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  async function runJob(name: string, when: Date, id: string): Promise<void> {
    // Bull takes `timestamp` (not in its typings) as the job's creation time: the time the job covers.
    const job = await container.queues.get('maintenance').add(name, {}, { jobId: id, timestamp: when.getTime() } as object);
    await waitFor(
      async () => (await job.getState()) as string,
      (s) => s === 'completed' || s === 'failed',
      60_000,
      `${name} to finish`,
    );
    expect(await job.getState()).toBe('completed');
  }

  const moneyLines = (f: PipelineFigures) => {
    const rate = f.wonCount + f.lostCount ? `${Math.round((f.wonCount / (f.wonCount + f.lostCount)) * 100)}%` : '—';
    const days = f.wonCount ? `${(f.wonSecondsToClose / f.wonCount / 86_400).toFixed(1)}天` : '—';
    return {
      open: `进行中 ${f.openCount}个 ${yuan(f.openAmount)} · 加权 ${yuan(f.weighted)}`,
      closed: `赢单 ${f.wonCount}个 ${yuan(f.wonAmount)} · 输单 ${f.lostCount}个 · 赢率 ${rate} · 平均成交周期 ${days}`,
    };
  };

  it('the data set has opportunities of every kind, with their history, and the same seed gives the same rows', async () => {
    expect(opportunities).toHaveLength(SEED.opportunities! + 2);
    expect(await container.dataSource.getRepository(Opportunity).count()).toBe(opportunities.length);
    const closed = opportunities.filter((o) => o.status !== 'open').length - 2;
    expect(await container.dataSource.getRepository(OpportunityChange).count()).toBe(SEED.opportunities! + closed);
    const byStatus = (s: string) => opportunities.filter((o) => o.status === s).length;
    for (const s of ['open', 'won', 'lost']) expect(byStatus(s)).toBeGreaterThan(100);
    // close dates spread over months, some already past
    const months = new Set(opportunities.filter((o) => o.expectedCloseAt).map((o) => dayjs(o.expectedCloseAt!).tz(TZ).format('YYYY-MM')));
    expect(months.size).toBeGreaterThanOrEqual(6);
    expect(opportunities.some((o) => o.status === 'open' && o.expectedCloseAt && o.expectedCloseAt < SEED.end)).toBe(true);
    const again = [...seedCustomers(SEED, staff)].flatMap((c) => c.opportunities);
    expect(JSON.stringify(again)).toBe(JSON.stringify(opportunities.slice(0, -2)));
  });

  it('the money figures per salesperson, per team and for everyone equal the recount, for the day, the week and the month', async () => {
    const periods = [
      span('2026-11-30 00:00', '2026-12-01 00:00'),
      span('2026-11-23 00:00', '2026-11-30 00:00'),
      span('2026-11-01 00:00', '2026-12-01 00:00'),
      span('2026-10-01 00:00', '2026-11-01 00:00'),
      span('2026-12-01 00:00', '2026-12-02 00:00'),
    ];
    for (const period of periods) {
      for (const scope of [null, teamMembers(0), teamMembers(1), [seller]]) {
        const actual = await pipelinePerStaff(container.dataSource, period, scope);
        expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(recountPipeline(opportunities, period, scope)));
        expect(await container.services.digest.pipeline(period, scope)).toEqual(total(recountPipeline(opportunities, period, scope), NO_PIPELINE));
      }
    }
    // busy enough to be a real test: October and November each have wins, losses and a days-to-close
    for (const month of [periods[2]!, periods[3]!]) {
      const everyone = total(recountPipeline(opportunities, month), NO_PIPELINE);
      expect(everyone.wonCount).toBeGreaterThan(50);
      expect(everyone.lostCount).toBeGreaterThan(20);
      expect(everyone.wonSecondsToClose).toBeGreaterThan(0);
    }
  });

  it('预测 本月 / 本季 / 下月, for a salesperson, each lead (per member) and an admin, equals the recount on both sides of the month end', async () => {
    for (const { now, today, periods } of FORECAST_PERIODS) {
      for (const period of ['month', 'quarter', 'next_month'] as const) {
        const p = periods[period];
        const mine = await container.services.forecast.forecast({ userid: seller, isAdmin: false }, period, now);
        expect(mine.total.figures).toEqual(recountForecast(opportunities, p, today, [seller]).get(seller) ?? FORECAST_ZERO);

        for (const [t, team] of teams.entries()) {
          const members = teamMembers(t);
          const recount = recountForecast(opportunities, p, today, members);
          const led = await container.services.forecast.forecast({ userid: team.leadUserid, isAdmin: false }, period, now);
          expect(led.scope).toBe(team.name);
          expect(led.total.figures).toEqual(total(recount, FORECAST_ZERO));
          // every member, zeros included
          const byName = Object.fromEntries(led.members.map((m) => [m.name, m.figures]));
          expect(byName).toEqual(Object.fromEntries(members.map((u) => [staff.find((s) => s.userid === u)!.name, recount.get(u) ?? FORECAST_ZERO])));
        }

        const everyone = await container.services.forecast.forecast({ userid: 'boss', isAdmin: true }, period, now);
        const recount = recountForecast(opportunities, p, today);
        expect(everyone.total.figures).toEqual(total(recount, FORECAST_ZERO));
        expect(Object.fromEntries(everyone.members.map((m) => [m.name, m.figures]))).toEqual(
          Object.fromEntries([...recount].map(([u, f]) => [staff.find((s) => s.userid === u)!.name, f])),
        );
      }
    }
  });

  it('an opportunity won at 23:30 on the last day of the month (15:30 UTC) counts in that month and that day, one at 00:30 in the next', async () => {
    const edge = opportunities.find((o) => o.name === '边界12345')!;
    expect(edge.closedAt!.toISOString()).toBe('2026-11-30T15:30:00.000Z');
    const nov = await container.services.forecast.forecast({ userid: seller, isAdmin: false }, 'month', NOV_30);
    const dec = await container.services.forecast.forecast({ userid: seller, isAdmin: false }, 'month', DEC_1);
    const won = (list: SeedOpportunity[], p: Period) => list.filter((o) => o.status === 'won' && o.closedAt! >= p.start && o.closedAt! < p.end);
    const mine = opportunities.filter((o) => o.staffUserid === seller);
    const novWins = won(mine, FORECAST_PERIODS[0]!.periods.month);
    const decWins = won(mine, FORECAST_PERIODS[1]!.periods.month);
    expect(novWins).toContain(edge);
    expect(decWins.map((o) => o.name)).toEqual(['边界54321']);
    expect(nov.total.figures.wonAmount).toBe(novWins.reduce((n, o) => n + o.amount, 0));
    expect(dec.total.figures).toMatchObject({ wonCount: 1, wonAmount: 54_321 });
    // the personal digest's 今日 on 30 November has the 23:30 win, 1 December's the 00:30 one
    const nov30 = await container.services.digest.personal(seller, NOV_30);
    expect(nov30.pipeline!.day.wonAmount).toBe(won(mine, span('2026-11-30 00:00', '2026-12-01 00:00')).reduce((n, o) => n + o.amount, 0));
    expect(nov30.pipeline!.day.wonAmount).toBeGreaterThanOrEqual(12_345);
    const dec1 = await container.services.digest.personal(seller, DEC_1);
    expect(dec1.pipeline!.day).toMatchObject({ wonCount: 1, wonAmount: 54_321 });
    expect(dec1.pipeline!.month).toMatchObject({
      wonCount: 1,
      wonAmount: 54_321,
      wonSecondsToClose: (at('2026-12-01 00:30').getTime() - at('2026-11-20 10:00').getTime()) / 1000,
    });
  });

  it('预测, 今日 and 报表 say the recounted numbers', async () => {
    clock = NOV_30;
    const nov = FORECAST_PERIODS[0]!;
    const mine = recountForecast(opportunities, nov.periods.month, nov.today, [seller]).get(seller)!;
    const forecastText = await say(seller, '预测');
    expect(forecastText).toContain(`进行中：${mine.openCount}个 ${yuan(mine.openAmount)} · 加权 ${yuan(mine.weighted)}`);
    expect(forecastText).toContain(`本月预计成交：${mine.dueCount}个 ${yuan(mine.dueAmount)} · 加权 ${yuan(mine.dueWeighted)}`);
    expect(forecastText).toContain(`本月已赢单：${mine.wonCount}个 ${yuan(mine.wonAmount)}`);
    const quarter = total(recountForecast(opportunities, nov.periods.quarter, nov.today, teamMembers(0)), FORECAST_ZERO);
    expect(await say(lead, '预测 本季')).toContain(`本季已赢单：${quarter.wonCount}个 ${yuan(quarter.wonAmount)}`);
    const next = total(recountForecast(opportunities, nov.periods.next_month, nov.today), FORECAST_ZERO);
    expect(await say('boss', '预测 下月')).toContain(`下月预计成交：${next.dueCount}个 ${yuan(next.dueAmount)} · 加权 ${yuan(next.dueWeighted)}`);

    // 今日: the pipeline now, today's wins, the month so far
    const day = recountPipeline(opportunities, span('2026-11-30 00:00', '2026-12-01 00:00'), [seller]).get(seller)!;
    const month = recountPipeline(opportunities, span('2026-11-01 00:00', '2026-12-01 00:00'), [seller]).get(seller)!;
    const today = await say(seller, '今日');
    expect(today).toContain(`> 商机${moneyLines(day).open}`);
    expect(today).toContain(`> 今日赢单 **${day.wonCount}**个 ${yuan(day.wonAmount)} · 输单 ${day.lostCount}个`);
    expect(today).toContain(`> 本月${moneyLines(month).closed}`);

    // 报表 本月 for a lead (their team) and an admin (everyone), month to date
    const teamMonth = total(recountPipeline(opportunities, span('2026-11-01 00:00', '2026-12-01 00:00'), teamMembers(0)), NO_PIPELINE);
    const report = await say(lead, '报表 本月');
    expect(report).toContain('**商机金额**（进行中为当前）');
    expect(report).toContain(`> ${moneyLines(teamMonth).open}`);
    expect(report).toContain(`> ${moneyLines(teamMonth).closed}`);
    clock = DEC_1;
    const everyoneToday = total(recountPipeline(opportunities, span('2026-12-01 00:00', '2026-12-02 00:00')), NO_PIPELINE);
    expect(everyoneToday).toMatchObject({ wonCount: 1, wonAmount: 54_321 });
    expect(await say('boss', '报表 今日')).toContain(`> ${moneyLines(everyoneToday).closed}`);
    clock = NOV_30;
  });

  it("the weekly digest carries each team's money for last week against the week before, and the daily push the salesperson's", async () => {
    await runJob(DIGEST_JOBS.weekly, MONDAY, 'weekly-money');
    const robot = await waitFor(
      async () => calls.filter((c) => c.api === 'webhook/send'),
      (s) => s.length >= teams.length,
      30_000,
      'the weekly digests',
    );
    for (const [t, team] of teams.entries()) {
      const content = robot.map((c) => String((c.body.markdown as { content: string }).content)).find((m) => m.includes(`${team.name} · 周报`))!;
      const last = total(recountPipeline(opportunities, span('2026-11-23 00:00', '2026-11-30 00:00'), teamMembers(t)), NO_PIPELINE);
      const before = total(recountPipeline(opportunities, span('2026-11-16 00:00', '2026-11-23 00:00'), teamMembers(t)), NO_PIPELINE);
      const rate = (f: PipelineFigures) => (f.wonCount + f.lostCount ? `${Math.round((f.wonCount / (f.wonCount + f.lostCount)) * 100)}%` : '—');
      expect(content).toContain(`> ${moneyLines(last).open}`);
      expect(content).toContain(`> ${moneyLines(last).closed}（前一周 ${before.wonCount}个 ${yuan(before.wonAmount)} · 赢率 ${rate(before)}）`);
    }

    await runJob(DIGEST_JOBS.daily, at('2026-11-30 18:00'), 'daily-money');
    const push = await waitFor(
      async () => calls.filter((c) => c.api === 'message/send' && c.body.touser === seller),
      (s) => s.length >= 1,
      30_000,
      "the seller's daily digest",
    );
    const day = recountPipeline(opportunities, span('2026-11-30 00:00', '2026-12-01 00:00'), [seller]).get(seller)!;
    expect(String((push[0]!.body.markdown as { content: string }).content)).toContain(
      `> 今日赢单 **${day.wonCount}**个 ${yuan(day.wonAmount)} · 输单 ${day.lostCount}个`,
    );
  });
});
