import { createHash } from 'node:crypto';
import type { CallbackFields, CallbackFieldValue } from './callback-xml';

/**
 * What the webhook learns about a decrypted callback before storing it: how to tell it apart from
 * every other callback (the dedupe key) and which handler it is for (the kind).
 */
export interface InboundEventDescriptor {
  dedupeKey: string;
  /** `text`, `image`, … for messages; `change_external_contact/add_external_contact`, `template_card_event`, … for events. */
  kind: string;
  fromUser: string;
  createTime: string;
}

function text(fields: CallbackFields, name: string): string {
  const v = fields[name];
  return typeof v === 'string' ? v : '';
}

/**
 * Dedupe key.
 * - Messages carry a 64-bit `MsgId`, unique per message: `msg:<MsgId>`.
 * - Events have no id. The key is a hash over every field of the event (names sorted, values as
 *   sent), so a redelivery of the same event maps to the same key while two different events in the
 *   same second (two customers added to one salesperson, two clicks with different ResponseCodes)
 *   never collide. `CreateTime` alone is not an identity: that is how one well-known SDK lost events.
 *   `ToUserName`/`AgentID` are addressing, not identity, and are left out.
 */
export function dedupeKeyOf(fields: CallbackFields): string {
  const msgId = text(fields, 'MsgId');
  if (msgId !== '' && text(fields, 'MsgType') !== 'event') {
    // A real MsgId is 19 digits; a signed payload with an absurd one is still stored, under its hash
    // (the key column holds 191 characters, and a key that does not fit would fail every delivery).
    return msgId.length <= MAX_MSG_ID_LENGTH ? `msg:${msgId}` : `msg:sha256:${sha256(msgId)}`;
  }
  const identity = Object.keys(fields)
    .filter((name) => name !== 'ToUserName' && name !== 'AgentID')
    .sort()
    .map((name) => `${name}=${canonical(fields[name])}`)
    .join('\n');
  // The event name is only there to make keys readable: the digest covers it, so cutting it is safe.
  return `evt:${(text(fields, 'Event') || 'unknown').slice(0, MAX_EVENT_NAME_IN_KEY)}:${sha256(identity)}`;
}

/** `msg:` + MsgId and `evt:` + name + `:` + 64 hex digits both stay within the 191 of dedupe_key. */
const MAX_MSG_ID_LENGTH = 180;
const MAX_EVENT_NAME_IN_KEY = 100;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function canonical(value: CallbackFieldValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${k}:${canonical(value[k])}`)
    .join(',')}}`;
}

export function kindOf(fields: CallbackFields): string {
  const msgType = text(fields, 'MsgType') || 'unknown';
  if (msgType !== 'event') return msgType;
  const event = text(fields, 'Event') || 'unknown';
  const changeType = text(fields, 'ChangeType');
  return changeType ? `${event}/${changeType}` : event;
}

export function describeInboundEvent(fields: CallbackFields): InboundEventDescriptor {
  return {
    dedupeKey: dedupeKeyOf(fields),
    kind: kindOf(fields),
    fromUser: text(fields, 'FromUserName'),
    createTime: text(fields, 'CreateTime'),
  };
}
