const WEEKDAY = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
const WEEKDAY_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * One formatter per time zone, kept: dayjs's `.tz()` builds a new Intl formatter on every call,
 * which made formatting a reminder card's time a noticeable share of the worker's CPU.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function civilTime(at: Date, timeZone: string) {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  const part: Record<string, string> = {};
  for (const p of formatter.formatToParts(at)) part[p.type] = p.value;
  const two = (v: string | undefined) => (v ?? '0').padStart(2, '0');
  return {
    year: Number(part.year),
    month: Number(part.month),
    day: Number(part.day),
    weekday: WEEKDAY_EN.indexOf(part.weekday ?? ''),
    hhmm: `${two(part.hour === '24' ? '0' : part.hour)}:${two(part.minute)}`,
  };
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
