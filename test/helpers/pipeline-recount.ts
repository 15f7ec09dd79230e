import type { SeedOpportunity } from '../../src/cli/seed-data';
import type { ForecastFigures } from '../../templates/forecast';
import type { PipelineFigures } from '../../templates/pipeline-figures';

/**
 * The money figures and the forecast recounted in plain TypeScript from the generated rows — written
 * from the definitions in the README, not from the SQL — so a test can compare every number.
 * Periods are [start, end) instants the test computes from CRM_TIMEZONE calendar days.
 */

export interface Period {
  start: Date;
  end: Date;
}

const within = (at: Date | null, p: Period) => at !== null && at >= p.start && at < p.end;
/** Amounts are decimals of two places in the database: sums compared to the cent. */
const cents = (n: number) => Math.round(n * 100) / 100;
const weightOf = (o: SeedOpportunity) => (o.amount * (o.probability ?? 0)) / 100;

function perStaff<T extends object>(
  opps: SeedOpportunity[],
  scope: string[] | null,
  zero: () => T,
  add: (f: T, o: SeedOpportunity) => boolean,
): Map<string, T> {
  const result = new Map<string, T>();
  for (const o of opps) {
    if (scope && !scope.includes(o.staffUserid)) continue;
    const f = result.get(o.staffUserid) ?? zero();
    // only a salesperson with an open opportunity or one that counts in the period appears
    if (add(f, o)) result.set(o.staffUserid, f);
  }
  for (const f of result.values()) for (const [k, v] of Object.entries(f)) if (typeof v === 'number') (f as Record<string, number>)[k] = cents(v);
  return result;
}

/** Open now; won and lost in the period; seconds from recorded to won. */
export function recountPipeline(opps: SeedOpportunity[], period: Period, scope: string[] | null = null): Map<string, PipelineFigures> {
  return perStaff<PipelineFigures>(
    opps,
    scope,
    () => ({ openCount: 0, openAmount: 0, weighted: 0, wonCount: 0, wonAmount: 0, lostCount: 0, wonSecondsToClose: 0 }),
    (f, o) => {
      if (o.status === 'open') {
        f.openCount += 1;
        f.openAmount += o.amount;
        f.weighted += weightOf(o);
        return true;
      }
      if (!within(o.closedAt, period)) return false;
      if (o.status === 'won') {
        f.wonCount += 1;
        f.wonAmount += o.amount;
        f.wonSecondsToClose += Math.round((o.closedAt!.getTime() - o.createdAt.getTime()) / 1000);
      } else f.lostCount += 1;
      return true;
    },
  );
}

/** 预测: open now, expected to close in the period, won in it, expected before today and still open. */
export function recountForecast(opps: SeedOpportunity[], period: Period, today: Date, scope: string[] | null = null): Map<string, ForecastFigures> {
  return perStaff<ForecastFigures>(
    opps,
    scope,
    () => ({
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
    }),
    (f, o) => {
      if (o.status === 'won' && within(o.closedAt, period)) {
        f.wonCount += 1;
        f.wonAmount += o.amount;
        return true;
      }
      if (o.status !== 'open') return false;
      f.openCount += 1;
      f.openAmount += o.amount;
      f.weighted += weightOf(o);
      if (within(o.expectedCloseAt, period)) {
        f.dueCount += 1;
        f.dueAmount += o.amount;
        f.dueWeighted += weightOf(o);
      }
      if (o.expectedCloseAt !== null && o.expectedCloseAt < today) {
        f.overdueCount += 1;
        f.overdueAmount += o.amount;
      }
      return true;
    },
  );
}

/** Everyone's in `map` added up (a team's, everyone's), to the cent. */
export function total<T extends object>(map: Map<string, T>, zero: T): T {
  const sum = { ...zero } as Record<string, number>;
  for (const f of map.values()) for (const [k, v] of Object.entries(f)) sum[k] = (sum[k] ?? 0) + (v as number);
  for (const k of Object.keys(sum)) sum[k] = cents(sum[k]!);
  return sum as T;
}
