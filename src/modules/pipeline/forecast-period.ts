import dayjs from '../../platform/dayjs';
import type { ForecastPeriod } from '../../../templates/forecast';

/** A forecast's span as UTC instants from CRM_TIMEZONE calendar days. */
export interface ForecastWindow {
  /** closes expected and wins counted in [start, end) */
  start: Date;
  end: Date;
  /** a close date before this (today's start) is past */
  today: Date;
  /** the calendar months of the period, YYYY-MM: a monthly target counts once for each */
  months: string[];
  /** 12月1日–12月31日 */
  days: string;
}

/** 本月, 本季 (the calendar quarter) and 下月, around `at` in `timeZone`. */
export function forecastWindow(period: ForecastPeriod, at: Date, timeZone: string): ForecastWindow {
  const today = dayjs(at).tz(timeZone).startOf('day');
  const month = today.startOf('month');
  const start = period === 'next_month' ? month.add(1, 'month') : period === 'quarter' ? month.subtract(month.month() % 3, 'month') : month;
  const count = period === 'quarter' ? 3 : 1;
  const end = start.add(count, 'month');
  const last = end.subtract(1, 'day');
  return {
    start: start.toDate(),
    end: end.toDate(),
    today: today.toDate(),
    months: Array.from({ length: count }, (_, i) => start.add(i, 'month').format('YYYY-MM')),
    days: `${start.month() + 1}月${start.date()}日–${last.month() + 1}月${last.date()}日`,
  };
}
