import { Like, type DataSource } from 'typeorm';
import { InboundEvent, OutboundMessage } from '../../../entities';
import type { MessageTrace } from './message-trace';

/** Reads the trace of one typed message (see message-trace.ts) from the product's own tables. */
export async function traceMessage(dataSource: DataSource, msgId: string): Promise<MessageTrace> {
  if (!/^\d{1,20}$/.test(msgId)) return { event: null, replies: [] };
  const dedupeKey = `msg:${msgId}`;
  const [event, replies] = await Promise.all([
    dataSource.getRepository(InboundEvent).findOne({ where: { dedupeKey }, select: { status: true, attempts: true, lastError: true } }),
    // replies are keyed reply:<dedupe key>:<n> (src/domain-handlers.ts), a split reply's parts #part<n>
    dataSource.getRepository(OutboundMessage).find({ where: { idempotencyKey: Like(`reply:${dedupeKey}:%`) }, order: { id: 'ASC' } }),
  ]);
  return {
    event: event ? { status: event.status, attempts: event.attempts, lastError: event.lastError?.slice(0, 500) ?? null } : null,
    replies: replies.map((r) => ({ key: r.idempotencyKey, kind: r.kind, status: r.status, attempts: r.attempts, errcode: r.errcode, errmsg: r.errmsg })),
  };
}
