import type { ReportPeriod } from '../../templates/cards/digest-figures';
import { PERIOD_NAMES, REPORT_REFUSED, teamDigest } from '../../templates/cards/digest.cards';
import { MARKDOWN_LIMITS } from '../../templates/cards/markdown-limits';
import { defineCommand } from '../core/command';
import { UsageError, UserError } from '../core/errors';

const PERIODS: Record<string, ReportPeriod> = { 本周: 'week', 这周: 'week', 本月: 'month', 这个月: 'month', 今日: 'today', 今天: 'today' };

export function parseReportPeriod(args: string): { period: ReportPeriod } {
  if (!args) return { period: 'week' };
  const period = PERIODS[args];
  if (!period) throw new UsageError(`不认识「${args}」，可以写：${Object.values(PERIOD_NAMES).join('、')}。`);
  return { period };
}

/** 报表: the team digest's figures for a period, on demand; a lead sees their team, an admin everyone. */
export const reportCommand = defineCommand<{ period: ReportPeriod }>({
  name: '报表',
  aliases: ['团队报表'],
  usage: '报表 [本周|本月|今日]',
  example: '报表 本月',
  summary: '主管和管理员：团队的新客户、跟进、漏斗、流失、渠道（默认本周）',
  parse: parseReportPeriod,
  async run(input, ctx) {
    const answer = await ctx.services.digest.report({ userid: ctx.sender, isAdmin: ctx.isAdmin }, input.period, ctx.now);
    if (answer.kind === 'refused') throw new UserError(REPORT_REFUSED);
    await ctx.reply({ kind: 'markdown', content: teamDigest(answer.digest, MARKDOWN_LIMITS.app) });
  },
});
