import { NOT_AFTER_NUMBER, NUM, parseChineseNumber } from './chinese-numerals';
import { civilDate, isoWeekday, type CivilDate, type Clock } from './civil-date';
import { afterHoliday, type Holiday } from './holidays';
import type { Period } from './time-of-day';

/**
 * The date part of a phrase (明天, 下周二, 12月3日, 3天后, 月底, 国庆后 …), matched at one position of
 * the text. Each rule is a sticky regex plus a function that turns the match into a calendar date
 * relative to today in the CRM zone.
 */

export interface DatePart {
  date: CivilDate;
  /** 今晚 / 明早 carry their time of day with them. */
  period?: Period;
}

/**
 * 'vague': a phrase we recognise but will not turn into a date (过几天, 2月30日). It is consumed so
 * that neither a later rule nor chrono guesses from its pieces.
 */
export type DateRuleResult = DatePart | 'vague' | null;

interface DateRule {
  re: RegExp;
  build(m: RegExpExecArray, clock: Clock): DateRuleResult;
}

const AFTER = '(?:后|之后|以后|过后)';
/**
 * A day-of-month written without 日/号 (12月3见面) is accepted unless a counter or unit follows the
 * number: in "12月3个客户" or "12月3万" the 3 counts something else.
 */
const DAY_END = '(?:[日号]|(?![\\d.])(?=([个位次家件台套条张本份名人天周年月万千百%])?))';
/** 3号楼, 1号线, 5号会议室, 3日内 are places and spans, not dates. */
const NOT_A_DAY_AFTER = '(?!楼|线|馆|门|房|院|厅|机|位|桌|床|车|口|台|柜|箱|店|仓|库|厂|室|区|街|路|栋|单元|会议|包|窗|内|以内|之内|左右)';
const WEEKDAY_CHAR: Record<string, number> = {
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  日: 7,
  天: 7,
  七: 7,
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  6: 6,
  7: 7,
};

/** NaN for a range such as 三四 (never a valid year, month, day or count). */
const num = (s: string | undefined): number => (s === undefined ? NaN : (parseChineseNumber(s) ?? NaN));
/** A count of days, weeks, months or years; null for 几 / 两三 / 三四 and for absurd amounts. */
const count = (s: string | undefined): number | null => {
  const n = num(s);
  return Number.isInteger(n) && n <= 999 ? n : null;
};

/**
 * A month and day without a year: this year, or next year when that date has passed (1月5日 in
 * November); 2月29日 waits for the next leap year.
 */
function nextYearlyDate(month: number, day: number, today: CivilDate): DateRuleResult {
  for (let year = today.year(); year <= today.year() + 4; year++) {
    const date = civilDate(year, month, day);
    if (date && !date.isBefore(today)) return { date };
  }
  return 'vague';
}

/** 初 = 1st, 上旬 = 1st, 中/中旬 = 15th, 下旬 = 21st, 底/末 = last day of the month. */
function dayInMonth(part: string, monthStart: CivilDate): CivilDate {
  if (part === '底' || part === '末') return monthStart.endOf('month').startOf('day');
  if (part === '中' || part === '中旬') return monthStart.date(15);
  if (part === '下旬') return monthStart.date(21);
  return monthStart;
}

function addMonths(today: CivilDate, months: number): CivilDate {
  return today.startOf('month').add(months, 'month');
}

/** Day `day` of the month `monthStart`, or null when that month is too short. */
function dayOf(monthStart: CivilDate, day: number): CivilDate | null {
  return civilDate(monthStart.year(), monthStart.month() + 1, day);
}

const MONTH_OFFSET: Record<string, number> = {
  上: -1,
  上个: -1,
  这: 0,
  这个: 0,
  本: 0,
  当: 0,
  下: 1,
  下个: 1,
  下下: 2,
  下下个: 2,
};
const WEEK_OFFSET: Record<string, number> = {
  上上: -2,
  上上个: -2,
  上: -1,
  上个: -1,
  这: 0,
  这个: 0,
  本: 0,
  下: 1,
  下个: 1,
  下下: 2,
  下下个: 2,
};

/** Monday of the Monday-to-Sunday week `weeks` weeks from this one. */
function mondayOf(today: CivilDate, weeks: number): CivilDate {
  return today.subtract(isoWeekday(today) - 1, 'day').add(weeks * 7, 'day');
}

function weekdayPhrase(prefix: string | undefined, dayChar: string | undefined, today: CivilDate): DateRuleResult {
  const todayWeekday = isoWeekday(today);
  const target = dayChar === '末' ? 6 : dayChar ? WEEKDAY_CHAR[dayChar]! : undefined;
  if (prefix === undefined) {
    if (target === undefined) return null; // 周 alone is a surname or a word (周到), not a date
    // Bare 周五 / 周末: the next one after today (on the day itself people say 今天).
    // 周末 said on a Saturday is today: the weekend has begun.
    if (dayChar === '末' && todayWeekday === 6) return { date: today };
    const ahead = (target - todayWeekday + 7) % 7 || 7;
    return { date: today.add(ahead, 'day') };
  }
  let weeks = WEEK_OFFSET[prefix]!;
  if (target === undefined) {
    // 下周 / 下下周 alone: the Monday of that week. 这周 / 上周 alone name no day.
    return weeks > 0 ? { date: mondayOf(today, weeks) } : null;
  }
  // 这周五 said on a Sunday: the working week is over, so "this week" is the coming one, the same
  // week 下周 names then (the phrase table: on Sunday 11-22 both 本周五 and 周五 are 11-27).
  if (weeks === 0 && todayWeekday === 7 && target < 7) weeks = 1;
  return { date: mondayOf(today, weeks).add(target - 1, 'day') };
}

const DAY_WORDS: Record<string, { days: number; period?: Period }> = {
  大后天: { days: 3 },
  后天: { days: 2 },
  明天: { days: 1 },
  明日: { days: 1 },
  后日: { days: 2 },
  明儿: { days: 1 },
  今天: { days: 0 },
  今日: { days: 0 },
  今儿: { days: 0 },
  昨天: { days: -1 },
  昨日: { days: -1 },
  大前天: { days: -3 },
  前天: { days: -2 },
  今早: { days: 0, period: 'morning' },
  今晨: { days: 0, period: 'morning' },
  今晚: { days: 0, period: 'evening' },
  今夜: { days: 0, period: 'evening' },
  明早: { days: 1, period: 'morning' },
  明晨: { days: 1, period: 'morning' },
  明晚: { days: 1, period: 'evening' },
  明夜: { days: 1, period: 'evening' },
  昨晚: { days: -1, period: 'evening' },
  昨夜: { days: -1, period: 'evening' },
};

const HOLIDAY_WORDS: Record<string, Holiday> = {
  国庆: 'national-day',
  国庆节: 'national-day',
  十一长假: 'national-day',
  五一: 'labour-day',
  劳动节: 'labour-day',
  春节: 'spring-festival',
  过年: 'spring-festival',
};

function rule(source: string, build: DateRule['build'], flags = 'y'): DateRule {
  return { re: new RegExp(source, flags), build };
}

/** Tried in order at each position; the first that matches there wins. */
const DATE_RULES: DateRule[] = [
  // 2026年12月1日, 二零二六年十二月一日
  rule(`${NOT_AFTER_NUMBER}(\\d{4}|[零〇一二三四五六七八九]{4})\\s*年\\s*(${NUM})\\s*月\\s*(${NUM})\\s*[日号]?`, (m) => {
    const date = civilDate(num(m[1]), num(m[2]), num(m[3]));
    return date ? { date } : 'vague';
  }),
  // 2026-12-03, 2026/12/03, 2026.12.03
  rule(`(?<![\\d.])(\\d{4})([-/.])(\\d{1,2})\\2(\\d{1,2})(?![\\d.])`, (m) => {
    const date = civilDate(Number(m[1]), Number(m[3]), Number(m[4]));
    return date ? { date } : 'vague';
  }),
  // 2026年底, 今年底, 明年年底
  rule(`(\\d{4}|今|明)\\s*年\\s*(?:的)?\\s*年?(底|末)`, (m, c) => {
    const year = m[1] === '今' ? c.today.year() : m[1] === '明' ? c.today.year() + 1 : Number(m[1]);
    const date = civilDate(year, 12, 31);
    return date ? { date } : 'vague';
  }),
  // 12月3日, 十二月三号, 12月3 下午
  rule(`${NOT_AFTER_NUMBER}(${NUM})\\s*月\\s*(${NUM})\\s*${DAY_END}`, (m, c) => {
    if (m[3]) return 'vague'; // consumed, so that chrono does not read 12月3 out of it either
    const month = num(m[1]);
    const day = num(m[2]);
    return civilDate(2000, month, day) ? nextYearlyDate(month, day, c.today) : 'vague';
  }),
  // 12月底, 1月初, 12月中旬
  rule(`${NOT_AFTER_NUMBER}(${NUM})\\s*月份?\\s*(?:的)?\\s*(初|上旬|中旬|中|下旬|底|末)`, (m, c) => {
    const month = num(m[1]);
    if (!civilDate(2000, month, 1)) return 'vague';
    for (const year of [c.today.year(), c.today.year() + 1]) {
      const date = dayInMonth(m[2]!, civilDate(year, month, 1)!);
      if (!date.isBefore(c.today)) return { date };
    }
    return 'vague';
  }),
  // 12/3, but not the fractions of "付了1/2定金" or "1/3的预算"
  rule(`(?<![\\d/.了付占约共近超第])(\\d{1,2})\\/(\\d{1,2})(?![\\d/.]|的|份|成|折|定金|以上|以下|左右)`, (m, c) => {
    const month = Number(m[1]);
    const day = Number(m[2]);
    return civilDate(2000, month, day) ? nextYearlyDate(month, day, c.today) : 'vague';
  }),
  // 3天后, 十五天以后
  rule(`${NOT_AFTER_NUMBER}(${NUM}|几|两三|三五|半)\\s*[天日]\\s*${AFTER}`, (m, c) => {
    const n = count(m[1]);
    return n === null ? 'vague' : { date: c.today.add(n, 'day') };
  }),
  // 两周后, 一个星期后, 2个礼拜之后
  rule(`${NOT_AFTER_NUMBER}(${NUM}|几|两三|半)\\s*个?\\s*(?:周|星期|礼拜)\\s*${AFTER}`, (m, c) => {
    const n = count(m[1]);
    return n === null ? 'vague' : { date: c.today.add(n * 7, 'day') };
  }),
  // 3个月后, 半个月后
  rule(`${NOT_AFTER_NUMBER}(${NUM}|几|两三|半)\\s*个\\s*月\\s*${AFTER}`, (m, c) => {
    if (m[1] === '半') return { date: c.today.add(15, 'day') };
    const n = count(m[1]);
    return n === null ? 'vague' : { date: c.today.add(n, 'month') };
  }),
  // 1年后, 半年后 (2026年以后 is not "2026 years later")
  rule(`${NOT_AFTER_NUMBER}(${NUM}|几|半)\\s*年\\s*${AFTER}`, (m, c) => {
    if (m[1] === '半') return { date: c.today.add(6, 'month') };
    const n = count(m[1]);
    return n === null || n > 10 ? 'vague' : { date: c.today.add(n, 'year') };
  }),
  // 过两天, 过一周, 过几天 (vague). Not 超过两天 / 经过 / 不过.
  rule(`(?<![超经不越通路错难度跳])过\\s*(${NUM}|几|两三)\\s*(天|个?星期|个?礼拜|周|个月)`, (m, c) => {
    const n = count(m[1]);
    if (n === null) return 'vague';
    if (m[2] === '天') return { date: c.today.add(n, 'day') };
    if (m[2] === '个月') return { date: c.today.add(n, 'month') };
    return { date: c.today.add(n * 7, 'day') };
  }),
  // 下个月5号, 下月底, 这个月15号, 下个月 (= the 1st)
  rule(`(下下个?|下个?|这个?|本|当|上个?)月\\s*(?:的)?\\s*(?:(${NUM})\\s*[号日]|(初|上旬|中旬|中|下旬|底|末))?`, (m, c) => {
    const offset = MONTH_OFFSET[m[1]!]!;
    const monthStart = addMonths(c.today, offset);
    if (m[2]) {
      const date = dayOf(monthStart, num(m[2]));
      return date ? { date } : 'vague';
    }
    if (m[3]) return { date: dayInMonth(m[3], monthStart) };
    return offset > 0 ? { date: monthStart } : null;
  }),
  // 月底, 月初, 月中: this month's, or next month's when it has passed (月初 said on the 22nd)
  rule(`(?<![个下本这上当\\d零〇一二两三四五六七八九十])月\\s*(初|上旬|中旬|中|下旬|底|末)`, (m, c) => {
    for (const offset of [0, 1]) {
      const date = dayInMonth(m[1]!, addMonths(c.today, offset));
      if (!date.isBefore(c.today)) return { date };
    }
    return 'vague';
  }),
  // 年底, 年末
  rule(`(?<![\\d今明去前后])年\\s*(底|末)`, (_m, c) => ({ date: civilDate(c.today.year(), 12, 31)! })),
  // 今天, 明天, 后天, 大后天, 今晚, 明早 …  (not 然后天天 / 目前天气)
  rule(
    `(?:${Object.keys(DAY_WORDS)
      .map((w) => (w === '后天' || w === '后日' ? `(?<![然之以最落先])${w}` : w === '前天' ? '(?<![之以提目当])前天' : w))
      .join('|')})`,
    (m, c) => {
      const word = DAY_WORDS[m[0]]!;
      return { date: c.today.add(word.days, 'day'), period: word.period };
    },
  ),
  // 周五, 下周二, 这个星期三, 礼拜天, 周末, 下周末, 下下周
  rule(`(?:(下下个?|下个?|这个?|本|上上个?|上个?)\\s*)?(?:周|星期|礼拜)\\s*([一二三四五六日天1-7]|末)?`, (m, c) => weekdayPhrase(m[1], m[2], c.today)),
  // 国庆后, 五一之后, 春节后, 过完年, 年后 (not 两年后)
  rule(
    `(?:(${Object.keys(HOLIDAY_WORDS).join('|')})\\s*(?:假期|长假)?\\s*(?:${AFTER}|回来)` +
      `|(过完年|(?<![\\d零〇一二两三四五六七八九十百几多半今明去前])年后))`,
    (m, c) => {
      const holiday = m[1] ? HOLIDAY_WORDS[m[1]]! : 'spring-festival';
      const date = afterHoliday(holiday, c.today);
      return date ? { date } : 'vague';
    },
  ),
  // 5号, 25日: this month's, or the next month that has that day
  rule(`${NOT_AFTER_NUMBER}(?<![第周期])(?:(${NUM})\\s*号|(\\d{1,2})\\s*日)${NOT_A_DAY_AFTER}`, (m, c) => {
    const day = num(m[1] ?? m[2]);
    if (!civilDate(2000, 1, day)) return 'vague';
    for (const offset of [0, 1, 2]) {
      const date = dayOf(addMonths(c.today, offset), day);
      if (date && !date.isBefore(c.today)) return { date };
    }
    return 'vague';
  }),
];

export interface DateMatch {
  end: number;
  result: DatePart | 'vague';
}

/** The date phrase starting exactly at `at`, if any. */
export function matchDatePart(text: string, at: number, clock: Clock): DateMatch | null {
  for (const { re, build } of DATE_RULES) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m || m[0].length === 0) continue;
    const result = build(m, clock);
    if (result === null) continue;
    return { end: at + m[0].length, result };
  }
  return null;
}

/** "12月3日（周四）": a weekday written after a date only confirms it; skip over it. */
const WEEKDAY_NOTE = /\s*[（(]?\s*(?:周|星期|礼拜)[一二三四五六日天1-7](?![一二三四五六日天])\s*[)）]?/y;

export function skipWeekdayNote(text: string, at: number): number {
  WEEKDAY_NOTE.lastIndex = at;
  const m = WEEKDAY_NOTE.exec(text);
  return m ? at + m[0].length : at;
}
