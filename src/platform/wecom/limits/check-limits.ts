import {
  CARD_FIELD_LIMITS,
  CARD_LIST_LIMITS,
  cardFields,
  cardList,
  CONTENT_LIMITS,
  type ContentTarget,
  REPLACE_NAME_BYTES,
  TEXTCARD_LIMITS,
  utf8Bytes,
} from './wecom-limits';

/** WeCom's answer to a request it refuses. */
export interface LimitFault {
  errcode: number;
  errmsg: string;
}

type Json = Record<string, unknown>;

/** WeCom's errmsg shape: the reason, then where to look it up. */
const tooLong = (what: string, bytes: number, limit: number): LimitFault => ({
  errcode: 45002,
  errmsg: `content size out of limit: ${what} is ${bytes} bytes, at most ${limit}, more info at https://open.work.weixin.qq.com/devtool/query?e=45002`,
});
const invalid = (what: string): LimitFault => ({
  errcode: 40058,
  errmsg: `invalid parameter: ${what}, more info at https://open.work.weixin.qq.com/devtool/query?e=40058`,
});

/** The APIs that carry content, and which content limits apply to them. */
const API_TARGET: Record<string, ContentTarget> = {
  'message/send': 'app',
  'appchat/send': 'appchat',
  'webhook/send': 'robot',
  'externalcontact/send_welcome_msg': 'welcome',
};

/**
 * What WeCom refuses for size in a request body of `api` (null when it is within every limit):
 * text and markdown content, welcome text, textcard fields, and each template-card field and list.
 * The fakes of WeCom answer with this, so a test or the sandbox sees what a real tenant would.
 */
export function checkWecomLimits(api: string, body: Json): LimitFault | null {
  if (api === 'message/update_template_card') {
    const button = body.button as Json | undefined;
    if (typeof button?.replace_name === 'string' && utf8Bytes(button.replace_name) > REPLACE_NAME_BYTES)
      return tooLong('button.replace_name', utf8Bytes(button.replace_name), REPLACE_NAME_BYTES);
    return body.template_card ? checkCard(body.template_card as Json) : null;
  }
  const target = API_TARGET[api];
  if (!target) return null;
  if (target === 'welcome') return checkContent('text.content', (body.text as Json | undefined)?.content, CONTENT_LIMITS.welcome.text);
  const msgtype = String(body.msgtype ?? '');
  const limits = CONTENT_LIMITS[target] as Record<string, number>;
  if (msgtype === 'text' || msgtype === 'markdown') return checkContent(`${msgtype}.content`, (body[msgtype] as Json | undefined)?.content, limits[msgtype]!);
  if (msgtype === 'textcard') {
    const card = (body.textcard ?? {}) as Json;
    for (const [field, limit] of Object.entries(TEXTCARD_LIMITS)) {
      const fault = checkContent(`textcard.${field}`, card[field], limit);
      if (fault) return fault;
    }
    return null;
  }
  if (msgtype === 'template_card') return checkCard((body.template_card ?? {}) as Json);
  return null;
}

function checkContent(what: string, value: unknown, limit: number): LimitFault | null {
  if (typeof value !== 'string') return null;
  const bytes = utf8Bytes(value);
  return bytes > limit ? tooLong(what, bytes, limit) : null;
}

function checkCard(card: Json): LimitFault | null {
  for (const [path, { min, max }] of Object.entries(CARD_LIST_LIMITS)) {
    const list = cardList(card, path);
    if (list && (list.length < min || list.length > max)) return invalid(`template_card.${path} must have ${min} to ${max} entries (has ${list.length})`);
  }
  for (const limit of CARD_FIELD_LIMITS) {
    for (const field of cardFields(card, limit.path)) {
      const bytes = utf8Bytes(field.value);
      if (bytes <= limit.bytes) continue;
      return limit.kind === 'id'
        ? invalid(`template_card.${limit.path} longer than ${limit.bytes} bytes`)
        : tooLong(`template_card.${limit.path}`, bytes, limit.bytes);
    }
  }
  return null;
}
