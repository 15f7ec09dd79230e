import * as chrono from 'chrono-node';
import { civilDate, instantAt, utcOffsetMinutes, type Clock } from './civil-date';
import { DEFAULT_MINUTE } from './time-of-day';

/**
 * chrono-node (Simplified Chinese) for text our rules do not recognise at all, e.g. "12月3见面"
 * (a day with no 日/号 and words after it) or "三月三". Only its calendar fields are used and only
 * when it is certain of them:
 *  - a month with no day (十二月 → chrono says the 22nd, today's day) or a weekday alone (Sunday-start
 *    weeks) is a guess, so it is dropped;
 *  - offsets (两个钟后, 3日内) are dropped too: chrono computes hours from now in the process zone
 *    and lands hours off; our own rules handle every offset we accept;
 *  - word-only readings (后天 in 然后天天) are dropped: every such word we accept is in our rules,
 *    which refuse it there on purpose; chrono is trusted only for dates and times with numbers;
 *  - a time with no date is dropped: our rules read every clock time we accept and refuse the rest
 *    on purpose (一点 in 快一点 is "a bit", 两点 in 有两点要求 is "two points");
 *  - the instant is rebuilt from the fields in the CRM zone, with our 09:00 default when there is no
 *    time.
 */
export interface ChronoReading {
  at: Date;
  hasTime: boolean;
  text: string;
  index: number;
  source: 'chrono';
}

const OFFSET_PHRASE = /(后|前|之后|以后|之前|以前|过后|内)$/;
const HAS_NUMBER = /[\d零〇一二两三四五六七八九十]/;

export function chronoFallback(text: string, clock: Clock): ChronoReading | null {
  const reference = { instant: clock.now, timezone: utcOffsetMinutes(clock.now, clock.timeZone) };
  for (const result of chrono.zh.hans.parse(text, reference, { forwardDate: true })) {
    const start = result.start;
    if (OFFSET_PHRASE.test(result.text) || !HAS_NUMBER.test(result.text)) continue;
    if (!start.isCertain('month') || !start.isCertain('day')) continue;
    const date = civilDate(start.get('year') ?? clock.today.year(), start.get('month')!, start.get('day')!);
    if (!date) continue;
    const hasTime = start.isCertain('hour');
    const minute = hasTime ? start.get('hour')! * 60 + (start.get('minute') ?? 0) : DEFAULT_MINUTE;
    const at = instantAt(date, minute, clock.timeZone);
    return { at, hasTime, text: result.text, index: result.index, source: 'chrono' };
  }
  return null;
}
