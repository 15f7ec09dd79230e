import dayjs, { type Dayjs } from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);

/**
 * A calendar date with no time zone. It is a dayjs in UTC used only for its year, month and day, so
 * calendar arithmetic (add a day, end of month) never meets a daylight-saving jump and never
 * depends on the process time zone. It becomes an instant only in `instantAt`, in the CRM zone.
 */
export type CivilDate = Dayjs;

/** The date, or null when it does not exist (2月30日, 13月1日). */
export function civilDate(year: number, month: number, day: number): CivilDate | null {
  if (![year, month, day].every(Number.isInteger)) return null;
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1970 || year > 2999) return null;
  const d = dayjs.utc(Date.UTC(year, month - 1, day));
  return d.month() === month - 1 && d.date() === day ? d : null;
}

/** Monday = 1 … Sunday = 7: weeks start on Monday in China. */
export function isoWeekday(d: CivilDate): number {
  return d.day() === 0 ? 7 : d.day();
}

/** "Now" as the phrase rules see it: today's date and the minute of the day in the CRM zone. */
export interface Clock {
  now: Date;
  timeZone: string;
  today: CivilDate;
  /** 0 … 1439 */
  minuteOfDay: number;
}

export function readClock(now: Date, timeZone: string): Clock {
  const local = dayjs(now).tz(timeZone);
  return {
    now,
    timeZone,
    today: civilDate(local.year(), local.month() + 1, local.date())!,
    minuteOfDay: local.hour() * 60 + local.minute(),
  };
}

/** The instant of `minuteOfDay` on `date` in `timeZone`; minutes past 24:00 run into the next day. */
export function instantAt(date: CivilDate, minuteOfDay: number, timeZone: string): Date {
  const day = date.add(Math.floor(minuteOfDay / 1440), 'day');
  const minute = minuteOfDay % 1440;
  const hh = String(Math.floor(minute / 60)).padStart(2, '0');
  const mm = String(minute % 60).padStart(2, '0');
  return dayjs.tz(`${day.format('YYYY-MM-DD')} ${hh}:${mm}`, timeZone).toDate();
}

/** The UTC offset of `timeZone` at `now`, in minutes (480 for Shanghai), as chrono-node wants it. */
export function utcOffsetMinutes(now: Date, timeZone: string): number {
  return dayjs(now).tz(timeZone).utcOffset();
}
