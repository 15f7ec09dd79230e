import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

/** dayjs with the utc and timezone plugins: import it from here so `.tz()` is always available. */
dayjs.extend(utc);
dayjs.extend(timezone);

export default dayjs;

/**
 * One formatter per time zone, kept: dayjs's `.tz()` builds a new Intl formatter on every call,
 * which costs a burst of adds 5 % of the worker's CPU in the SOP due times alone (bench:capture).
 */
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes east of UTC of `timeZone` at the instant `at` (480 for Asia/Shanghai). */
export function zoneOffsetMinutes(at: Date, timeZone: string): number {
  let formatter = offsetFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    offsetFormatters.set(timeZone, formatter);
  }
  const part: Record<string, number> = {};
  for (const p of formatter.formatToParts(at)) part[p.type] = Number(p.value);
  const asUtc = Date.UTC(part.year!, part.month! - 1, part.day!, part.hour! % 24, part.minute!, part.second!);
  return Math.round((asUtc - (at.getTime() - at.getMilliseconds())) / 60_000);
}

/**
 * `at` as dayjs in `timeZone`, as `dayjs(at).tz(timeZone)` but with the zone's offset at `at`
 * (a fixed offset from there on: callers that move across a DST change correct with zoneOffsetMinutes).
 */
export function inZone(at: Date, timeZone: string): dayjs.Dayjs {
  return dayjs(at).utcOffset(zoneOffsetMinutes(at, timeZone));
}
