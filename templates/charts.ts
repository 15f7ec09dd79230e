import type { CalendarDay, TeamFigures } from './cards/digest-figures';
import { yuan } from './forecast';
import { STAGE_NAMES } from './labels';

/**
 * The charts the weekly team digest and `报表 图` carry, as data: titles, labels and numbers in the
 * words people read. Pure; the charts module draws them (ECharts to SVG, resvg to PNG).
 */

/**
 * A funnel: the steps top to bottom. `value`: customers at the stage now; `reached`: at it or beyond
 * (the width drawn, so the funnel narrows); `conversion`: reached ÷ the step above's reached.
 */
export interface FunnelChart {
  kind: 'funnel';
  title: string;
  subtitle: string;
  steps: Array<{ label: string; value: number; reached: number; conversion: string | null }>;
}

/** Bars per category, one colour per series; `money`: values in yuan (axis and labels say ¥). */
export interface BarChart {
  kind: 'bars';
  title: string;
  subtitle: string;
  categories: string[];
  series: Array<{ name: string; values: Array<number | null> }>;
  money: boolean;
}

/** Lines over days. */
export interface LineChart {
  kind: 'lines';
  title: string;
  subtitle: string;
  categories: string[];
  series: Array<{ name: string; values: number[] }>;
}

export type ChartSpec = FunnelChart | BarChart | LineChart;

/** Names a chart image when it is sent (the file name WeCom shows) and in the sandbox. */
export type ChartName = 'funnel' | 'pipeline' | 'won' | 'trend';

/** A chart with a hard limit on how many bars it draws: more would be unreadable on a phone. */
export const MAX_BARS = 12;

const FUNNEL_STAGES = ['lead', 'prospect', 'opportunity', 'won'] as const;

const percent = (part: number, whole: number) => (whole ? `${Math.round((part / whole) * 100)}%` : '—');

/**
 * The funnel by current stage, with the conversion between neighbouring stages as the digest words
 * it: of the customers at a stage or beyond, the share at the next stage or beyond (流失 is churn,
 * named in the subtitle, not a step).
 */
export function funnelChart(scope: string, funnel: TeamFigures['funnel']): FunnelChart {
  const atLeast = FUNNEL_STAGES.map((_, i) => FUNNEL_STAGES.slice(i).reduce((n, stage) => n + funnel[stage], 0));
  return {
    kind: 'funnel',
    title: `${scope} 客户漏斗`,
    subtitle: `当前各阶段客户数；宽度为到达该阶段及以后的客户 · 流失 ${funnel.lost}`,
    steps: FUNNEL_STAGES.map((stage, i) => ({
      label: STAGE_NAMES[stage],
      value: funnel[stage],
      reached: atLeast[i]!,
      conversion: i === 0 ? null : percent(atLeast[i]!, atLeast[i - 1]!),
    })),
  };
}

/** Open opportunities' amounts by the customer's current stage. */
export function pipelineChart(scope: string, byStage: Array<{ stage: keyof typeof STAGE_NAMES; amount: number; count: number }>): BarChart {
  const total = byStage.reduce((n, s) => n + s.amount, 0);
  const count = byStage.reduce((n, s) => n + s.count, 0);
  return {
    kind: 'bars',
    title: `${scope} 进行中商机（按客户阶段）`,
    subtitle: `共 ${count} 个 ${yuan(total)}`,
    categories: byStage.map((s) => `${STAGE_NAMES[s.stage]}（${s.count}个）`),
    series: [{ name: '金额', values: byStage.map((s) => s.amount) }],
    money: true,
  };
}

/** Won in the period against each member's target (no target: no target bar). The first MAX_BARS members by amount won. */
export function wonChart(scope: string, periodName: string, members: Array<{ name: string; won: number; target: number | null }>): BarChart {
  const shown = [...members].sort((a, b) => b.won - a.won || (b.target ?? 0) - (a.target ?? 0)).slice(0, MAX_BARS);
  const hidden = members.length - shown.length;
  const won = members.reduce((n, m) => n + m.won, 0);
  // without any target (templates/teams.json memberTargets) there is nothing to draw against: say so
  const targeted = shown.some((m) => m.target !== null);
  return {
    kind: 'bars',
    title: `${scope} ${periodName}赢单与目标`,
    subtitle: `赢单合计 ${yuan(won)}${targeted ? '' : ' · 未设月目标'}${hidden > 0 ? ` · 另有${hidden}人未显示` : ''}`,
    categories: shown.map((m) => m.name),
    series: [{ name: '已赢单', values: shown.map((m) => m.won) }, ...(targeted ? [{ name: '目标', values: shown.map((m) => m.target) }] : [])],
    money: true,
  };
}

/** New customers and follow-ups per day of the period (`periodName`: 上周, 本周, 本月…). */
export function trendChart(scope: string, periodName: string, days: Array<{ day: CalendarDay; newCustomers: number; followUps: number }>): LineChart {
  const weekday = ['日', '一', '二', '三', '四', '五', '六'];
  return {
    kind: 'lines',
    title: `${scope} ${periodName}走势`,
    subtitle: `新客户 ${days.reduce((n, d) => n + d.newCustomers, 0)} · 跟进 ${days.reduce((n, d) => n + d.followUps, 0)}`,
    categories: days.map(({ day: d }) => `${d.month}/${d.day} 周${weekday[d.weekday]}`),
    series: [
      { name: '新客户', values: days.map((d) => d.newCustomers) },
      { name: '跟进', values: days.map((d) => d.followUps) },
    ],
  };
}

/** The line the 报表 reply adds when charts were asked for and are off. */
export const CHARTS_OFF = '图表未开启（管理员可设置 CRM_CHARTS=on 并安装中文字体），以上为文字版。';
