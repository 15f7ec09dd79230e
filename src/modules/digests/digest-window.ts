import type { CalendarDay, DayRange, ReportPeriod } from '../../../templates/cards/digest-figures';
import dayjs from '../../platform/dayjs';

/**
 * The time span a digest or report counts, as UTC instants computed from CRM_TIMEZONE calendar days:
 * a follow-up at 23:30 Shanghai is 15:30 UTC and belongs to that Shanghai day.
 */
export interface DigestWindow {
  /** activity (new customers, follow-ups, reminders done, losses) is counted in [start, end) */
  start: Date;
  end: Date;
  /** the day open, overdue and tomorrow's reminders are measured on: due in [dayStart, dayEnd) is "today" */
  dayStart: Date;
  dayEnd: Date;
  /** end of the next day: due in [dayEnd, nextDayEnd) is "tomorrow" */
  nextDayEnd: Date;
  /** a customer whose last contact is before this is silent (no follow-up for N days, today included) */
  silentBefore: Date;
  /** the first calendar day of the window, YYYY-MM-DD in CRM_TIMEZONE: names jobs and messages */
  label: string;
}

/** The calendar day containing `at`. */
export function dayWindow(at: Date, timeZone: string, silentDays: number): DigestWindow {
  const day = dayjs(at).tz(timeZone).startOf('day');
  return spanWindow(day, day.add(1, 'day'), day, silentDays);
}

/**
 * 今日 / 本周 (from Monday) / 本月 so far: activity from the start of the period to the end of today;
 * reminder and silence figures as of today.
 */
export function periodWindow(period: ReportPeriod, at: Date, timeZone: string, silentDays: number): DigestWindow {
  const today = dayjs(at).tz(timeZone).startOf('day');
  const start = period === 'today' ? today : period === 'week' ? startOfIsoWeek(today) : today.startOf('month');
  return spanWindow(start, today.add(1, 'day'), today, silentDays);
}

/** A whole Monday-to-Sunday week, `weeksBack` weeks before the one containing `at` (1 = last week). */
export function weekWindow(at: Date, timeZone: string, silentDays: number, weeksBack: number): DigestWindow {
  const monday = startOfIsoWeek(dayjs(at).tz(timeZone).startOf('day')).subtract(weeksBack, 'week');
  const end = monday.add(1, 'week');
  // State figures as of the week's last day (Sunday), so a rerun on Tuesday gives the same numbers.
  return spanWindow(monday, end, end.subtract(1, 'day'), silentDays);
}

function startOfIsoWeek(day: dayjs.Dayjs): dayjs.Dayjs {
  return day.subtract((day.day() + 6) % 7, 'day');
}

function spanWindow(start: dayjs.Dayjs, end: dayjs.Dayjs, day: dayjs.Dayjs, silentDays: number): DigestWindow {
  const dayEnd = day.add(1, 'day');
  return {
    start: start.toDate(),
    end: end.toDate(),
    dayStart: day.toDate(),
    dayEnd: dayEnd.toDate(),
    nextDayEnd: dayEnd.add(1, 'day').toDate(),
    silentBefore: dayEnd.subtract(silentDays, 'day').toDate(),
    label: start.format('YYYY-MM-DD'),
  };
}

/** The calendar day of `at` in `timeZone`. */
export function calendarDay(at: Date, timeZone: string): CalendarDay {
  const d = dayjs(at).tz(timeZone);
  return { year: d.year(), month: d.month() + 1, day: d.date(), weekday: d.day() };
}

/** The calendar days of a window (its end is the midnight after its last day). */
export function windowDays(w: Pick<DigestWindow, 'start' | 'end'>, timeZone: string): DayRange {
  return { first: calendarDay(w.start, timeZone), last: calendarDay(dayjs(w.end).tz(timeZone).subtract(1, 'day').toDate(), timeZone) };
}
