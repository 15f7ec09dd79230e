import { instantAt, readClock, type Clock } from './civil-date';
import { chronoFallback } from './chrono-fallback';
import { matchDatePart, skipWeekdayNote, type DatePart } from './date-phrases';
import { matchRelativeTime } from './relative-time';
import { DEFAULT_MINUTE, hourOfDay, matchTimeOfDay, PERIODS, type TimeOfDay } from './time-of-day';

/**
 * Finds the date and time a salesperson means in free text ("电话沟通了报价，下周二再联系",
 * "提醒 明天下午3点 张三 发报价") and resolves it in the CRM time zone, whatever the process's zone.
 *
 * Our own rules come first; chrono-node (zh.hans) is only a fallback for text they do not
 * recognise at all, because on its own it reads Sunday-start weeks and misses 月底, 两周后, 过两天 …
 * The rules and defaults (see bots/dates/README.md):
 *  - weeks run Monday to Sunday; bare 周五 is the next Friday after today; 下周二 is Tuesday of next
 *    week; on a Sunday 这周五 means the coming Friday;
 *  - no time of day → 09:00; 早上/上午 09:00, 中午 12:00, 下午 14:00, 傍晚 18:00, 晚上 20:00; `hasTime`
 *    is false then;
 *  - 1–7点 without 上午/下午 are afternoon or evening hours (3点 → 15:00), 8–12点 as written;
 *  - a time with no date that has passed today means tomorrow (3点 said at 16:00);
 *  - a default time on today that has passed becomes the next whole hour while the period lasts
 *    (今天下午 said at 16:30 → 17:00; 今晚 at 23:30 → midnight);
 *  - a month and day with no year that has passed this year is next year's;
 *  - vague phrases (过几天, 几小时后) and impossible dates (2月30日) give null, never a guess.
 */

export interface ParsedDate {
  /** The instant (the minute, seconds dropped). */
  at: Date;
  /** True when the text gave a clock time or an offset in hours/minutes; false when we chose the time. */
  hasTime: boolean;
  /** The matched phrase, so callers can cut it out of the content. */
  text: string;
  /** Where `text` starts in the input. */
  index: number;
  /** Which parser read it: our rules, or the chrono-node fallback. */
  source: 'rules' | 'chrono';
}

/** The first date phrase in `text`, or null. Pure: `now` is the clock, `timeZone` the CRM zone. */
export function parseChineseDate(text: string, now: Date, timeZone: string): ParsedDate | null {
  return findChineseDates(text, now, timeZone)[0] ?? null;
}

/** Every date phrase in `text`, in order, without overlaps. */
export function findChineseDates(text: string, now: Date, timeZone: string): ParsedDate[] {
  const clock = readClock(now, timeZone);
  const normalized = toHalfWidth(text);
  const { found, sawVague } = scan(normalized, clock);
  if (found.length > 0 || sawVague) {
    return found.map(({ end, ...f }) => ({ ...f, text: text.slice(f.index, end) }));
  }
  const fallback = chronoFallback(normalized, clock);
  return fallback ? [{ ...fallback, text: text.slice(fallback.index, fallback.index + fallback.text.length) }] : [];
}

/** Full-width digits and punctuation (１２／３ １４：００) as ASCII; one character for one, so indexes hold. */
function toHalfWidth(text: string): string {
  return text.replace(/[０-９：／．－]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

interface Found extends ParsedDate {
  end: number;
}

function scan(text: string, clock: Clock): { found: Found[]; sawVague: boolean } {
  const found: Found[] = [];
  let sawVague = false;
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    const relative = matchRelativeTime(text, i);
    if (relative) {
      if (relative.minutes === null) sawVague = true;
      else found.push(hit(text, i, relative.end, afterMinutes(clock, relative.minutes), true));
      i = relative.end;
      continue;
    }
    const date = matchDatePart(text, i, clock);
    if (date) {
      if (date.result === 'vague') {
        sawVague = true;
        i = date.end;
        continue;
      }
      const afterNote = skipWeekdayNote(text, date.end);
      const time = matchTimeOfDay(text, skipJoiner(text, afterNote), true);
      const end = time ? time.end : afterNote;
      const { at, hasTime } = resolve(clock, date.result, time ?? undefined);
      found.push(hit(text, i, end, at, hasTime));
      i = end;
      continue;
    }
    const time = matchTimeOfDay(text, i, false);
    if (time) {
      const { at, hasTime } = resolve(clock, undefined, time);
      found.push(hit(text, i, time.end, at, hasTime));
      i = time.end;
      continue;
    }
    i++;
  }
  return { found, sawVague };
}

/** Between a date and its time: spaces, or 的 (明天的下午3点). */
function skipJoiner(text: string, at: number): number {
  const m = /\s*的?\s*/y;
  m.lastIndex = at;
  return at + m.exec(text)![0].length;
}

function hit(text: string, index: number, end: number, at: Date, hasTime: boolean): Found {
  return { at, hasTime, text: text.slice(index, end), index, end, source: 'rules' };
}

function afterMinutes(clock: Clock, minutes: number): Date {
  const at = clock.now.getTime() + minutes * 60_000;
  return new Date(at - (at % 60_000));
}

/** Combines a date (or today) with a time of day (or the default), then applies the roll-over rules. */
function resolve(clock: Clock, date: DatePart | undefined, time: TimeOfDay | undefined): { at: Date; hasTime: boolean } {
  const period = time?.period ?? date?.period;
  const hasTime = time?.clock !== undefined;
  const minute = time?.clock ? hourOfDay(time.clock, period) * 60 + time.clock.minute : period ? PERIODS[period].defaultMinute : DEFAULT_MINUTE;
  const day = date?.date ?? clock.today;
  const at = instantAt(day, minute, clock.timeZone);
  if (at.getTime() > clock.now.getTime()) return { at, hasTime };

  const periodLasts = clock.minuteOfDay < (period ? PERIODS[period].endMinute : 24 * 60);
  const nextWholeHour = instantAt(clock.today, (Math.floor(clock.minuteOfDay / 60) + 1) * 60, clock.timeZone);
  if (!date) {
    // "3点" said at 16:00 is tomorrow's; "下午" said at 16:30 is the rest of this afternoon.
    if (!hasTime && periodLasts) return { at: nextWholeHour, hasTime };
    return { at: instantAt(clock.today.add(1, 'day'), minute, clock.timeZone), hasTime };
  }
  // The user named the day: never move it. Only a time we chose ourselves moves, to later today.
  if (!hasTime && day.isSame(clock.today, 'day') && periodLasts) return { at: nextWholeHour, hasTime };
  return { at, hasTime };
}
