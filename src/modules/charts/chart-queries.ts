import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { CUSTOMER_STAGES, type CustomerStage } from '../../../entities';
import { handedOverRelation } from '../handover';

/** null: everyone; a list: these salespeople (lower-cased userids). */
export type ChartScope = string[] | null;

const inScope = (q: SelectQueryBuilder<object>, column: string, scope: ChartScope) =>
  scope ? q.andWhere(`${column} IN (:...scope)`, { scope: scope.length ? scope : [''] }) : q;

/**
 * The open pipeline by the customer's current stage: count and amount of the open opportunities of
 * the salespeople in scope (who recorded them), one aggregate query. Every stage of the funnel is
 * listed, zeros included; 流失 only when an open opportunity sits on a lost customer.
 */
export async function pipelineByStage(dataSource: DataSource, scope: ChartScope): Promise<Array<{ stage: CustomerStage; count: number; amount: number }>> {
  const rows: Array<{ stage: CustomerStage; n: unknown; amount: unknown }> = await inScope(
    dataSource
      .createQueryBuilder()
      .select('c.stage', 'stage')
      .addSelect('COUNT(*)', 'n')
      .addSelect('SUM(o.amount)', 'amount')
      .from('opportunities', 'o')
      .innerJoin('customers', 'c', 'c.id = o.customer_id')
      .where("o.status = 'open'"),
    'o.staff_userid',
    scope,
  )
    .groupBy('c.stage')
    .getRawMany();
  const found = new Map(rows.map((r) => [r.stage, { count: Number(r.n), amount: Math.round(Number(r.amount ?? 0) * 100) / 100 }]));
  return CUSTOMER_STAGES.filter((s) => s !== 'lost' || found.has(s)).map((stage) => ({ stage, ...(found.get(stage) ?? { count: 0, amount: 0 }) }));
}

/**
 * New customers (relations added) and follow-ups logged per day, for the days given as [start, end)
 * instants (CRM_TIMEZONE midnights): one query per table, a SUM per day.
 */
export async function dailyActivity(
  dataSource: DataSource,
  days: Array<{ start: Date; end: Date }>,
  scope: ChartScope,
): Promise<Array<{ newCustomers: number; followUps: number }>> {
  if (days.length === 0) return [];
  const perDay = async (table: string, column: string, also?: string): Promise<number[]> => {
    let q = dataSource.createQueryBuilder().from(table, 'x');
    const params: Record<string, Date> = {};
    days.forEach((d, i) => {
      params[`s${i}`] = d.start;
      params[`e${i}`] = d.end;
      const expression = `SUM(CASE WHEN x.${column} >= :s${i} AND x.${column} < :e${i} THEN 1 ELSE 0 END)`;
      q = i === 0 ? q.select(expression, `d${i}`) : q.addSelect(expression, `d${i}`);
    });
    q = inScope(
      q.where(`x.${column} >= :first AND x.${column} < :last${also ? ` AND ${also}` : ''}`, { ...params, first: days[0]!.start, last: days.at(-1)!.end }),
      'x.staff_userid',
      scope,
    );
    const row: Record<string, unknown> = (await q.getRawOne()) ?? {};
    return days.map((_, i) => Number(row[`d${i}`] ?? 0));
  };
  const [added, followUps] = await Promise.all([
    perDay('customer_relations', 'added_at', `NOT ${handedOverRelation('x')}`),
    perDay('follow_ups', 'created_at'),
  ]);
  return days.map((_, i) => ({ newCustomers: added[i]!, followUps: followUps[i]! }));
}
