import { NOT_AFTER_NUMBER, NUM, parseChineseNumber } from './chinese-numerals';

/**
 * Offsets from now measured in hours or minutes (半小时后, 2个小时后, 一个半小时后, 过10分钟, 15分钟以后).
 * They name an instant, not a date, so they never combine with a time of day.
 */

const AFTER = '(?:后|之后|以后|过后)';
const AMOUNT = `(?:(${NUM})\\s*个半|(\\d+\\.\\d+)|(${NUM})|(半)|(几|一两|两三))`;
/** 两个钟 is spoken for two hours; a bare 钟 is not (三点钟 is a clock time). */
const UNIT = '(?:\\s*个?\\s*(小时|钟头)|\\s*个\\s*(钟)|\\s*(分钟))';
/** "过半小时" / "过10分钟" (but not 超过 / 经过 / 不过) or "N小时后". */
const WITH_GUO = new RegExp(`(?<![超经不越通路错难度跳])过\\s*${AMOUNT}${UNIT}\\s*(?:${AFTER})?`, 'y');
const PLAIN = new RegExp(`${NOT_AFTER_NUMBER}${AMOUNT}${UNIT}\\s*${AFTER}`, 'y');

export interface RelativeTimeMatch {
  end: number;
  /** null: a vague amount (几小时后) that we refuse to guess. */
  minutes: number | null;
}

export function matchRelativeTime(text: string, at: number): RelativeTimeMatch | null {
  for (const re of [WITH_GUO, PLAIN]) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) continue;
    const [, andAHalf, decimal, whole, half, vague, hours, spokenHours] = m;
    const hourUnit = hours ?? spokenHours;
    let amount: number | null;
    if (vague) amount = null;
    else if (half) amount = 0.5;
    else if (decimal) amount = Number(decimal);
    else if (andAHalf) amount = (parseChineseNumber(andAHalf) ?? NaN) + 0.5;
    else amount = parseChineseNumber(whole!);
    const minutes = amount === null || Number.isNaN(amount) ? null : Math.round(amount * (hourUnit ? 60 : 1));
    return { end: at + m[0].length, minutes };
  }
  return null;
}
