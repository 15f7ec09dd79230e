import type { SelectQueryBuilder } from 'typeorm';
import type { Opportunity } from '../../../entities';

/** One figure of an aggregate over opportunities: SUM(CASE WHEN `when` THEN `of` ELSE 0 END), counted (default) or money. */
export interface SumOf {
  when: string;
  /** what is added up where `when` holds: 1 (a count) unless given */
  of?: string;
  /** money is rounded to cents; a count or seconds is a whole number */
  money?: boolean;
}

export const cents = (v: unknown) => Math.round(Number(v ?? 0) * 100) / 100;

/**
 * Adds each figure of `sums` to the query (alias `o`, grouped by salesperson, its conditions and
 * parameters set by the caller) and reads the rows back as figures per salesperson: the one shape
 * that 预测, the digests and 报表 share.
 */
export async function sumsPerStaff<K extends string>(q: SelectQueryBuilder<Opportunity>, sums: Record<K, SumOf>): Promise<Map<string, Record<K, number>>> {
  const names = Object.keys(sums) as K[];
  q.select('o.staff_userid', 'userid');
  for (const name of names) q.addSelect(`SUM(CASE WHEN ${sums[name].when} THEN ${sums[name].of ?? '1'} ELSE 0 END)`, name);
  q.groupBy('o.staff_userid');
  const rows = await q.getRawMany<Record<string, string | number | null>>();
  return new Map(
    rows.map((r) => [String(r.userid), Object.fromEntries(names.map((n) => [n, sums[n].money ? cents(r[n]) : Number(r[n] ?? 0)])) as Record<K, number>]),
  );
}
