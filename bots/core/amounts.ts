import { parseChineseNumber } from '../dates/chinese-numerals';

/**
 * Money and chances as salespeople write them. Pure, specified by the tables in
 * test/unit/bot-amounts.test.ts.
 */

const UNITS: Record<string, number> = { 亿: 1e8, 万: 1e4, w: 1e4, 千: 1e3, k: 1e3 };
/** a number followed by its unit: 5万, 1.5w, 十五万, 8千 */
const SEGMENT = /(\d[\d,]*(?:\.\d+)?|[零〇一二两三四五六七八九十百]+)(亿|万|w|千|k)/y;

function readNumber(text: string): number | null {
  if (/^[\d.,]+$/.test(text)) {
    // 5,000 and 1,200,000: commas only between groups of three digits.
    if (text.includes(',') && !/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) return null;
    const n = Number(text.replace(/,/g, ''));
    return Number.isFinite(n) ? n : null;
  }
  return parseChineseNumber(text);
}

/**
 * 5万, 5万元, 1.5万, 一万五, 1万5千, 8千, 8k, 20w, 50000, 5,000, ¥5000, 五万块 → yuan; null when
 * it is not an amount. A lone digit after the last unit counts in the unit below (一万五 = 15,000,
 * 三千五 = 3,500), as it is said.
 */
export function parseAmount(text: string): number | null {
  const s = text
    .trim()
    .toLowerCase()
    .replace(/^金额[:：]?/, '')
    .replace(/^[¥￥]/, '')
    .replace(/(?:元|块钱|块|rmb)$/, '');
  if (!s) return null;
  let total = 0;
  let lastUnit = Infinity;
  let i = 0;
  for (;;) {
    SEGMENT.lastIndex = i;
    const m = SEGMENT.exec(s);
    if (!m) break;
    const n = readNumber(m[1]!);
    const unit = UNITS[m[2]!]!;
    if (n === null || unit >= lastUnit) return null;
    total += n * unit;
    lastUnit = unit;
    i = SEGMENT.lastIndex;
  }
  const tail = s.slice(i);
  if (tail) {
    const n = readNumber(tail);
    if (n === null) return null;
    if (lastUnit === Infinity) total = n;
    else if (/^(\d|[一二两三四五六七八九])$/.test(tail)) total += n * (lastUnit / 10);
    else if (n < lastUnit) total += n;
    else return null;
  }
  const amount = Math.round(total * 100) / 100;
  return Number.isFinite(amount) && amount > 0 && amount < 1e12 ? amount : null;
}

/**
 * 60%, 百分之六十, 六成, 6成, 六成半 (65), 七成五 (75), 概率60% → a percentage (possibly above 100,
 * which the caller refuses with a reason); null when the word is not a probability.
 */
export function parseProbability(text: string): number | null {
  const word = text.trim().replace(/^(?:概率|成功率|把握|可能性|赢率)[:：]?/, '');
  const percent = /^(\d{1,3}(?:\.\d+)?)%$/.exec(word);
  if (percent) return Math.round(Number(percent[1]));
  const spelled = /^百分之(\d{1,3}|[零〇一二两三四五六七八九十百]+)$/.exec(word);
  if (spelled) return readNumber(spelled[1]!);
  const tenths = /^(10|\d|[一二两三四五六七八九十])成(半|\d|[一二三四五六七八九])?$/.exec(word);
  if (tenths) {
    const whole = readNumber(tenths[1]!);
    if (whole === null) return null;
    const extra = tenths[2] === '半' ? 5 : tenths[2] ? (parseChineseNumber(tenths[2]) ?? Number(tenths[2])) : 0;
    return whole * 10 + extra;
  }
  return null;
}
