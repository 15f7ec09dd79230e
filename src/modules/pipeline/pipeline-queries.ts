import type { DataSource } from 'typeorm';
import { Opportunity } from '../../../entities';
import type { PipelineFigures } from '../../../templates/pipeline-figures';

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

export const cents = (v: unknown) => Math.round(Number(v ?? 0) * 100) / 100;

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
    .select('o.staff_userid', 'userid')
    .addSelect(`SUM(CASE WHEN ${OPEN} THEN 1 ELSE 0 END)`, 'openCount')
    .addSelect(`SUM(CASE WHEN ${OPEN} THEN o.amount ELSE 0 END)`, 'openAmount')
    .addSelect(`SUM(CASE WHEN ${OPEN} THEN ${WEIGHTED} ELSE 0 END)`, 'weighted')
    .addSelect(`SUM(CASE WHEN ${WON_IN_PERIOD} THEN 1 ELSE 0 END)`, 'wonCount')
    .addSelect(`SUM(CASE WHEN ${WON_IN_PERIOD} THEN o.amount ELSE 0 END)`, 'wonAmount')
    .addSelect(`SUM(CASE WHEN ${LOST_IN_PERIOD} THEN 1 ELSE 0 END)`, 'lostCount')
    .addSelect(`SUM(CASE WHEN ${WON_IN_PERIOD} THEN ${secondsToClose(dataSource)} ELSE 0 END)`, 'wonSecondsToClose')
    // open ones, and closed ones through the (status, closed_at) index
    .where(`(${OPEN} OR (o.status IN ('won', 'lost') AND o.closed_at >= :start AND o.closed_at < :end))`, { start: period.start, end: period.end })
    .groupBy('o.staff_userid');
  if (userids) q.andWhere('o.staff_userid IN (:...userids)', { userids });
  const rows = await q.getRawMany<Record<string, string | number>>();
  return new Map(
    rows.map((r) => [
      String(r.userid),
      {
        openCount: Number(r.openCount),
        openAmount: cents(r.openAmount),
        weighted: cents(r.weighted),
        wonCount: Number(r.wonCount),
        wonAmount: cents(r.wonAmount),
        lostCount: Number(r.lostCount),
        wonSecondsToClose: Number(r.wonSecondsToClose ?? 0),
      },
    ]),
  );
}
