/**
 * What a salesperson types, made comparable without changing their words: full-width letters,
 * digits and spaces (common with Chinese IMEs) become ASCII, runs of whitespace become one space,
 * and a leading @mention (typing "@小助手 待办" in a chat) is dropped. Chinese punctuation in the
 * content is kept as typed.
 */
export function normalizeCommandText(raw: string): string {
  return raw
    .replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g, (c) => c.normalize('NFKC'))
    .replace(/[\s\u3000]+/g, ' ')
    .trim()
    .replace(/^@\S+\s*/, '')
    .trim();
}

const QUOTES: Record<string, string> = { '"': '"', '“': '”', '「': '」', "'": "'" };

/**
 * Splits arguments on spaces, keeping quoted parts together ("张 三" or “张 三” or 「张 三」) so a
 * name with a space can still be named.
 */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ') {
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
    const end = text.indexOf(' ', i);
    args.push(text.slice(i, end === -1 ? text.length : end));
    i = end === -1 ? text.length : end;
  }
  return args;
}

/** The first argument (quote-aware) and the untouched rest of the text after it. */
export function firstArg(text: string): { first: string | undefined; rest: string } {
  const trimmed = text.trim();
  if (!trimmed) return { first: undefined, rest: '' };
  const close = QUOTES[trimmed[0]!];
  if (close) {
    const end = trimmed.indexOf(close, 1);
    if (end > 0) return { first: trimmed.slice(1, end), rest: trimmed.slice(end + 1).trim() };
  }
  const space = trimmed.indexOf(' ');
  return space === -1 ? { first: trimmed, rest: '' } : { first: trimmed.slice(0, space), rest: trimmed.slice(space + 1).trim() };
}
