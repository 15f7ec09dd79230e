import type { ParsedDate } from '../dates/chinese-date.parser';

/**
 * Words that, right after a date, say the date is when to get in touch again
 * (明天下午3点再联系, 下周二回访, 周五约见面). A date followed by anything else is only mentioned
 * (注意周末不方便接电话, 客户说月底前定).
 */
const CONTACT_CUE =
  /^(?:再|还要|要|会|我|我们|给他|给她|跟他|跟她|和他|和她|带|去)?(?:联系|回访|回电|电话|致电|打电话|打给|跟进|沟通|约|见面|拜访|面谈|上门|发|提醒|确认|聊|谈|碰|问|催|复盘|过来|来访)/;

/** Where a date phrase's own clause goes on after it: up to the next punctuation, at most 8 characters. */
function clauseAfter(text: string, date: ParsedDate): string {
  const rest = text.slice(date.index + date.text.length).replace(/^\s+/, '');
  const clause = rest.split(/[，。,.;；！!？?、\n]/, 1)[0] ?? '';
  return clause.slice(0, 8);
}

/**
 * The next contact a follow-up note names, among the dates still ahead: the first one followed by a
 * contact word; without one, the first date ahead (月底前定 still deserves a look at month end).
 * The first, not the last: 「明天下午3点再联系，注意周末不方便接电话」 means tomorrow, not Saturday.
 */
export function pickNextContact(text: string, futureDates: ParsedDate[]): Date | null {
  const cued = futureDates.find((date) => CONTACT_CUE.test(clauseAfter(text, date)));
  return (cued ?? futureDates[0])?.at ?? null;
}
