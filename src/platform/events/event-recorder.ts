import type { DataSource } from 'typeorm';
import { InboundEvent } from '../../../entities';
import type { CallbackFields } from '../wecom/callback/callback-xml';
import type { InboundEventDescriptor } from '../wecom/callback/inbound-event';
import { isUniqueViolation } from '../db/unique-violation';

export interface StoreResult {
  eventId: number;
  /** WeCom delivered this event before. */
  duplicate: boolean;
  /** the event is unfinished: it needs its job (a no-op for Bull if the job exists). */
  needsJob: boolean;
}

export interface CallbackToStore {
  descriptor: InboundEventDescriptor;
  fields: CallbackFields;
  /** when the webhook got it, if that was earlier than now (a callback drained from the spool) */
  receivedAt?: Date;
}

/** What one upsert answers per row it touched: the row as it is after the statement. */
interface UpsertedRow {
  id: number | string;
  dedupe_key: string;
  redeliveries: number | string;
  status: string;
}

/** MariaDB's answer to a deadlock: the statement was rolled back whole and can simply run again. */
const DEADLOCK_ERRNO = 1213;

/**
 * Stores decrypted callbacks once (unique dedupe key). The order is what makes "nothing lost,
 * nothing doubled" hold: the row is written before the webhook answers 200 (or the callback is kept
 * in the spool, see callback-intake.ts); a redelivery finds the row and asks for the job again only
 * while the event is unfinished; the job id is derived from the row id, so Bull keeps a single job
 * even when two deliveries race.
 *
 * Callbacks that arrive together are written by one statement (group commit, one fsync for all:
 * see group-commit.ts): an upsert on the dedupe key that counts a redelivery on the row it meets,
 * answering every row it touched (RETURNING, MariaDB ≥ 10.5 and SQLite ≥ 3.35). A row that answers
 * `redeliveries = 0` was inserted by this statement; any other is a redelivery, and a key twice in
 * one batch is inserted once and counted once as redelivered. Not INSERT IGNORE: MariaDB's IGNORE
 * also turns "data too long" into a warning and would store a truncated payload.
 */
export class EventRecorder {
  private readonly upsertTail: string | null;

  constructor(private readonly dataSource: DataSource) {
    this.upsertTail = upsertClause(dataSource);
  }

  /** `receivedAt`: when the webhook got it, if that was earlier than now (a callback drained from the spool). */
  async store(descriptor: InboundEventDescriptor, fields: CallbackFields, receivedAt?: Date): Promise<StoreResult> {
    const [result] = await this.storeMany([{ descriptor, fields, ...(receivedAt ? { receivedAt } : {}) }]);
    return result!;
  }

  /** Stores every callback in one statement; the results are in the order given. Throws (for all) when the database refuses the statement. */
  async storeMany(callbacks: CallbackToStore[]): Promise<StoreResult[]> {
    if (callbacks.length === 0) return [];
    if (!this.upsertTail) return this.storeOneByOne(callbacks);
    const repo = this.dataSource.getRepository(InboundEvent);
    const [insert, parameters] = repo.createQueryBuilder().insert().values(callbacks.map(toRow)).updateEntity(false).getQueryAndParameters();
    const rows = await this.runRetryingDeadlock(`${insert}${this.upsertTail}`, parameters);
    return matchRows(callbacks, rows);
  }

  private async runRetryingDeadlock(sql: string, parameters: unknown[]): Promise<UpsertedRow[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.dataSource.query(sql, parameters)) as UpsertedRow[];
      } catch (error) {
        if (attempt >= 3 || errnoOf(error) !== DEADLOCK_ERRNO) throw error;
      }
    }
  }

  /** MySQL has no INSERT … RETURNING: there each row is inserted on its own, a unique violation read as a redelivery. */
  private async storeOneByOne(callbacks: CallbackToStore[]): Promise<StoreResult[]> {
    const repo = this.dataSource.getRepository(InboundEvent);
    const results: StoreResult[] = [];
    for (const callback of callbacks) {
      try {
        const inserted = await repo.insert(toRow(callback));
        results.push({ eventId: Number(inserted.identifiers[0]!.id), duplicate: false, needsJob: true });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const existing = await repo.findOneOrFail({ where: { dedupeKey: callback.descriptor.dedupeKey }, select: { id: true, status: true } });
        await repo.increment({ id: existing.id }, 'redeliveries', 1);
        results.push({ eventId: existing.id, duplicate: true, needsJob: unfinished(existing.status) });
      }
    }
    return results;
  }
}

function toRow({ descriptor, fields, receivedAt }: CallbackToStore) {
  return {
    dedupeKey: descriptor.dedupeKey,
    kind: descriptor.kind.slice(0, 96),
    fromUser: descriptor.fromUser.slice(0, 64),
    createTime: descriptor.createTime.slice(0, 16),
    payload: fields,
    status: 'received' as const,
    ...(receivedAt ? { createdAt: receivedAt } : {}),
  };
}

/** The upsert's ending for this database, or null where it has no INSERT … RETURNING (MySQL). */
function upsertClause(dataSource: DataSource): string | null {
  const returning = ' RETURNING id, dedupe_key, redeliveries, status';
  if (dataSource.options.type === 'better-sqlite3') return ` ON CONFLICT (dedupe_key) DO UPDATE SET redeliveries = redeliveries + 1${returning}`;
  if (dataSource.options.type === 'mariadb' || dataSource.driver.isReturningSqlSupported('insert')) {
    return ` ON DUPLICATE KEY UPDATE redeliveries = redeliveries + 1${returning}`;
  }
  return null;
}

/**
 * Gives each callback its row. Rows of one key are matched in the order of their redelivery count
 * (the first delivery of the key in the batch met the lowest), so the answer holds whatever order
 * the database returns them in.
 */
function matchRows(callbacks: CallbackToStore[], rows: UpsertedRow[]): StoreResult[] {
  const byKey = new Map<string, UpsertedRow[]>();
  for (const row of rows) {
    const list = byKey.get(row.dedupe_key) ?? [];
    list.push(row);
    byKey.set(row.dedupe_key, list);
  }
  for (const list of byKey.values()) list.sort((a, b) => Number(a.redeliveries) - Number(b.redeliveries));
  return callbacks.map(({ descriptor }) => {
    const row = byKey.get(descriptor.dedupeKey)?.shift();
    if (!row) throw new Error(`the upsert answered no row for an event it was given (${rows.length} rows for ${callbacks.length})`);
    const duplicate = Number(row.redeliveries) > 0;
    return { eventId: Number(row.id), duplicate, needsJob: !duplicate || unfinished(row.status) };
  });
}

/** A finished event needs nothing more. */
const unfinished = (status: string): boolean => status === 'received' || status === 'processing';

function errnoOf(error: unknown): number | undefined {
  const e = error as { errno?: number; driverError?: { errno?: number } };
  return e?.driverError?.errno ?? e?.errno;
}

/**
 * The database refused this row's values (too long, not representable): the same callback will be
 * refused every time, so it is answered for good (413) rather than retried. Anything else — no
 * connection, a timeout, a read-only server after a failover, a full disk — says the database cannot
 * take writes now, and the callback waits in the spool.
 */
export function isRowRefused(error: unknown): boolean {
  const e = error as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } };
  const code = e?.driverError?.code ?? e?.code;
  const errno = e?.driverError?.errno ?? e?.errno;
  return code === 'ER_DATA_TOO_LONG' || errno === 1406 || code === 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD' || errno === 1366 || code === 'SQLITE_TOOBIG';
}
