import dayjs from '../src/platform/dayjs';

/** Opportunities (商机) in words. Pure. */

/** "二期 " before an amount; nothing for the opportunity without a name */
export const opportunityLabel = (name: string | null) => (name ? `${name} ` : '');

/** ¥50,000 · 60% */
export function opportunityFigures(o: { amount: number; probability: number | null }): string {
  return `¥${o.amount.toLocaleString('en-US')}${o.probability !== null ? ` · ${o.probability}%` : ''}`;
}

/** Several open and the message named none of them: which one? */
export function whichOpportunity(customer: string, names: string[], example: (name: string) => string): string {
  const listed = names.map((n) => n || '未命名').join('、');
  return `${customer} 有 ${names.length} 个进行中的商机（${listed}），请写上名称，比如：${example(names.find(Boolean) ?? '二期')}`;
}

/** 张三 没有进行中的商机 */
export function noOpenOpportunity(customer: string, name: string | null): string {
  return name ? `${customer} 没有叫「${name}」的进行中商机。` : `${customer} 没有进行中的商机。`;
}

/** The opportunities a move to 成交/流失 closed, for a card row: 2个 共¥25万：¥5万、二期 ¥20万 */
export function closedOpportunities(list: Array<{ name: string | null; amount: number }>): string {
  if (list.length === 1) return `${opportunityLabel(list[0]!.name)}¥${list[0]!.amount.toLocaleString('en-US')}`;
  const total = list.reduce((sum, o) => sum + o.amount, 0);
  return `${list.length}个 共${shortYuan(total)}：${list.map((o) => `${opportunityLabel(o.name)}${shortYuan(o.amount)}`).join('、')}`;
}

/** ¥8万, ¥4.8万, ¥8,000: an amount short enough for a card row */
export function shortYuan(amount: number): string {
  return amount >= 10_000 ? `¥${Number((amount / 10_000).toFixed(2))}万` : `¥${amount.toLocaleString('en-US')}`;
}

/**
 * The 商机 row of the profile card (one row of 26 characters): the open one with its probability and
 * close day (¥60,000 · 60% · 12/31成交), or each open one, soonest first (2个：三期 ¥8万 12/18、¥6万 12/31);
 * null when none. The timeline has them in full.
 */
export function openOpportunitiesLine(
  open: Array<{ name: string | null; amount: number; probability: number | null; expectedCloseAt: Date | null }>,
  timezone: string,
): string | null {
  const day = (at: Date | null) => (at ? dayjs(at).tz(timezone).format('M/D') : null);
  if (!open.length) return null;
  if (open.length === 1) {
    const o = open[0]!;
    const close = day(o.expectedCloseAt);
    return `${opportunityLabel(o.name)}${opportunityFigures(o)}${close ? ` · ${close}成交` : ''}`;
  }
  const each = open.map((o) => [`${opportunityLabel(o.name)}${shortYuan(o.amount)}`, day(o.expectedCloseAt)].filter(Boolean).join(' '));
  return `${open.length}个：${each.join('、')}`;
}
