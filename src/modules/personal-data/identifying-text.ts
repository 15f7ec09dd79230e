import type { Customer, CustomerRelation } from '../../../entities';

/** What stands in for erased text (short, so a replaced value still fits its column). */
export const ERASED_TEXT = '[已删除]';

/**
 * The strings that identify one customer wherever they were copied: the external_userid, the name,
 * each salesperson's remark for them and the phone numbers noted there, the unionid. Longest first,
 * so a name inside a remark is replaced with the remark. One character is too short to mean anyone.
 */
export function identifyingStrings(customer: Customer, relations: CustomerRelation[]): string[] {
  const found = [customer.externalUserid, customer.name, customer.unionid, ...relations.flatMap((r) => [r.remark, ...(r.remarkMobiles ?? [])])].filter(
    (s): s is string => typeof s === 'string' && s.trim().length >= 2,
  );
  return [...new Set(found.map((s) => s.trim()))].sort((a, b) => b.length - a.length);
}

export function mentions(text: string, needles: string[]): boolean {
  return needles.some((n) => text.includes(n));
}

/** `text` with every identifying string replaced. */
export function scrubText(text: string, needles: string[]): string {
  let out = text;
  for (const n of needles) out = out.split(n).join(ERASED_TEXT);
  return out;
}

/** A JSON value with every string (and key) scrubbed: its shape stays, so counts and ids in it still read. */
export function scrubJson(value: unknown, needles: string[]): unknown {
  if (typeof value === 'string') return scrubText(value, needles);
  if (Array.isArray(value)) return value.map((v) => scrubJson(v, needles));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrubText(k, needles), scrubJson(v, needles)]));
  }
  return value;
}

/** A LIKE pattern for "contains `needle`" with `!` as the escape character (the same on MariaDB and SQLite). */
export function containsPattern(needle: string): string {
  return `%${needle.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}
