import { zonedParts } from '../src/platform/dayjs';

const WEEKDAY = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

/** The wall-clock date and time of `at` in `timeZone` (one cached formatter per zone: zonedParts). */
function civilTime(at: Date, timeZone: string) {
  const p = zonedParts(at, timeZone);
  const two = (v: number) => String(v).padStart(2, '0');
  return { year: p.year, month: p.month, day: p.day, weekday: p.weekday, hhmm: `${two(p.hour)}:${two(p.minute)}` };
}

/**
 * The resolved time in full, so that a misread is visible in the reply: "11月24日 周二 15:00", with
 * the year in front when it is not the current year ("2027年1月5日 周二 09:00"). `now` decides
 * what the current year is (pass the injected clock; it defaults to the real one). Both are read in
 * `timeZone`, never the process's zone.
 */
export function formatChineseDateTime(at: Date, timeZone: string, now: Date = new Date()): string {
  const local = civilTime(at, timeZone);
  const year = local.year === civilTime(now, timeZone).year ? '' : `${local.year}年`;
  return `${year}${local.month}月${local.day}日 ${WEEKDAY[local.weekday]} ${local.hhmm}`;
}

/** A day without a clock time, for dates that are days (a deal's expected close): "12月31日 周四". */
export function formatChineseDate(at: Date, timeZone: string, now: Date = new Date()): string {
  const local = civilTime(at, timeZone);
  const year = local.year === civilTime(now, timeZone).year ? '' : `${local.year}年`;
  return `${year}${local.month}月${local.day}日 ${WEEKDAY[local.weekday]}`;
}
