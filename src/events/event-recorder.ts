import type { DataSource } from 'typeorm';
import { InboundEvent } from '../../entities';
import type { InboundProducer } from '../queue/inbound.producer';
import type { CallbackFields } from '../wecom/callback-xml';
import type { InboundEventDescriptor } from '../wecom/inbound-event';
import { isUniqueViolation } from '../db/unique-violation';

export interface RecordResult {
  eventId: number;
  /** WeCom delivered this event before. */
  duplicate: boolean;
  /** a job was (re)added for it now. */
  enqueued: boolean;
}

/**
 * Stores a decrypted callback once (unique dedupe key) and makes sure it is on the queue.
 * The order is what makes "nothing lost, nothing doubled" hold:
 * - stored before the webhook answers 200; if the DB is down this throws and the webhook answers 5xx;
 * - a redelivery finds the row and re-adds the job only while the event is unprocessed; the job id is
 *   derived from the row id, so Bull keeps a single job even when two deliveries race.
 */
export class EventRecorder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: InboundProducer,
  ) {}

  async record(descriptor: InboundEventDescriptor, fields: CallbackFields): Promise<RecordResult> {
    const repo = this.dataSource.getRepository(InboundEvent);
    let eventId: number;
    let duplicate = false;
    let status = 'received';
    try {
      const inserted = await repo.insert({
        dedupeKey: descriptor.dedupeKey,
        kind: descriptor.kind.slice(0, 96),
        fromUser: descriptor.fromUser.slice(0, 64),
        createTime: descriptor.createTime.slice(0, 16),
        payload: fields,
        status: 'received',
      });
      eventId = Number(inserted.identifiers[0]!.id);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await repo.findOneOrFail({ where: { dedupeKey: descriptor.dedupeKey }, select: { id: true, status: true } });
      eventId = existing.id;
      status = existing.status;
      duplicate = true;
      await repo.increment({ id: eventId }, 'redeliveries', 1);
    }
    // A processed event needs nothing more; anything else is (re)enqueued — a no-op if its job exists.
    const needsJob = status === 'received' || status === 'processing';
    if (needsJob) await this.producer.enqueue(eventId);
    return { eventId, duplicate, enqueued: needsJob };
  }
}
