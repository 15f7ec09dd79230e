import { randomInt } from 'node:crypto';
import { type CallbackKeys, sealCallback } from '../../platform/wecom/callback/callback-crypto';

/**
 * Callbacks as WeCom sends them (PROTOCOL.md §1.3, §4): plaintext XML, encrypted with the sandbox
 * credentials, signed, wrapped in the envelope, and POSTed to the app's own /wecom/callback — the
 * same door real WeCom knocks on, so everything behind it runs for real.
 */

const cdata = (v: string) => `<![CDATA[${v}]]>`;

function fieldsXml(fields: Record<string, string | undefined>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<${k}>${cdata(v!)}</${k}>`)
    .join('');
}

function header(corpId: string, from: string, msgType: string, createTime: number): string {
  const to = `<ToUserName>${cdata(corpId)}</ToUserName><FromUserName>${cdata(from)}</FromUserName>`;
  return `${to}<CreateTime>${createTime}</CreateTime><MsgType>${cdata(msgType)}</MsgType>`;
}

/** A 64-bit message id, as a decimal string (it exceeds 2^53). */
export function newMsgId(): string {
  return `${randomInt(1, 9)}${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e9)).padStart(9, '0')}`;
}

export interface CallbackPlaintexts {
  /** `msgId`: the MsgId to use (a new one when not given), so the caller can follow what became of the message */
  text(from: string, content: string, msgId?: string): string;
  externalContact(changeType: string, fields: { userId: string; externalUserId: string; state?: string; welcomeCode?: string; source?: string }): string;
  /** a transfer the customer refused, or that the takeover member's customer limit stopped */
  transferFail(userId: string, externalUserId: string, failReason: string): string;
  externalTag(changeType: 'create' | 'update' | 'delete', id: string, tagType: 'tag' | 'tag_group'): string;
  /** 通讯录变更 as callbacks configured after 2022-08-15 carry it: the UserID only */
  changeContact(changeType: 'create_user' | 'update_user' | 'delete_user', userId: string): string;
  cardClick(from: string, fields: { eventKey: string; taskId: string; cardType: string; responseCode: string; selected?: Record<string, string[]> }): string;
}

export function callbackPlaintexts(corpId: string, agentId: string, now: () => number = Date.now): CallbackPlaintexts {
  const seconds = () => Math.floor(now() / 1000);
  return {
    text: (from, content, msgId = newMsgId()) =>
      `<xml>${header(corpId, from, 'text', seconds())}<Content>${cdata(content)}</Content><MsgId>${msgId}</MsgId><AgentID>${agentId}</AgentID></xml>`,
    externalContact: (changeType, f) =>
      `<xml>${header(corpId, 'sys', 'event', seconds())}${fieldsXml({
        Event: 'change_external_contact',
        ChangeType: changeType,
        UserID: f.userId,
        ExternalUserID: f.externalUserId,
        State: f.state,
        WelcomeCode: f.welcomeCode,
        Source: f.source,
      })}</xml>`,
    transferFail: (userId, externalUserId, failReason) =>
      `<xml>${header(corpId, 'sys', 'event', seconds())}${fieldsXml({
        Event: 'change_external_contact',
        ChangeType: 'transfer_fail',
        FailReason: failReason,
        UserID: userId,
        ExternalUserID: externalUserId,
      })}</xml>`,
    externalTag: (changeType, id, tagType) =>
      `<xml>${header(corpId, 'sys', 'event', seconds())}${fieldsXml({ Event: 'change_external_tag', Id: id, TagType: tagType, ChangeType: changeType })}</xml>`,
    changeContact: (changeType, userId) =>
      `<xml>${header(corpId, 'sys', 'event', seconds())}${fieldsXml({ Event: 'change_contact', ChangeType: changeType, UserID: userId })}</xml>`,
    cardClick: (from, f) =>
      `<xml>${header(corpId, from, 'event', seconds())}${fieldsXml({
        Event: 'template_card_event',
        EventKey: f.eventKey,
        TaskId: f.taskId,
        CardType: f.cardType,
        ResponseCode: f.responseCode,
      })}<AgentID>${agentId}</AgentID>${selectedItemsXml(f.selected ?? {})}</xml>`,
  };
}

/** The app did not take the callback (it answered an error status, or did not answer). */
export class CallbackDeliveryError extends Error {
  override readonly name = 'CallbackDeliveryError';
}

/** The choices of a card with a drop-down (button_selection), as §4.5 shows them. */
function selectedItemsXml(selected: Record<string, string[]>): string {
  const items = Object.entries(selected).map(([question, ids]) => {
    const options = ids.map((id) => `<OptionId>${cdata(id)}</OptionId>`).join('');
    return `<SelectedItem><QuestionKey>${cdata(question)}</QuestionKey><OptionIds>${options}</OptionIds></SelectedItem>`;
  });
  return items.length > 0 ? `<SelectedItems>${items.join('')}</SelectedItems>` : '';
}

/** Seals a plaintext and POSTs it to the callback URL; anything but 200 is an error the caller shows. */
export async function postCallback(callbackUrl: string, keys: CallbackKeys & { agentId: string }, plaintext: string): Promise<void> {
  const sealed = sealCallback(keys, plaintext);
  const query = new URLSearchParams({ msg_signature: sealed.msgSignature, timestamp: sealed.timestamp, nonce: sealed.nonce });
  const encrypted = `<Encrypt>${cdata(sealed.ciphertext)}</Encrypt>`;
  const body = `<xml><ToUserName>${cdata(keys.corpId)}</ToUserName>${encrypted}<AgentID>${cdata(keys.agentId)}</AgentID></xml>`;
  let response: Response;
  try {
    response = await fetch(`${callbackUrl}?${query.toString()}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body,
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new CallbackDeliveryError(`回调地址 ${callbackUrl} 连不上：${(error as Error).message}`);
  }
  if (response.status !== 200) {
    throw new CallbackDeliveryError(`回调 ${callbackUrl} 返回了 HTTP ${response.status}：${(await response.text()).slice(0, 200)}`);
  }
}
