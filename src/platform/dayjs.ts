import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

/** dayjs with the utc and timezone plugins: import it from here so `.tz()` is always available. */
dayjs.extend(utc);
dayjs.extend(timezone);

export default dayjs;

/**
 * One formatter per time zone, kept: dayjs's `.tz()` builds a new Intl formatter on every call,
 * which made a reminder card's time, and a burst's SOP due times (5 % of the worker's CPU in
 * bench:capture), a noticeable share of the worker's CPU.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The wall-clock time of the instant `at` in `timeZone` (month 1–12, hour 0–23, weekday 0 = Sunday). */
export function zonedParts(
  at: Date,
  timeZone: string,
): { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number } {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  const part: Record<string, string> = {};
  for (const p of formatter.formatToParts(at)) part[p.type] = p.value;
  return {
    year: Number(part.year),
    month: Number(part.month),
    day: Number(part.day),
    hour: Number(part.hour) % 24,
    minute: Number(part.minute),
    second: Number(part.second),
    weekday: WEEKDAYS.indexOf(part.weekday ?? ''),
  };
}

/** Minutes east of UTC of `timeZone` at the instant `at` (480 for Asia/Shanghai). */
export function zoneOffsetMinutes(at: Date, timeZone: string): number {
  const p = zonedParts(at, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - (at.getTime() - at.getMilliseconds())) / 60_000);
}

/**
 * `at` as dayjs in `timeZone`, as `dayjs(at).tz(timeZone)` but with the zone's offset at `at`
 * (a fixed offset from there on: callers that move across a DST change correct with zoneOffsetMinutes).
 */
export function inZone(at: Date, timeZone: string): dayjs.Dayjs {
  return dayjs(at).utcOffset(zoneOffsetMinutes(at, timeZone));
}
