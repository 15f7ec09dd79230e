import 'reflect-metadata';
import { Staff, Team } from '../../entities';
import { loadConfig } from '../../src/config';
import { createContainer } from '../../src/container';
import dayjs from '../../src/platform/dayjs';
import { createLogger } from '../../src/platform/logger';
import { ChartRenderer } from '../../src/modules/charts';
import { weekWindow } from '../../src/modules/digests/digest-window';
import { deleteRedisPrefix } from '../helpers/test-env';
import { appEnv, BENCH_REDIS, dropDatabase, freshDatabase, memoryMb, percentile, runSeed } from './bench-env';

/**
 * `npm run bench:pipeline`: 预测 and the weekly team digest (with its money figures and its four charts drawn) over
 * BENCH_OPPORTUNITIES opportunities (default 100,000) of BENCH_STAFF salespeople (default 200) in
 * BENCH_TEAMS teams, seeded with `npm run seed` into a throwaway MariaDB database. Each measurement is
 * repeated BENCH_REPEATS times (default 20): p50 and p99 in ms, then this process's memory.
 * `BENCH_SIZE=small` (2,000 opportunities, 20 salespeople, 5 repeats) runs in seconds, for CI.
 * `BENCH_EXPLAIN=1` prints MariaDB's plan of the money query.
 */

const SMALL = process.env.BENCH_SIZE === 'small';
const env = (name: string, full: number, small: number) => Number(process.env[name] ?? (SMALL ? small : full));
const OPPORTUNITIES = env('BENCH_OPPORTUNITIES', 100_000, 2_000);
const CUSTOMERS = env('BENCH_CUSTOMERS', OPPORTUNITIES, 2_000);
const STAFF = env('BENCH_STAFF', 200, 20);
const TEAMS = env('BENCH_TEAMS', 10, 3);
const REPEATS = env('BENCH_REPEATS', 20, 5);
const DB = 'wecom_crm_bench_pipeline';
const TZ = 'Asia/Shanghai';

async function timed(label: string, run: () => Promise<unknown>): Promise<void> {
  await run(); // warm: the first run reads the pages from disk
  const ms: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = process.hrtime.bigint();
    await run();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  console.log(`${label.padEnd(48)} p50 ${percentile(ms, 0.5).toFixed(1).padStart(7)} ms   p99 ${percentile(ms, 0.99).toFixed(1).padStart(7)} ms`);
}

async function main(): Promise<void> {
  const databaseUrl = await freshDatabase(DB);
  const today = dayjs().tz(TZ).startOf('day');
  console.log(`seeding ${CUSTOMERS} customers, ${OPPORTUNITIES} opportunities, ${STAFF} salespeople, ${TEAMS} teams, through ${today.format('YYYY-MM-DD')} …`);
  const seedStarted = Date.now();
  const seeded = runSeed(databaseUrl, {
    customers: CUSTOMERS,
    opportunities: OPPORTUNITIES,
    staff: STAFF,
    teams: TEAMS,
    days: 45,
    seed: 42,
    end: today.format('YYYY-MM-DD'),
  });
  console.log(`seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s: ${seeded}`);

  const prefix = `bench-pipeline-${Date.now().toString(36)}`;
  const config = loadConfig({ ...appEnv({ port: 0, databaseUrl, queuePrefix: prefix }), LOG_LEVEL: 'silent' });
  const container = await createContainer(config, config.wecom!, createLogger('silent'), { queuePrefix: prefix, defaultMetrics: false });
  try {
    const { forecast, digest } = container.services;
    const now = today.hour(10).toDate();
    const monday = today
      .subtract((today.day() + 6) % 7, 'day')
      .hour(9)
      .toDate();
    const [team] = await container.dataSource.getRepository(Team).find({ order: { id: 'ASC' }, take: 1 });
    const lead = team!.leadUserid!;
    const before = memoryMb(process.pid);

    if (process.env.BENCH_EXPLAIN) {
      const w = weekWindow(monday, TZ, 7, 1);
      for (const scope of [null, ['sales005']]) {
        const q = container.dataSource
          .createQueryBuilder()
          .select('COUNT(*)')
          .from('opportunities', 'o')
          .where("(o.status = 'open' OR (o.status IN ('won', 'lost') AND o.closed_at >= :start AND o.closed_at < :end))", w);
        if (scope) q.andWhere('o.staff_userid IN (:...scope)', { scope });
        const [sql, params] = q.getQueryAndParameters();
        const plan: Array<Record<string, unknown>> = await container.dataSource.query(`EXPLAIN ${sql}`, params);
        console.log(`plan of the money query, ${scope ? 'one salesperson' : 'everyone'}:`, plan.map((p) => `${p.type} key=${p.key} rows=${p.rows}`).join('; '));
      }
    }

    await timed('预测 本月, a salesperson (own)', () => forecast.forecast({ userid: 'sales005', isAdmin: false }, 'month', now));
    await timed(`预测 本季, a lead (team of ${Math.ceil(STAFF / TEAMS)}, per member)`, () =>
      forecast.forecast({ userid: lead, isAdmin: false }, 'quarter', now),
    );
    await timed(`预测 本月, an admin (all ${STAFF})`, () => forecast.forecast({ userid: 'boss', isAdmin: true }, 'month', now));
    await timed('money figures alone, everyone, last week', () => digest.pipeline(weekWindow(monday, TZ, 7, 1), null));
    const members = (await container.dataSource.getRepository(Staff).findBy({ teamId: team!.id })).map((s) => s.userid);
    await timed('money figures alone, one team, last week', () => digest.pipeline(weekWindow(monday, TZ, 7, 1), members));
    await timed('weekly team digest (one team, all figures)', () => digest.teamWeekly(team!, monday));
    const charts = container.services.charts;
    if (charts) {
      // What the weekly digest job does for a team: its figures, the charts' queries, and drawing the four PNGs.
      const renderer = new ChartRenderer(config.charts.fontFile);
      let bytes = 0;
      await timed('weekly team digest with its 4 charts drawn', async () => {
        const week = await digest.teamWeekly(team!, monday);
        if (!week.digest) return;
        const named = await charts.charts({
          title: team!.name,
          userids: week.scope,
          funnel: week.digest.team.funnel,
          span: { ...week.window, name: '上周' },
          monthOf: new Date(week.window.end.getTime() - 1),
        });
        bytes = 0;
        for (const chart of named) bytes += (await renderer.render(chart.spec)).length;
      });
      console.log(`  the four PNGs: ${Math.round(bytes / 1024)} KB together`);
    } else {
      console.log('charts are off (CRM_CHARTS=off or the chart font is missing): the weekly digest is measured without them');
    }
    await timed('报表 本月, an admin (everyone)', () => digest.report({ userid: 'boss', isAdmin: true }, 'month', now));

    const after = memoryMb(process.pid);
    const heap = process.memoryUsage();
    console.log(
      `memory of this process: RSS ${before.rss} MB before the runs, ${after.rss} MB after, peak ${after.peak} MB; ` +
        `heap used ${Math.round(heap.heapUsed / 2 ** 20)} MB of ${Math.round(heap.heapTotal / 2 ** 20)} MB`,
    );
  } finally {
    await container.close();
    await deleteRedisPrefix(prefix, BENCH_REDIS);
    await dropDatabase(DB);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
