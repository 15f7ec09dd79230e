import type { ChoiceList } from './conversation-store.port';

/** A numbered list is answered within this time of being shown; a later number is told to ask again. */
export const CHOICE_LIST_TTL_MS = 10 * 60 * 1000;

/**
 * When a message arrived: its place in arrival order (the stored event's id) and its receipt time.
 * The time may be stored to the second only (SQLite): the message then arrived somewhere in
 * [at, at + precisionMs).
 */
export interface Arrival {
  seq: number;
  at: Date;
  precisionMs: number;
}

export type ListForNumber =
  /** `newer`: a list shown after this one that is still waiting, worth mentioning */
  | { kind: 'open'; list: ChoiceList; newer: ChoiceList | undefined }
  | { kind: 'expired'; list: ChoiceList }
  | { kind: 'answered'; list: ChoiceList }
  /** a list was shown within the same moment the number arrived: which one it answers cannot be known */
  | { kind: 'unclear'; lists: ChoiceList[] }
  | { kind: 'none' };

/**
 * Which list a number answers: the one open when the number arrived, never one shown later. A
 * list asked by a message that arrived after the number was certainly shown after it; one shown
 * before the number's receipt time certainly before; one shown within the precision of that time
 * could be either, and then the number is not guessed at. `sourceKey` is the number's own message,
 * so a retry of an answer that already took the list goes on with it.
 */
export function listForNumber(lists: ChoiceList[], arrival: Arrival, sourceKey: string, ttlMs = CHOICE_LIST_TTL_MS): ListForNumber {
  const ordered = [...lists].sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime() || a.askedSeq - b.askedSeq);
  const at = arrival.at.getTime();
  let shownBefore: ChoiceList | undefined;
  const maybe: ChoiceList[] = [];
  for (const list of ordered) {
    if (list.askedSeq > arrival.seq) continue;
    const openedAt = list.openedAt.getTime();
    if (openedAt <= at) shownBefore = list;
    else if (openedAt < at + arrival.precisionMs) maybe.push(list);
  }
  const possible = [...(shownBefore ? [shownBefore] : []), ...maybe];
  if (possible.length === 0) return { kind: 'none' };
  if (possible.length > 1) return { kind: 'unclear', lists: possible };
  const list = possible[0]!;
  if (list.answer && list.answer.by !== sourceKey) return { kind: 'answered', list };
  if (at - list.openedAt.getTime() > ttlMs) return { kind: 'expired', list };
  const later = ordered.filter((l) => l.openedAt.getTime() > list.openedAt.getTime() && !l.answer);
  return { kind: 'open', list, newer: later[later.length - 1] };
}

const CHINESE_DIGITS = '一二三四五六七八九';

/**
 * A message that is only a list number, as people answer: `2`, `第2个`, `选2`, `2号`, `二`.
 * Null for anything else (three digits or more are part of a phone number, not an answer).
 */
export function listNumber(text: string): number | null {
  const m = /^(?:第|选)?(\d{1,2}|[一二三四五六七八九])(?:个|号|\.|。)?$/.exec(text);
  if (!m) return null;
  const n = CHINESE_DIGITS.includes(m[1]!) ? CHINESE_DIGITS.indexOf(m[1]!) + 1 : Number(m[1]);
  return n;
}
