import type { InboundEventDescriptor } from '../callback/inbound-event';

/** A frame of the smart bot's long connection, as the SDK hands it over: `{ cmd, headers: { req_id }, body }`. */
export interface BotFrame {
  cmd?: string;
  headers: { req_id: string; [key: string]: unknown };
  body?: Record<string, unknown>;
  errcode?: number;
  errmsg?: string;
}

/** Event kinds of the bot: `aibot/<msgtype>` for messages, `aibot/<eventtype>` for events. */
export const BOT_KIND_PREFIX = 'aibot';

/**
 * What is stored of a frame (inbound_events.payload): flat strings, named as the XML callbacks name
 * theirs where they mean the same (`MsgId`, `MsgType`, `FromUserName`, `Content`, `CreateTime`), so
 * retention and erasure treat them alike. `ReqId` is what a reply or a card update must carry.
 */
export interface BotEventFields {
  [name: string]: string;
  Source: 'aibot';
  MsgId: string;
  MsgType: string;
  FromUserName: string;
  ChatType: string;
  ChatId: string;
  ReqId: string;
  CreateTime: string;
  Content: string;
  EventType: string;
  EventKey: string;
  TaskId: string;
  /** a card's picked options, JSON (`{"question_key":"option id"}`), empty when none */
  Selected: string;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});

/** The picked options of a card click, whichever of the two shapes WeCom sends them in. */
function selectedOf(card: Record<string, unknown>): string {
  const items = obj(card.selected_items).selected_item;
  if (!Array.isArray(items) || items.length === 0) return '';
  const picked: Record<string, string> = {};
  for (const raw of items) {
    const item = obj(raw);
    const ids = obj(item.option_ids).option_id;
    const first = Array.isArray(ids) ? str(ids[0]) : str(ids);
    if (str(item.question_key) && first) picked[str(item.question_key)] = first;
  }
  return Object.keys(picked).length ? JSON.stringify(picked) : '';
}

/**
 * A message or event frame → what is stored, or undefined for a frame that is neither (WeCom's
 * receipts of our own sends, heartbeats) or carries no msgid to dedupe it by.
 */
export function describeBotFrame(frame: BotFrame, receivedAt: Date): { descriptor: InboundEventDescriptor; fields: BotEventFields } | undefined {
  if (frame.cmd !== 'aibot_msg_callback' && frame.cmd !== 'aibot_event_callback') return undefined;
  const body = obj(frame.body);
  const msgid = str(body.msgid);
  if (!msgid) return undefined;
  const msgtype = str(body.msgtype) || 'unknown';
  const event = obj(body.event);
  const eventType = msgtype === 'event' ? str(event.eventtype) || 'unknown' : '';
  // The official docs nest a click under `template_card_event`; the SDK's types put it on the event itself.
  const card = { ...event, ...obj(event.template_card_event) };
  const content =
    msgtype === 'text'
      ? str(obj(body.text).content)
      : msgtype === 'voice'
        ? str(obj(body.voice).content)
        : msgtype === 'mixed'
          ? ((obj(body.mixed).msg_item as unknown[] | undefined)
              ?.map((i) => str(obj(obj(i).text).content))
              .filter(Boolean)
              .join('\n') ?? '')
          : '';
  const from = str(obj(body.from).userid);
  const createTime = str(body.create_time) || String(Math.floor(receivedAt.getTime() / 1000));
  const fields: BotEventFields = {
    Source: 'aibot',
    MsgId: msgid,
    MsgType: msgtype,
    FromUserName: from,
    ChatType: str(body.chattype) || 'single',
    ChatId: str(body.chatid),
    ReqId: str(frame.headers?.req_id),
    CreateTime: createTime,
    Content: content,
    EventType: eventType,
    EventKey: str(card.event_key),
    TaskId: str(card.task_id),
    Selected: selectedOf(card),
  };
  return {
    descriptor: {
      // msgid is unique per message and per event callback: a redelivered frame maps to the same row.
      dedupeKey: `aibot:${msgid.length <= 180 ? msgid : msgid.slice(0, 180)}`,
      kind: `${BOT_KIND_PREFIX}/${eventType || msgtype}`,
      fromUser: from,
      createTime,
    },
    fields,
  };
}
