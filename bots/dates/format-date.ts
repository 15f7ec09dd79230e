import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);

const WEEKDAY = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

/**
 * The resolved time in full, so that a misread is visible in the reply: "11月24日 周二 15:00", with
 * the year in front when it is not the current year ("2027年1月5日 周二 09:00"). `now` decides
 * what the current year is (pass the injected clock; it defaults to the real one). Both are read in
 * `timeZone`, never the process's zone.
 */
export function formatChineseDateTime(at: Date, timeZone: string, now: Date = new Date()): string {
  const local = dayjs(at).tz(timeZone);
  const year = local.year() === dayjs(now).tz(timeZone).year() ? '' : `${local.year()}年`;
  return `${year}${local.month() + 1}月${local.date()}日 ${WEEKDAY[local.day()]} ${local.format('HH:mm')}`;
}
