import { yuan } from '../forecast';
import { averageDaysToClose, type PipelineFigures, winRate } from '../pipeline-figures';

/** The money lines of the digests and 报表 (digest.cards.ts places them). Pure. */

/** 67%, or — when nothing closed */
export const rateText = (f: PipelineFigures) => {
  const r = winRate(f);
  return r === null ? '—' : `${Math.round(r * 100)}%`;
};

/** 12.3天, or — without a win */
export const daysText = (f: PipelineFigures) => {
  const d = averageDaysToClose(f);
  return d === null ? '—' : `${d.toFixed(1)}天`;
};

const openLine = (f: PipelineFigures) => `进行中 ${f.openCount}个 ${yuan(f.openAmount)} · 加权 ${yuan(f.weighted)}`;
const closedLine = (f: PipelineFigures) =>
  `赢单 ${f.wonCount}个 ${yuan(f.wonAmount)} · 输单 ${f.lostCount}个 · 赢率 ${rateText(f)} · 平均成交周期 ${daysText(f)}`;

/** The salesperson's day: the pipeline now, what closed today, and the month so far. */
export function personalMoneyLines(day: PipelineFigures, month: PipelineFigures): string[] {
  return [`商机${openLine(day)}`, `今日赢单 **${day.wonCount}**个 ${yuan(day.wonAmount)} · 输单 ${day.lostCount}个`, `本月${closedLine(month)}`];
}

/** The team's (or everyone's) money over the period, and over the period before for 周报. */
export function teamMoneyLines(now: PipelineFigures, previous?: PipelineFigures): string[] {
  const before = previous ? `（前一周 ${previous.wonCount}个 ${yuan(previous.wonAmount)} · 赢率 ${rateText(previous)}）` : '';
  return [openLine(now), `${closedLine(now)}${before}`];
}
