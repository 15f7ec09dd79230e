import { fitMarkdownLines } from './cards/markdown-limits';

/** 预测 in words: the figures come from the pipeline module's forecast, already summed. Pure. */

export type ForecastPeriod = 'month' | 'quarter' | 'next_month';

export const FORECAST_PERIOD_NAMES: Record<ForecastPeriod, string> = { month: '本月', quarter: '本季', next_month: '下月' };

/** One salesperson's or one group's pipeline, in yuan. */
export interface ForecastFigures {
  /** open opportunities, whatever their close date */
  openCount: number;
  openAmount: number;
  /** Σ amount × probability of the open ones (an opportunity without a probability counts 0) */
  weighted: number;
  /** open, expected to close in the period */
  dueCount: number;
  dueAmount: number;
  dueWeighted: number;
  /** won in the period (closed as won on a day of it) */
  wonCount: number;
  wonAmount: number;
  /** open, with a close date before today */
  overdueCount: number;
  overdueAmount: number;
}

export interface ForecastLine {
  name: string;
  figures: ForecastFigures;
  /** the target for the period (monthly targets × months), null when none is set */
  target: number | null;
}

export interface Forecast {
  period: ForecastPeriod;
  /** 12月1日–12月31日 */
  days: string;
  /** whose: 我的, 销售一组, 全部 */
  scope: string;
  total: ForecastLine;
  /** per member (a lead's team, an admin's everyone); empty for a salesperson's own */
  members: ForecastLine[];
}

/** ¥1,234,567 (whole yuan: a forecast is not an invoice) */
export const yuan = (n: number) => `¥${Math.round(n).toLocaleString('en-US')}`;

/** 60% of target, or — when no target is set */
export function attainment(won: number, target: number | null): string | null {
  if (!target) return null;
  return `${Math.round((won / target) * 100)}%`;
}

function memberLine(line: ForecastLine): string {
  const f = line.figures;
  const att = attainment(f.wonAmount, line.target);
  return (
    `> ${line.name}：进行中 ${yuan(f.openAmount)} · 加权 ${yuan(f.weighted)} · 预计 ${yuan(f.dueAmount)} · 赢单 ${yuan(f.wonAmount)}` +
    `${att ? `（目标 ${yuan(line.target!)}，完成 ${att}）` : ''}${f.overdueCount ? ` · 过期 ${f.overdueCount}个` : ''}`
  );
}

/** The 预测 answer: the total first, then each member, within WeCom's markdown limit `maxBytes`. */
export function forecastMarkdown(f: Forecast, maxBytes: number): string {
  const t = f.total.figures;
  const period = FORECAST_PERIOD_NAMES[f.period];
  const att = attainment(t.wonAmount, f.total.target);
  const head = [
    `**${f.scope}预测 · ${period}**（${f.days}）`,
    `进行中：${t.openCount}个 ${yuan(t.openAmount)} · 加权 ${yuan(t.weighted)}`,
    `${period}预计成交：${t.dueCount}个 ${yuan(t.dueAmount)} · 加权 ${yuan(t.dueWeighted)}`,
    `${period}已赢单：${t.wonCount}个 ${yuan(t.wonAmount)}${f.total.target ? ` · 目标 ${yuan(f.total.target)} · 完成 ${att}` : ''}`,
    `已过预计成交日：${t.overdueCount ? `<font color="warning">${t.overdueCount}个 ${yuan(t.overdueAmount)}</font>（发送「商机 客户 金额 新日期」改期，或 赢单 / 输单）` : '无'}`,
  ].join('\n');
  const tail = '加权 = 金额 × 成交概率（未填概率按 0 计）；目标见 templates/teams.json';
  return fitMarkdownLines(head, f.members.map(memberLine), tail, maxBytes);
}
