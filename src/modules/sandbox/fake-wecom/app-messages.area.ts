import { randomBytes } from 'node:crypto';
import type * as T from '../../../platform/wecom/api/wecom-api.types';
import type { AreaRoute } from './area-route';
import type { ChatItem, FakeWecomState } from './fake-wecom.state';
import { mediaImage } from './media.area';
import { validateCard, validateMessage } from './message-content';
import { WecomFault } from './wecom-fault';

/**
 * App messages to staff (message/send) and their cards: one delivery per valid recipient (unknown
 * ones listed in invaliduser), enable_duplicate_check, response codes handed out with an interactive
 * card or a click and good for one update_template_card of that user's card.
 */

const INTERACTIVE_CARDS = new Set(['button_interaction', 'vote_interaction', 'multiple_interaction']);

export function sendAppMessage(state: FakeWecomState, body: Record<string, unknown>): T.MessageSendResponse {
  if (String(body.agentid ?? '') !== state.agentId) throw new WecomFault(40056, 'invalid agentid');
  const touser = String(body.touser ?? '');
  if (!touser && !body.toparty && !body.totag) throw new WecomFault(40058, 'touser, toparty or totag required');
  const content = validateMessage(body, ['text', 'markdown', 'template_card', 'image'], (image) => mediaImage(state, image.media_id));
  const recipients = touser === '@all' ? state.staff.map((s) => s.userid) : touser.split('|').filter(Boolean);
  const valid = recipients.filter((u) => state.isMember(u));
  const invalid = recipients.filter((u) => !state.isMember(u)).map((u) => u.toLowerCase());
  if (valid.length === 0) throw new WecomFault(81013, 'user & party & tag all invalid');
  const interactive = content.card && INTERACTIVE_CARDS.has(content.card.card_type);
  let responseCode: string | undefined;
  for (const userid of valid) {
    if (isDuplicate(state, body, userid, content)) continue;
    const item = state.deliver({ kind: 'app', userid: state.findStaff(userid)?.userid ?? userid }, 'out', content);
    if (interactive) responseCode = issueResponseCode(state, item.seq, item.conversation.kind === 'app' ? item.conversation.userid : userid);
  }
  return {
    errcode: 0,
    errmsg: 'ok',
    invaliduser: invalid.join('|'),
    msgid: `sandbox-msg-${state.seq}`,
    ...(responseCode ? { response_code: responseCode } : {}),
  };
}

/**
 * enable_duplicate_check: WeCom drops a message identical to one the same member got within the
 * interval (the outbound queue asks for it when it retries a send whose outcome it does not know).
 */
function isDuplicate(state: FakeWecomState, body: Record<string, unknown>, userid: string, content: unknown): boolean {
  const fingerprint = JSON.stringify([userid.toLowerCase(), content]);
  const sentAt = state.recentSends.get(fingerprint);
  const windowMs = Number(body.duplicate_check_interval ?? 1800) * 1000;
  if (Number(body.enable_duplicate_check) === 1 && sentAt !== undefined && state.now() - sentAt < windowMs) return true;
  state.recentSends.set(fingerprint, state.now());
  // WeCom's longest interval is 4 hours: older fingerprints can go.
  if (state.recentSends.size > 5000) for (const [key, at] of state.recentSends) if (state.now() - at > 4 * 3600_000) state.recentSends.delete(key);
  return false;
}

/** A code WeCom hands out with a click (or an interactive card): one update of that user's card. */
export function issueResponseCode(state: FakeWecomState, chatSeq: number, userid: string): string {
  const code = `RC${randomBytes(16).toString('hex')}`;
  state.responseCodes.set(code, { chatSeq, userid: userid.toLowerCase() });
  return code;
}

export function updateTemplateCard(state: FakeWecomState, body: Record<string, unknown>): T.UpdateTemplateCardResponse {
  if (String(body.agentid ?? '') !== state.agentId) throw new WecomFault(40056, 'invalid agentid');
  const button = body.button as { replace_name?: unknown } | undefined;
  const card = body.template_card as T.TemplateCard | undefined;
  const code = state.responseCodes.get(String(body.response_code ?? ''));
  if (!code && state.trusts('codes') && body.response_code) {
    // A code from a forged click: nothing here to redraw, but the update itself must be one WeCom takes.
    if (!button?.replace_name && !card) throw new WecomFault(40058, 'button.replace_name or template_card required');
    if (card) validateCard(card);
    return { errcode: 0, errmsg: 'ok', invaliduser: [] };
  }
  if (!code) throw new WecomFault(40058, 'invalid response_code');
  if (code.usedAt !== undefined) throw new WecomFault(40058, 'response_code already used');
  const userids = Array.isArray(body.userids) ? (body.userids as unknown[]).map((u) => String(u).toLowerCase()) : [];
  const item = state.chat.find((c) => c.seq === code.chatSeq);
  if (!item?.card) throw new WecomFault(40058, 'invalid response_code');
  if (!button?.replace_name && !card) throw new WecomFault(40058, 'button.replace_name or template_card required');
  if (card && card.card_type !== item.card.card_type) throw new WecomFault(40058, 'template_card.card_type must stay the same');
  if (card) validateCard(card);
  const invaliduser = userids.filter((u) => u !== code.userid);
  if (userids.length > 0 && invaliduser.length === userids.length) return { errcode: 0, errmsg: 'ok', invaliduser };
  code.usedAt = state.now();
  if (card) {
    item.card = structuredClone(card);
    // WeCom draws `replace_text` of an updated button_interaction card in place of its buttons.
    item.replacedButton = typeof card.replace_text === 'string' && card.replace_text ? card.replace_text : undefined;
    // Without it the card is drawn anew, its buttons clickable again (the 待办 card after a click).
    if (item.replacedButton === undefined) item.clickedKey = undefined;
  } else {
    item.replacedButton = String(button!.replace_name);
  }
  item.updatedAt = state.now();
  state.log(`卡片已更新${item.replacedButton ? `：按钮变为「${item.replacedButton}」` : ''}`);
  return { errcode: 0, errmsg: 'ok', invaliduser };
}

/** A salesperson's message to the app, shown in their chat before the product answers. */
export function recordTyped(state: FakeWecomState, userid: string, text: string): ChatItem {
  return state.deliver({ kind: 'app', userid: state.member(userid).userid }, 'in', { msgtype: 'text', text });
}

/** Marks the clicked button and hands out the response code that comes with the click event. */
export function click(
  state: FakeWecomState,
  seq: number,
  userid: string,
  key: string,
  selection: Record<string, string[]> = {},
): { item: ChatItem; responseCode: string; selected: Record<string, string[]> } {
  const item = state.chat.find((c) => c.seq === seq);
  // Said in Chinese for whoever plays the salesperson (the page, npm run simulate), then as WeCom's errmsg would.
  if (!item?.card || item.conversation.kind !== 'app') throw new WecomFault(40058, `没有卡片 #${seq}（用 view 打印的编号）/ no card #${seq}`);
  if (item.conversation.userid.toLowerCase() !== userid.toLowerCase())
    throw new WecomFault(40058, `卡片 #${seq} 是发给 ${item.conversation.userid} 的，别人点不了 / card #${seq} belongs to ${item.conversation.userid}`);
  if (item.replacedButton !== undefined)
    throw new WecomFault(40058, `卡片 #${seq} 已经处理过了（按钮已变成「${item.replacedButton}」），企业微信里不能再点 / this card has already been handled`);
  const buttons = (item.card.button_list as Array<{ key?: string; type?: number }> | undefined) ?? [];
  if (!buttons.some((b) => b.key === key && (b.type ?? 0) === 0))
    throw new WecomFault(40058, `卡片 #${seq} 没有 key 为 ${key} 的按钮 / card #${seq} has no button with key ${key}`);
  item.clickedKey = key;
  state.touch();
  return { item, responseCode: issueResponseCode(state, seq, item.conversation.userid), selected: selectionOf(item.card, selection) };
}

export function unclick(state: FakeWecomState, seq: number): void {
  const item = state.chat.find((c) => c.seq === seq);
  if (item) item.clickedKey = undefined;
  state.touch();
}

/** What WeCom sends as SelectedItems: the option picked on the page, else the card's preselected one. */
function selectionOf(card: T.TemplateCard, picked: Record<string, string[]>): Record<string, string[]> {
  const question = card.button_selection as { question_key?: string; selected_id?: string; option_list?: Array<{ id: string }> } | undefined;
  if (!question?.question_key) return {};
  const chosen = picked[question.question_key]?.filter((id) => question.option_list?.some((o) => o.id === id)) ?? [];
  const fallback = question.selected_id ?? question.option_list?.[0]?.id;
  return { [question.question_key]: chosen.length > 0 ? chosen : fallback ? [fallback] : [] };
}

export const appMessageRoutes: AreaRoute[] = [
  { method: 'POST', api: 'message/send', delivers: true, handle: (state, { body }) => sendAppMessage(state, body) as unknown as Record<string, unknown> },
  {
    method: 'POST',
    api: 'message/update_template_card',
    delivers: true,
    handle: (state, { body }) => updateTemplateCard(state, body) as unknown as Record<string, unknown>,
  },
];
