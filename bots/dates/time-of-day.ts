import { NOT_AFTER_NUMBER, NUM, parseChineseNumber } from './chinese-numerals';

/**
 * Times of day: a period word (上午, 下午, 晚上 …), a clock time (3点, 三点一刻, 15:30, 3pm), or both.
 */

export type Period = 'dawn' | 'morning' | 'forenoon' | 'noon' | 'afternoon' | 'dusk' | 'evening';

/**
 * For each period, the time used when no clock time is given, and when the period ends (used to
 * decide whether "下午" said at 16:30 still means this afternoon). Minutes since midnight.
 * 09:00 for mornings because reminders should land at the start of the working day, not at dawn.
 */
export const PERIODS: Record<Period, { defaultMinute: number; endMinute: number }> = {
  dawn: { defaultMinute: 6 * 60, endMinute: 6 * 60 }, // 凌晨
  morning: { defaultMinute: 9 * 60, endMinute: 10 * 60 }, // 早上
  forenoon: { defaultMinute: 9 * 60, endMinute: 12 * 60 }, // 上午
  noon: { defaultMinute: 12 * 60, endMinute: 14 * 60 }, // 中午
  afternoon: { defaultMinute: 14 * 60, endMinute: 18 * 60 }, // 下午
  dusk: { defaultMinute: 18 * 60, endMinute: 19 * 60 }, // 傍晚
  evening: { defaultMinute: 20 * 60, endMinute: 24 * 60 }, // 晚上
};

/** A date with neither clock time nor period: 09:00, the start of the working day. */
export const DEFAULT_MINUTE = 9 * 60;

const PERIOD_WORDS: Record<string, Period> = {
  凌晨: 'dawn',
  早上: 'morning',
  早晨: 'morning',
  清晨: 'morning',
  一早: 'morning',
  上午: 'forenoon',
  中午: 'noon',
  正午: 'noon',
  下午: 'afternoon',
  午后: 'afternoon',
  傍晚: 'dusk',
  晚上: 'evening',
  晚间: 'evening',
  夜里: 'evening',
  夜间: 'evening',
  夜晚: 'evening',
};
const PERIOD_WORD = new RegExp(`(${Object.keys(PERIOD_WORDS).join('|')})`, 'y');

/** 早/晚 alone count as periods only right before a clock time (明天早8点), never in 早一点/晚点. */
const SHORT_PERIOD = /(早|晚)/y;

const MERIDIEM = '(am|pm|a\\.m\\.|p\\.m\\.)';
const COLON_CLOCK = new RegExp(`${NOT_AFTER_NUMBER}(\\d{1,2})\\s*[:：]\\s*(\\d{2})(?![\\d])(?:[:：]\\d{2})?(?:\\s*${MERIDIEM}(?![a-z]))?`, 'yi');
const AMPM_CLOCK = new RegExp(`${NOT_AFTER_NUMBER}(\\d{1,2})\\s*${MERIDIEM}(?![a-z])`, 'yi');
/** Chinese minutes written without 分 must look like minutes (十五, 三十, 零五), so 三点一 is just 三点. */
const CN_MINUTE_WITHOUT_FEN = '(?:[二三四五]?十[一二三四五六七八九]?|[零〇][一二三四五六七八九])';
const HOUR_CLOCK = new RegExp(
  `${NOT_AFTER_NUMBER}(?<!第)(${NUM})\\s*[点點时](?:钟)?` +
    `(?:\\s*(?:(半)|([一1])刻|([三3])刻|(${NUM})\\s*分(?:钟)?|(\\d{2})(?!\\d)|(${CN_MINUTE_WITHOUT_FEN})))?(整)?`,
  'y',
);
/** "有两点要求" is two points, not two o'clock: only checked for a bare Chinese-numeral hour. */
const NOT_A_TIME_AFTER = /(要求|意见|建议|问题|需求|注意|原因|好处|想法|理由|不足|疑问|顾虑|内容|看法)/y;

export interface ClockTime {
  hour: number;
  minute: number;
  meridiem?: 'am' | 'pm';
}

export interface TimeOfDay {
  end: number;
  period?: Period;
  clock?: ClockTime;
}

function matchAt(re: RegExp, text: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(text);
}

function skipSpaces(text: string, at: number): number {
  while (at < text.length && /\s/.test(text[at]!)) at++;
  return at;
}

interface ClockMatch {
  end: number;
  clock: ClockTime;
  /** 一点/两点/三点 with no minutes, in Chinese numerals: the forms that also mean "a bit", "two points". */
  bareChineseHour?: string;
}

function matchClock(text: string, at: number): ClockMatch | 'invalid' | null {
  const colon = matchAt(COLON_CLOCK, text, at);
  if (colon) {
    const clock = validClock(Number(colon[1]), Number(colon[2]), meridiemOf(colon[3]));
    return clock ? { end: at + colon[0].length, clock } : 'invalid';
  }
  const ampm = matchAt(AMPM_CLOCK, text, at);
  if (ampm) {
    const clock = validClock(Number(ampm[1]), 0, meridiemOf(ampm[2]));
    return clock ? { end: at + ampm[0].length, clock } : 'invalid';
  }
  const m = matchAt(HOUR_CLOCK, text, at);
  if (!m) return null;
  const [, hourText, half, quarter, threeQuarters, minuteWithFen, twoDigitMinute, cnMinute] = m;
  const hour = parseChineseNumber(hourText!);
  let minute = 0;
  if (half) minute = 30;
  else if (quarter) minute = 15;
  else if (threeQuarters) minute = 45;
  else if (minuteWithFen ?? twoDigitMinute ?? cnMinute) {
    minute = parseChineseNumber((minuteWithFen ?? twoDigitMinute ?? cnMinute)!) ?? -1;
  }
  const clock = hour === null ? null : validClock(hour, minute);
  if (!clock) return 'invalid';
  const hasMinutes = m.slice(2, 9).some(Boolean);
  const bareChineseHour = !hasMinutes && !/\d/.test(hourText!) ? hourText : undefined;
  return { end: at + m[0].length, clock, bareChineseHour };
}

function meridiemOf(s: string | undefined): 'am' | 'pm' | undefined {
  if (!s) return undefined;
  return s.toLowerCase().startsWith('a') ? 'am' : 'pm';
}

function validClock(hour: number, minute: number, meridiem?: 'am' | 'pm'): ClockTime | null {
  if (minute < 0 || minute > 59) return null;
  if (meridiem ? hour < 1 || hour > 12 : hour < 0 || hour > 24 || (hour === 24 && minute > 0)) return null;
  return { hour, minute, meridiem };
}

/**
 * A time of day starting at `at`: [period] [clock]. `afterDate` is true when it follows a date
 * (明天下午3点), which makes a bare Chinese hour (明天两点) safe to read as a time.
 * Returns null when there is none; a clock that cannot exist (25点, 3点70分) is not a time.
 */
export function matchTimeOfDay(text: string, at: number, afterDate: boolean): TimeOfDay | null {
  let period: Period | undefined;
  let shortPeriod: Period | undefined;
  let pos = at;
  const word = matchAt(PERIOD_WORD, text, pos);
  if (word) {
    period = PERIOD_WORDS[word[1]!];
    pos = skipSpaces(text, pos + word[0].length);
  } else {
    const short = matchAt(SHORT_PERIOD, text, pos);
    if (short) {
      shortPeriod = short[1] === '早' ? 'morning' : 'evening';
      pos += short[0].length;
    }
  }

  const clock = matchClock(text, pos);
  if (clock && clock !== 'invalid' && acceptable(text, clock, { period, shortPeriod, afterDate })) {
    return { end: clock.end, period: period ?? shortPeriod, clock: clock.clock };
  }
  return period ? { end: at + word![0].length, period } : null;
}

function acceptable(text: string, clock: ClockMatch, context: { period?: Period; shortPeriod?: Period; afterDate: boolean }): boolean {
  if (!clock.bareChineseHour) return true;
  const hour = clock.bareChineseHour;
  // 早一点 / 晚一点 = "a bit earlier / later"; 快一点 = "a bit faster".
  if (hour === '一' && !context.period && (context.shortPeriod || !context.afterDate)) return false;
  if (context.period || context.afterDate) return true;
  return matchAt(NOT_A_TIME_AFTER, text, clock.end) === null;
}

/**
 * The hour on a 24-hour clock. Without 上午/下午, 1–7点 mean the afternoon or evening (sales
 * calls are made during the day: "3点打给他" is 15:00) and 8–12点 are taken as written.
 */
export function hourOfDay(clock: ClockTime, period: Period | undefined): number {
  const h = clock.hour;
  if (clock.meridiem === 'pm') return h < 12 ? h + 12 : h;
  if (clock.meridiem === 'am') return h === 12 ? 0 : h;
  if (h > 12) return h;
  switch (period) {
    case undefined:
      return h >= 1 && h <= 7 ? h + 12 : h;
    case 'dawn':
      return h === 12 ? 0 : h;
    case 'morning':
    case 'forenoon':
      return h;
    case 'noon':
      return h <= 5 ? h + 12 : h; // 中午1点 = 13:00, 中午12点 = 12:00
    case 'afternoon':
    case 'dusk':
      return h < 12 ? h + 12 : h;
    case 'evening':
      // 晚上12点 is midnight and 晚上1点 the small hours after it: both run into the next day.
      if (h === 12) return 24;
      return h <= 4 ? 24 + h : h + 12;
  }
}
