import type { DataSource } from 'typeorm';
import { Opportunity } from '../../../entities';
import type { PipelineFigures } from '../../../templates/pipeline-figures';
import { sumsPerStaff } from './sums-per-staff';

/**
 * The money figures, defined once: the SQL conditions below are what "open", "won in the period",
 * "lost in the period" and "weighted" mean for 预测 (forecast-queries.ts), the digests and 报表.
 * Alias `o` is the opportunities table; :start and :end are the period's UTC instants, computed
 * from CRM_TIMEZONE calendar days by the caller.
 */
export const OPEN = "o.status = 'open'";
export const WON_IN_PERIOD = "o.status = 'won' AND o.closed_at >= :start AND o.closed_at < :end";
export const LOST_IN_PERIOD = "o.status = 'lost' AND o.closed_at >= :start AND o.closed_at < :end";
export const WEIGHTED = 'o.amount * COALESCE(o.probability, 0) / 100';

/** Whole seconds from recorded to closed: the databases spell date arithmetic differently. */
function secondsToClose(dataSource: DataSource): string {
  return dataSource.options.type === 'better-sqlite3'
    ? 'CAST(ROUND((julianday(o.closed_at) - julianday(o.created_at)) * 86400) AS INTEGER)'
    : 'TIMESTAMPDIFF(SECOND, o.created_at, o.closed_at)';
}

/**
 * Per salesperson (who recorded the opportunity), one aggregate query over the open opportunities
 * and those closed in [start, end). `userids` null: everyone. Only those with a figure appear.
 */
export async function pipelinePerStaff(
  dataSource: DataSource,
  period: { start: Date; end: Date },
  userids: string[] | null,
): Promise<Map<string, PipelineFigures>> {
  if (userids?.length === 0) return new Map();
  const q = dataSource
    .getRepository(Opportunity)
    .createQueryBuilder('o')
    // open ones, and closed ones through the (status, closed_at) index
    .where(`(${OPEN} OR (o.status IN ('won', 'lost') AND o.closed_at >= :start AND o.closed_at < :end))`, { start: period.start, end: period.end });
  if (userids) q.andWhere('o.staff_userid IN (:...userids)', { userids });
  return sumsPerStaff(q, {
    openCount: { when: OPEN },
    openAmount: { when: OPEN, of: 'o.amount', money: true },
    weighted: { when: OPEN, of: WEIGHTED, money: true },
    wonCount: { when: WON_IN_PERIOD },
    wonAmount: { when: WON_IN_PERIOD, of: 'o.amount', money: true },
    lostCount: { when: LOST_IN_PERIOD },
    wonSecondsToClose: { when: WON_IN_PERIOD, of: secondsToClose(dataSource) },
  });
}
