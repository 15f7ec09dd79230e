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

/**
 * Stores a decrypted callback once (unique dedupe key). The order is what makes "nothing lost,
 * nothing doubled" hold: the row is written before the webhook answers 200 (or the callback is kept
 * in the spool, see callback-intake.ts); a redelivery finds the row and asks for the job again only
 * while the event is unfinished; the job id is derived from the row id, so Bull keeps a single job
 * even when two deliveries race.
 */
export class EventRecorder {
  constructor(private readonly dataSource: DataSource) {}

  /** `receivedAt`: when the webhook got it, if that was earlier than now (a callback drained from the spool). */
  async store(descriptor: InboundEventDescriptor, fields: CallbackFields, receivedAt?: Date): Promise<StoreResult> {
    const repo = this.dataSource.getRepository(InboundEvent);
    try {
      const inserted = await repo.insert({
        dedupeKey: descriptor.dedupeKey,
        kind: descriptor.kind.slice(0, 96),
        fromUser: descriptor.fromUser.slice(0, 64),
        createTime: descriptor.createTime.slice(0, 16),
        payload: fields,
        status: 'received',
        ...(receivedAt ? { createdAt: receivedAt } : {}),
      });
      return { eventId: Number(inserted.identifiers[0]!.id), duplicate: false, needsJob: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await repo.findOneOrFail({ where: { dedupeKey: descriptor.dedupeKey }, select: { id: true, status: true } });
      await repo.increment({ id: existing.id }, 'redeliveries', 1);
      // A finished event needs nothing more.
      const needsJob = existing.status === 'received' || existing.status === 'processing';
      return { eventId: existing.id, duplicate: true, needsJob };
    }
  }
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
