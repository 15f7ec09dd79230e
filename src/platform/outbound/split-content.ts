import { utf8Bytes } from '../wecom/limits/wecom-limits';

/**
 * Splits a text or markdown message that is over WeCom's byte limit into messages that are each
 * within it, in reading order: at line ends where it can, else between markdown elements, else
 * between characters — never inside a multi-byte character, a `<font>` element, `**bold**`, a link,
 * inline code or an `<@userid>` mention (an element too long for one message is split into several,
 * each wrapped in the same tags). Parts after the first say they continue the one before. After
 * `maxParts` messages the rest is dropped and the last message says so.
 */
export interface SplitOptions {
  maxBytes: number;
  markdown: boolean;
  maxParts?: number;
}

export const DEFAULT_MAX_PARTS = 4;
const CONTINUED = { markdown: '<font color="comment">（接上条）</font>', text: '（接上条）' };
export const TRUNCATED_NOTICE = '…（内容过长，后面的未显示）';

export function splitContent(content: string, options: SplitOptions): string[] {
  const { maxBytes, markdown } = options;
  if (utf8Bytes(content) <= maxBytes) return [content];
  const maxParts = options.maxParts ?? DEFAULT_MAX_PARTS;
  const prefix = `${markdown ? CONTINUED.markdown : CONTINUED.text}\n`;
  // Every part after the first starts with the prefix: pieces are sized for that.
  const budget = maxBytes - utf8Bytes(prefix);
  const pieces = content.split('\n').flatMap((line) => splitLine(line, budget, markdown).map((text, i) => ({ text, newLine: i === 0 })));

  const parts: string[] = [];
  let current = '';
  let truncated = false;
  for (const piece of pieces) {
    const limit = parts.length === 0 ? maxBytes : budget;
    const candidate = current === '' ? piece.text : `${current}${piece.newLine ? '\n' : ''}${piece.text}`;
    if (utf8Bytes(candidate) <= limit) {
      current = candidate;
      continue;
    }
    if (parts.length + 1 === maxParts) {
      truncated = true;
      break;
    }
    parts.push(current);
    current = piece.text;
  }
  parts.push(truncated ? withNotice(current, parts.length === 0 ? maxBytes : budget, markdown) : current);
  return parts.map((part, i) => (i === 0 ? part : `${prefix}${part}`));
}

/** The part with the "rest not shown" notice as its last line, dropping lines (or a tail) to make room. */
function withNotice(part: string, limit: number, markdown: boolean): string {
  const room = limit - utf8Bytes(`\n${TRUNCATED_NOTICE}`);
  const lines = part.split('\n');
  while (lines.length > 1 && utf8Bytes(lines.join('\n')) > room) lines.pop();
  const body = utf8Bytes(lines.join('\n')) > room ? splitLine(lines[0]!, room, markdown)[0]! : lines.join('\n');
  return `${body}\n${TRUNCATED_NOTICE}`;
}

interface Token {
  /** the whole token as written */
  text: string;
  /** for an element with inner text: its opening and closing marks, so it can be split and rewrapped */
  open?: string;
  inner?: string;
  close?: string;
}

/** Markdown elements WeCom draws (PROTOCOL.md §5.8), and text's `<a href>` links. */
const MARKDOWN_ELEMENT = /(<font color="[^"]*">)([\s\S]*?)(<\/font>)|(\*\*)(.+?)(\*\*)|(`)([^`]+)(`)|\[[^\]]*\]\([^)]*\)|<@[^>]+>/g;
const TEXT_ELEMENT = /(<a href="[^"]*">)([\s\S]*?)(<\/a>)/g;

function tokenize(line: string, markdown: boolean): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  const pattern = new RegExp(markdown ? MARKDOWN_ELEMENT : TEXT_ELEMENT);
  for (const m of line.matchAll(pattern)) {
    for (const ch of line.slice(last, m.index)) tokens.push({ text: ch });
    const groups = [1, 4, 7].map((g) => m[g]).findIndex((g) => g !== undefined);
    if (groups >= 0) {
      const at = [1, 4, 7][groups]!;
      tokens.push({ text: m[0], open: m[at], inner: m[at + 1], close: m[at + 2] });
    } else tokens.push({ text: m[0] });
    last = m.index + m[0].length;
  }
  for (const ch of line.slice(last)) tokens.push({ text: ch });
  return tokens;
}

/** One line as pieces of at most `budget` bytes, cut between tokens (a quote line's pieces stay quotes). */
export function splitLine(line: string, budget: number, markdown: boolean): string[] {
  if (utf8Bytes(line) <= budget) return [line];
  const quote = markdown && /^>\s?/.test(line) ? '> ' : '';
  const pieces: string[] = [];
  let current = '';
  const push = (text: string) => {
    const candidate = current + text;
    if (utf8Bytes(candidate) <= budget || current === '' || current === quote) current = candidate;
    else {
      pieces.push(current);
      current = quote + text;
    }
  };
  for (const token of tokenize(line, markdown)) {
    const room = budget - utf8Bytes(quote);
    if (utf8Bytes(token.text) <= room) {
      push(token.text);
      continue;
    }
    // An element too long for one message: its inner text in chunks, each wrapped in its tags.
    const open = token.open ?? '';
    const close = token.close ?? '';
    const inner = token.inner ?? token.text;
    let chunk = '';
    for (const ch of inner) {
      if (utf8Bytes(open + chunk + ch + close) > room) {
        push(open + chunk + close);
        chunk = '';
      }
      chunk += ch;
    }
    if (chunk) push(open + chunk + close);
  }
  if (current && current !== quote) pieces.push(current);
  return pieces;
}
