import type { DataSource } from 'typeorm';
import { Opportunity } from '../../../entities';
import type { ForecastFigures } from '../../../templates/forecast';
import type { ForecastWindow } from './forecast-period';
import { cents, OPEN, WEIGHTED, WON_IN_PERIOD } from './pipeline-queries';

export const NO_FORECAST: ForecastFigures = {
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

/**
 * The forecast's figures per salesperson (who recorded the opportunity), in one aggregate query over
 * the open opportunities and those won in the period. `userids` null: everyone.
 */
export async function forecastPerStaff(dataSource: DataSource, w: ForecastWindow, userids: string[] | null): Promise<Map<string, ForecastFigures>> {
  if (userids?.length === 0) return new Map();
  // open, won and weighted as pipeline-queries.ts defines them for the digests too
  const open = OPEN;
  const due = `${open} AND o.expected_close_at >= :start AND o.expected_close_at < :end`;
  const won = WON_IN_PERIOD;
  const weight = WEIGHTED;
  const q = dataSource
    .getRepository(Opportunity)
    .createQueryBuilder('o')
    .select('o.staff_userid', 'userid')
    .addSelect(`SUM(CASE WHEN ${open} THEN 1 ELSE 0 END)`, 'openCount')
    .addSelect(`SUM(CASE WHEN ${open} THEN o.amount ELSE 0 END)`, 'openAmount')
    .addSelect(`SUM(CASE WHEN ${open} THEN ${weight} ELSE 0 END)`, 'weighted')
    .addSelect(`SUM(CASE WHEN ${due} THEN 1 ELSE 0 END)`, 'dueCount')
    .addSelect(`SUM(CASE WHEN ${due} THEN o.amount ELSE 0 END)`, 'dueAmount')
    .addSelect(`SUM(CASE WHEN ${due} THEN ${weight} ELSE 0 END)`, 'dueWeighted')
    .addSelect(`SUM(CASE WHEN ${won} THEN 1 ELSE 0 END)`, 'wonCount')
    .addSelect(`SUM(CASE WHEN ${won} THEN o.amount ELSE 0 END)`, 'wonAmount')
    .addSelect(`SUM(CASE WHEN ${open} AND o.expected_close_at < :today THEN 1 ELSE 0 END)`, 'overdueCount')
    .addSelect(`SUM(CASE WHEN ${open} AND o.expected_close_at < :today THEN o.amount ELSE 0 END)`, 'overdueAmount')
    .where(`(${open} OR (${won}))`, { start: w.start, end: w.end, today: w.today })
    .groupBy('o.staff_userid');
  if (userids) q.andWhere('o.staff_userid IN (:...userids)', { userids });
  const rows = await q.getRawMany<Record<string, string | number>>();
  return new Map(
    rows.map((r) => [
      String(r.userid),
      {
        openCount: Number(r.openCount),
        openAmount: cents(r.openAmount),
        weighted: cents(r.weighted),
        dueCount: Number(r.dueCount),
        dueAmount: cents(r.dueAmount),
        dueWeighted: cents(r.dueWeighted),
        wonCount: Number(r.wonCount),
        wonAmount: cents(r.wonAmount),
        overdueCount: Number(r.overdueCount),
        overdueAmount: cents(r.overdueAmount),
      },
    ]),
  );
}

/** Figures added up (a team's, everyone's). */
export function sumForecast(all: Iterable<ForecastFigures>): ForecastFigures {
  const total = { ...NO_FORECAST };
  for (const f of all) for (const k of Object.keys(total) as Array<keyof ForecastFigures>) total[k] += f[k];
  for (const k of ['openAmount', 'weighted', 'dueAmount', 'dueWeighted', 'wonAmount', 'overdueAmount'] as const) total[k] = cents(total[k]);
  return total;
}
