import { civilDate, type CivilDate } from './civil-date';

/**
 * "After the holiday" phrases: 国庆后, 五一后, 春节后 / 年后 / 过完年. Each resolves to the first
 * working day after the holiday, the next one that is not already past.
 *
 * National Day (Oct 1–7) and Labour Day (May 1–5) are fixed on the calendar, so 10月8日 and 5月6日 are
 * used for every year (years where Mid-Autumn joins the break, such as 2025, end a day later).
 * The Spring Festival moves with the lunar calendar: the table below covers 2026–2030 and uses
 * 正月初八, the customary first working day (2026: 2月24日, as in the official schedule); outside
 * those years the phrase is not recognised rather than guessed.
 */

/** 正月初一 (Chinese New Year's Day) by year. */
const LUNAR_NEW_YEAR: Record<number, [month: number, day: number]> = {
  2026: [2, 17],
  2027: [2, 6],
  2028: [1, 26],
  2029: [2, 13],
  2030: [2, 3],
};

export type Holiday = 'national-day' | 'labour-day' | 'spring-festival';

function backToWork(holiday: Holiday, year: number): CivilDate | null {
  switch (holiday) {
    case 'national-day':
      return civilDate(year, 10, 8);
    case 'labour-day':
      return civilDate(year, 5, 6);
    case 'spring-festival': {
      const newYear = LUNAR_NEW_YEAR[year];
      return newYear ? civilDate(year, newYear[0], newYear[1])!.add(7, 'day') : null;
    }
  }
}

/** The first working day after the holiday, today or later; null when the table does not cover it. */
export function afterHoliday(holiday: Holiday, today: CivilDate): CivilDate | null {
  const thisYear = backToWork(holiday, today.year());
  if (thisYear && !thisYear.isBefore(today)) return thisYear;
  return backToWork(holiday, today.year() + 1);
}
