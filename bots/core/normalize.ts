/**
 * What a salesperson types, made comparable without changing their words: full-width letters,
 * digits, ％ and ＃ (common with Chinese IMEs) become ASCII, runs of spaces (full-width too) become
 * one space, and a leading @mention (typing "@小助手 待办" in a chat) is dropped. Line breaks are
 * kept (a follow-up note written on several lines stays on several lines), only the spaces around
 * them and runs of blank lines are tidied. Chinese punctuation in the content is kept as typed.
 */
export function normalizeCommandText(raw: string): string {
  return raw
    .replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\uFF03\uFF05]/g, (c) => c.normalize('NFKC'))
    .replace(/\r\n?/g, '\n')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
    .replace(/^@\S+\s*/, '')
    .trim();
}

const QUOTES: Record<string, string> = { '"': '"', '“': '”', '「': '」', "'": "'" };

/**
 * Where one argument ends: whitespace (a line break too), or the punctuation people put between a
 * name and what follows (刘洋：客户说…, 刘洋，高意向，教育行业, 高意向、教育；…). An ASCII comma or
 * colon between digits is part of a number or a time (5,000 · 15:00) and separates nothing.
 */
const SEPARATOR = /\s|[，、；;：]|(?<!\d)[,:]|[,:](?!\d)/;
const SEPARATORS_AT_START = /^(?:\s|[，、；;：,:])+/;

/** The text without the separators it starts with (`记录跟进：刘洋 …` → `刘洋 …`). */
export function trimLeadingSeparators(text: string): string {
  return text.replace(SEPARATORS_AT_START, '').trimEnd();
}

/** Index of the first separator in `text` at or after `from`, or -1. */
function nextSeparator(text: string, from: number): { index: number; length: number } {
  const m = SEPARATOR.exec(text.slice(from));
  return m ? { index: from + m.index, length: m[0].length } : { index: -1, length: 0 };
}

/**
 * Splits arguments on spaces and separating punctuation, keeping quoted parts together ("张 三" or
 * “张 三” or 「张 三」) so a name with a space can still be named.
 */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (SEPARATOR.test(text[i]!) && !isNumberPunctuation(text, i)) {
      i += 1;
      continue;
    }
    const close = QUOTES[text[i]!];
    if (close) {
      const end = text.indexOf(close, i + 1);
      if (end > i) {
        args.push(text.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    const end = nextSeparator(text, i).index;
    args.push(text.slice(i, end === -1 ? text.length : end));
    i = end === -1 ? text.length : end;
  }
  return args;
}

/** A comma or colon at `i` that sits between two digits (5,000 · 15:00). */
function isNumberPunctuation(text: string, i: number): boolean {
  return /[,:]/.test(text[i]!) && /\d/.test(text[i - 1] ?? '') && /\d/.test(text[i + 1] ?? '');
}

/**
 * The first argument (quote-aware) and the rest of the text after it, untouched but for the
 * separators that began it (`刘洋：客户说月底前定` → 刘洋 and 客户说月底前定).
 */
export function firstArg(text: string): { first: string | undefined; rest: string } {
  const trimmed = trimLeadingSeparators(text.trim());
  if (!trimmed) return { first: undefined, rest: '' };
  const close = QUOTES[trimmed[0]!];
  if (close) {
    const end = trimmed.indexOf(close, 1);
    if (end > 0) return { first: trimmed.slice(1, end), rest: trimLeadingSeparators(trimmed.slice(end + 1)) };
  }
  const { index } = nextSeparator(trimmed, 0);
  return index === -1 ? { first: trimmed, rest: '' } : { first: trimmed.slice(0, index), rest: trimLeadingSeparators(trimmed.slice(index)) };
}
