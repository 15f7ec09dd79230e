import type { DataSource } from 'typeorm';
import { Opportunity } from '../../../entities';
import type { ForecastFigures } from '../../../templates/forecast';
import type { ForecastWindow } from './forecast-period';
import { OPEN, WEIGHTED, WON_IN_PERIOD } from './pipeline-queries';
import { cents, sumsPerStaff } from './sums-per-staff';

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
  const overdue = `${open} AND o.expected_close_at < :today`;
  const q = dataSource.getRepository(Opportunity).createQueryBuilder('o').where(`(${open} OR (${won}))`, { start: w.start, end: w.end, today: w.today });
  if (userids) q.andWhere('o.staff_userid IN (:...userids)', { userids });
  return sumsPerStaff(q, {
    openCount: { when: open },
    openAmount: { when: open, of: 'o.amount', money: true },
    weighted: { when: open, of: weight, money: true },
    dueCount: { when: due },
    dueAmount: { when: due, of: 'o.amount', money: true },
    dueWeighted: { when: due, of: weight, money: true },
    wonCount: { when: won },
    wonAmount: { when: won, of: 'o.amount', money: true },
    overdueCount: { when: overdue },
    overdueAmount: { when: overdue, of: 'o.amount', money: true },
  });
}

/** Figures added up (a team's, everyone's). */
export function sumForecast(all: Iterable<ForecastFigures>): ForecastFigures {
  const total = { ...NO_FORECAST };
  for (const f of all) for (const k of Object.keys(total) as Array<keyof ForecastFigures>) total[k] += f[k];
  for (const k of ['openAmount', 'weighted', 'dueAmount', 'dueWeighted', 'wonAmount', 'overdueAmount'] as const) total[k] = cents(total[k]);
  return total;
}
