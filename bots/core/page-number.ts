import { parseChineseNumber } from '../dates/chinese-numerals';

/**
 * A page number as people write it after a list command: `2`, `第2页`, `第二页`, `2页`, `第2`.
 * Null when the word is something else (a tag, a stage, a name).
 */
export function pageNumber(word: string): number | null {
  const m = /^(?:(\d{1,4})|第(\d{1,4}|[一二两三四五六七八九十百]+)页?|(\d{1,4}|[一二两三四五六七八九十百]+)页)$/.exec(word.trim());
  if (!m) return null;
  const n = m[1] ?? m[2] ?? m[3]!;
  return /^\d+$/.test(n) ? Number(n) : parseChineseNumber(n);
}
