import type { EntityManager, EntityMetadata, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { containsPattern, mentions, scrubJson, scrubText } from './identifying-text';

/**
 * Columns that hold another person's own name, not a copy of anyone else's: erasing 王五 must not
 * rename a customer called 王五一.
 */
const OWN_NAMES = new Set(['customers.name', 'customer_group_members.name', 'customer_group_members.group_nickname', 'staff.name']);

/** Text columns of an entity that can hold a copy of someone's data: varchar, text and simple-json, not part of a unique key. */
export function textColumns(meta: EntityMetadata): ColumnMetadata[] {
  // A unique key (dedupe key, idempotency key, state) is ours, not the customer's words; changing one could collide with another row.
  const unique = new Set(meta.indices.filter((i) => i.isUnique).flatMap((i) => i.columns.map((c) => c.databaseName)));
  return meta.columns.filter(
    (c) =>
      ['varchar', 'text', 'simple-json'].includes(String(c.type)) &&
      !unique.has(c.databaseName) &&
      !c.relationMetadata &&
      !OWN_NAMES.has(`${meta.tableName}.${c.databaseName}`),
  );
}

const isJson = (c: ColumnMetadata) => String(c.type) === 'simple-json';

/**
 * The rows of one table whose text mentions any of `needles`. LIKE narrows it in the database (its
 * case-folding may find a little more), the exact test in code decides.
 */
export async function rowsMentioning(m: EntityManager, meta: EntityMetadata, needles: string[], columns = textColumns(meta)): Promise<ObjectLiteral[]> {
  if (needles.length === 0 || columns.length === 0) return [];
  const quote = (name: string) => m.connection.driver.escape(name);
  const conditions: string[] = [];
  const params: Record<string, string> = {};
  for (const [ci, c] of columns.entries()) {
    for (const [ni, n] of needles.entries()) {
      conditions.push(`${quote('t')}.${quote(c.databaseName)} LIKE :p${ci}_${ni} ESCAPE '!'`);
      params[`p${ci}_${ni}`] = containsPattern(n);
    }
  }
  const rows = await m.getRepository(meta.target).createQueryBuilder('t').where(conditions.join(' OR '), params).orderBy('t.id', 'ASC').getMany();
  return rows.filter((row) => columns.some((c) => mentions(asText(c, c.getEntityValue(row)), needles)));
}

function asText(column: ColumnMetadata, value: unknown): string {
  if (value === null || value === undefined) return '';
  return isJson(column) ? JSON.stringify(value) : String(value);
}

/** The changed columns of one row once every mention is replaced (empty: nothing to change). */
export function scrubbedColumns(row: ObjectLiteral, columns: ColumnMetadata[], needles: string[]): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const c of columns) {
    const value = c.getEntityValue(row);
    if (value === null || value === undefined) continue;
    if (isJson(c)) {
      const scrubbed = scrubJson(value, needles);
      if (JSON.stringify(scrubbed) !== JSON.stringify(value)) changes[c.propertyName] = scrubbed;
    } else {
      const text = String(value);
      const max = c.length ? Number(c.length) : undefined;
      const scrubbed = scrubText(text, needles).slice(0, max);
      if (scrubbed !== text) changes[c.propertyName] = scrubbed;
    }
  }
  return changes;
}
