/**
 * The money behind the digests, 报表 and (later) their charts: one salesperson's, a team's or
 * everyone's opportunities for a period. The pipeline module counts them (pipeline-queries.ts);
 * nothing here is worded. Amounts in yuan, summed to the cent.
 */
export interface PipelineFigures {
  /** open now, whatever their close date: how many and their amounts added up */
  openCount: number;
  openAmount: number;
  /** Σ amount × probability ÷ 100 over the open ones (one without a probability counts 0) */
  weighted: number;
  /** closed as won on a day of the period (the signed amount when 赢单 gave one) */
  wonCount: number;
  wonAmount: number;
  /** closed as lost on a day of the period */
  lostCount: number;
  /** Σ whole seconds from recorded (created) to won over the period's wins: the average's numerator, kept so figures add up */
  wonSecondsToClose: number;
}

export const NO_PIPELINE: PipelineFigures = { openCount: 0, openAmount: 0, weighted: 0, wonCount: 0, wonAmount: 0, lostCount: 0, wonSecondsToClose: 0 };

/** 赢率: won ÷ (won + lost) among those closed in the period; null when none closed. */
export function winRate(f: PipelineFigures): number | null {
  const closed = f.wonCount + f.lostCount;
  return closed ? f.wonCount / closed : null;
}

/** 平均成交周期: mean days from recorded to won over the period's wins; null without a win. */
export function averageDaysToClose(f: PipelineFigures): number | null {
  return f.wonCount ? f.wonSecondsToClose / f.wonCount / 86_400 : null;
}

const cents = (n: number) => Math.round(n * 100) / 100;

/** Figures added up (a team's from its members', everyone's). */
export function sumPipeline(all: Iterable<PipelineFigures>): PipelineFigures {
  const total = { ...NO_PIPELINE };
  for (const f of all) for (const k of Object.keys(total) as Array<keyof PipelineFigures>) total[k] += f[k];
  return { ...total, openAmount: cents(total.openAmount), weighted: cents(total.weighted), wonAmount: cents(total.wonAmount) };
}
