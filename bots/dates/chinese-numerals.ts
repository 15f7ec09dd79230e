/**
 * Numbers as salespeople type them: Arabic digits or Chinese numerals (三, 两, 十五, 二十三, 二零二六).
 * The regex fragments are shared by every phrase rule so that "十二点" and "12点" behave the same.
 */

/** One number: digits, or a run of Chinese numeral characters. */
export const NUM = '(?:\\d+|[零〇一二两三四五六七八九十百]+)';

/**
 * Put in front of a rule that starts with a number, so that the rule never starts in the middle of
 * one: without it "31号" in a 30-day month would fail and then match again as "1号".
 */
export const NOT_AFTER_NUMBER = '(?<![\\d零〇一二两三四五六七八九十百.:：/-])';

const DIGIT: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** 3 → 3, 十五 → 15, 二十三 → 23, 一百零五 → 105, 二零二六 → 2026, 零五 → 5; 三四 (a range) or anything else → null. */
export function parseChineseNumber(s: string): number | null {
  if (/^\d+$/.test(s)) return Number(s);
  if (!/^[零〇一二两三四五六七八九十百]+$/.test(s)) return null;
  if (!/[十百]/.test(s)) {
    if (s.length === 1) return DIGIT[s]!;
    // Several digits are read one by one only as written in years (二零二六) and minutes (零五);
    // otherwise they are a range, 三四天 or 一两天 ("three or four days"), which is vague.
    if (!/[零〇]/.test(s) || s.includes('两')) return null;
    return Number([...s].map((c) => DIGIT[c]).join(''));
  }
  let total = 0;
  let current = 0;
  for (const c of s) {
    if (c === '百') {
      total += (current || 1) * 100;
      current = 0;
    } else if (c === '十') {
      total += (current || 1) * 10;
      current = 0;
    } else {
      current = DIGIT[c]!;
    }
  }
  return total + current;
}
