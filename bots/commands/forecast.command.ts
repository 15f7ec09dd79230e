import { FORECAST_PERIOD_NAMES, type ForecastPeriod, forecastMarkdown } from '../../templates/forecast';
import { MARKDOWN_LIMITS } from '../../templates/cards/markdown-limits';
import { defineCommand } from '../core/command';
import { UsageError } from '../core/errors';

const PERIODS: Record<string, ForecastPeriod> = {
  本月: 'month',
  这个月: 'month',
  本季: 'quarter',
  本季度: 'quarter',
  这季度: 'quarter',
  下月: 'next_month',
  下个月: 'next_month',
};

/** 预测: the pipeline and what it is expected to bring in the period (default 本月). */
export const forecastCommand = defineCommand<{ period: ForecastPeriod }>({
  name: '预测',
  aliases: ['销售预测', '业绩预测'],
  usage: '预测 [本月|本季|下月]',
  example: '预测 本季',
  summary: '商机预测：进行中、加权、预计成交、赢单、目标完成',
  parse(args) {
    if (!args) return { period: 'month' };
    const period = PERIODS[args];
    if (!period) throw new UsageError(`不认识「${args}」，可以写：${Object.values(FORECAST_PERIOD_NAMES).join('、')}。`);
    return { period };
  },
  async run(input, ctx) {
    const forecast = await ctx.services.forecast.forecast({ userid: ctx.sender, isAdmin: ctx.isAdmin }, input.period, ctx.now);
    await ctx.reply({ kind: 'markdown', content: forecastMarkdown(forecast, MARKDOWN_LIMITS.app) });
  },
});
