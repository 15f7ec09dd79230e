import type { ReportPeriod } from '../../templates/cards/digest-figures';
import { PERIOD_NAMES, REPORT_REFUSED, teamDigest } from '../../templates/cards/digest.cards';
import { MARKDOWN_LIMITS } from '../../templates/cards/markdown-limits';
import { CHARTS_OFF } from '../../templates/charts';
import { defineCommand } from '../core/command';
import { UsageError, UserError } from '../core/errors';

const PERIODS: Record<string, ReportPeriod> = { 本周: 'week', 这周: 'week', 本月: 'month', 这个月: 'month', 今日: 'today', 今天: 'today' };
/** words that ask for the chart images too */
const CHART_WORDS = new Set(['图', '图表']);
const SPAN_NAMES: Record<ReportPeriod, string> = { today: '今日', week: '本周', month: '本月' };

export function parseReportPeriod(args: string): { period: ReportPeriod; charts: boolean } {
  const words = args.split(/\s+/).filter(Boolean);
  const charts = words.some((w) => CHART_WORDS.has(w));
  const rest = words.filter((w) => !CHART_WORDS.has(w));
  if (rest.length === 0) return { period: 'week', charts };
  const period = rest.length === 1 ? PERIODS[rest[0]!] : undefined;
  if (!period) throw new UsageError(`不认识「${rest.join(' ')}」，可以写：${Object.values(PERIOD_NAMES).join('、')}，要图表再加「图」。`);
  return { period, charts };
}

/** 报表: the team digest's figures for a period, on demand; a lead sees their team, an admin everyone. `图` adds the charts as images. */
export const reportCommand = defineCommand<{ period: ReportPeriod; charts: boolean }>({
  name: '报表',
  aliases: ['团队报表'],
  usage: '报表 [本周|本月|今日] [图]',
  example: '报表 本月 图',
  summary: '主管：团队报表（默认本周）；加「图」发图表',
  parse: parseReportPeriod,
  async run(input, ctx) {
    const answer = await ctx.services.digest.report({ userid: ctx.sender, isAdmin: ctx.isAdmin }, input.period, ctx.now);
    if (answer.kind === 'refused') throw new UserError(REPORT_REFUSED);
    await ctx.reply({ kind: 'markdown', content: teamDigest(answer.digest, MARKDOWN_LIMITS.app) });
    if (!input.charts) return;
    const charts = ctx.services.charts;
    if (!charts) {
      await ctx.reply({ kind: 'text', content: CHARTS_OFF });
      return;
    }
    const d = answer.digest;
    const named = await charts.charts({
      title: d.kind === 'report' && d.teams ? d.teams.join('、') : '全部',
      userids: answer.scope,
      funnel: d.team.funnel,
      span: { ...answer.window, name: SPAN_NAMES[input.period] },
      monthOf: ctx.now,
    });
    for (const chart of named) await ctx.reply({ kind: 'image', source: chart.spec as unknown as Record<string, unknown>, filename: `${chart.name}.png` });
  },
});
