/**
 * WeCom's size limits on what the product sends, in UTF-8 bytes (PROTOCOL.md §5.4–5.8). WeCom counts
 * bytes, not characters: a Chinese character is 3 bytes, an emoji 4. A message over a limit is not
 * cut by WeCom but refused (45002), and the person it was for sees nothing — so the outbound queue
 * fits every message to these before it is sent (src/outbound/fit-message.ts), and the fakes of
 * WeCom (the sandbox's and the tests') refuse what WeCom would refuse (check-limits.ts).
 */

/** `text.content` / `markdown.content` per API. */
export const CONTENT_LIMITS = {
  /** message/send: app message to a member */
  app: { text: 2048, markdown: 2048 },
  /** appchat/send: app group chat */
  appchat: { text: 2048, markdown: 2048 },
  /** webhook/send: group robot */
  robot: { text: 2048, markdown: 4096 },
  /** externalcontact/send_welcome_msg: `text.content` */
  welcome: { text: 4000 },
  /** aibot_send_msg: the smart bot's markdown (its stream replies take 20480; a pushed message is held to the robot's 4096) */
  bot: { text: 2048, markdown: 4096 },
} as const;

export type ContentTarget = keyof typeof CONTENT_LIMITS;

/** appchat textcard (PROTOCOL.md §5.6) */
export const TEXTCARD_LIMITS = { title: 128, description: 512, url: 2048 } as const;

/**
 * One string field of a template card. `path` uses `[]` for every element of a list.
 * WeCom documents most card texts as "建议不超过N个字" (N characters); the product holds them to N
 * Chinese characters' worth of bytes (3N), so a card never depends on the client cutting it.
 * `kind`: `text` is cut to fit; `id` (keys, task ids) is never cut — a cut key would route a click
 * to the wrong place — and a too-long one is refused as a bug before anything is sent.
 */
export interface CardFieldLimit {
  path: string;
  bytes: number;
  kind: 'text' | 'id' | 'url';
  /** where the number comes from */
  source: string;
}

const chars = (n: number) => n * 3;

export const CARD_FIELD_LIMITS: readonly CardFieldLimit[] = [
  { path: 'task_id', bytes: 128, kind: 'id', source: '最长支持128字节' },
  { path: 'source.desc', bytes: chars(13), kind: 'text', source: '建议不超过13个字' },
  { path: 'main_title.title', bytes: chars(26), kind: 'text', source: '建议不超过26个字' },
  { path: 'main_title.desc', bytes: chars(30), kind: 'text', source: '建议不超过30个字' },
  { path: 'emphasis_content.title', bytes: chars(10), kind: 'text', source: '建议不超过10个字' },
  { path: 'emphasis_content.desc', bytes: chars(15), kind: 'text', source: '建议不超过15个字' },
  // WeCom gives no figure for the quote area: 26 / 60 characters are the product's own bound.
  { path: 'quote_area.title', bytes: chars(26), kind: 'text', source: 'undocumented; as main_title.title' },
  { path: 'quote_area.quote_text', bytes: chars(60), kind: 'text', source: 'undocumented; the product’s bound' },
  { path: 'sub_title_text', bytes: chars(112), kind: 'text', source: '建议不超过112个字' },
  { path: 'horizontal_content_list[].keyname', bytes: chars(5), kind: 'text', source: '建议不超过5个字' },
  { path: 'horizontal_content_list[].value', bytes: chars(26), kind: 'text', source: '建议不超过26个字' },
  { path: 'vertical_content_list[].title', bytes: chars(26), kind: 'text', source: '建议不超过26个字' },
  { path: 'vertical_content_list[].desc', bytes: chars(112), kind: 'text', source: '建议不超过112个字' },
  { path: 'jump_list[].title', bytes: chars(13), kind: 'text', source: '建议不超过13个字' },
  { path: 'button_list[].text', bytes: chars(10), kind: 'text', source: '建议不超过10个字' },
  { path: 'button_list[].key', bytes: 1024, kind: 'id', source: '最长支持1024字节' },
  { path: 'button_selection.question_key', bytes: 1024, kind: 'id', source: '最长支持1024字节' },
  { path: 'button_selection.title', bytes: chars(13), kind: 'text', source: 'undocumented; as jump_list.title' },
  { path: 'button_selection.option_list[].id', bytes: 128, kind: 'id', source: '最长支持128字节' },
  { path: 'button_selection.option_list[].text', bytes: chars(16), kind: 'text', source: '建议不超过16个字' },
  { path: 'card_action.url', bytes: 2048, kind: 'url', source: 'as textcard.url' },
  // update_template_card: the text greyed buttons are replaced with
  { path: 'replace_text', bytes: chars(20), kind: 'text', source: 'undocumented; the product’s bound' },
];

/** How many entries a card list may have (PROTOCOL.md §5.6). */
export const CARD_LIST_LIMITS: Readonly<Record<string, { min: number; max: number }>> = {
  horizontal_content_list: { min: 0, max: 6 },
  vertical_content_list: { min: 0, max: 4 },
  jump_list: { min: 0, max: 3 },
  button_list: { min: 0, max: 6 },
  'button_selection.option_list': { min: 1, max: 10 },
};

/** update_template_card `button.replace_name` (a greyed button's text). */
export const REPLACE_NAME_BYTES = chars(20);

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * The longest start of `text` within `maxBytes`, cut between characters (code points, so never inside
 * a multi-byte character or a surrogate pair), with `ellipsis` added when something was cut.
 */
export function cutToBytes(text: string, maxBytes: number, ellipsis = '…'): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const room = maxBytes - utf8Bytes(ellipsis);
  if (room <= 0) return cutToBytes(ellipsis, maxBytes, '');
  let used = 0;
  let out = '';
  for (const ch of text) {
    const size = utf8Bytes(ch);
    if (used + size > room) break;
    used += size;
    out += ch;
  }
  return `${out}${ellipsis}`;
}

type Json = Record<string, unknown>;

/**
 * Every string at `path` in `card` (`a.b`, `list[].field`), with a setter, for reading or fitting
 * one field wherever it occurs. Missing parts are skipped; only strings are visited.
 */
export function cardFields(card: Json, path: string): Array<{ value: string; set(value: string): void }> {
  const found: Array<{ value: string; set(value: string): void }> = [];
  const walk = (node: unknown, parts: string[]): void => {
    if (!node || typeof node !== 'object') return;
    const [head, ...rest] = parts;
    if (head === undefined) return;
    const list = head.endsWith('[]');
    const key = list ? head.slice(0, -2) : head;
    const value = (node as Json)[key];
    if (list) {
      if (Array.isArray(value)) for (const item of value) walk(item, rest);
      return;
    }
    if (rest.length > 0) {
      walk(value, rest);
      return;
    }
    if (typeof value === 'string') found.push({ value, set: (v) => ((node as Json)[key] = v) });
  };
  walk(card, path.split('.'));
  return found;
}

/** The list at a dotted path of a card, when it is one. */
export function cardList(card: Json, path: string): unknown[] | undefined {
  let node: unknown = card;
  for (const part of path.split('.')) node = node && typeof node === 'object' ? (node as Json)[part] : undefined;
  return Array.isArray(node) ? node : undefined;
}
