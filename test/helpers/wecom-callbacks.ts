import { type CallbackKeys, sealCallback } from '../../src/platform/wecom/callback/callback-crypto';

/** Builds callbacks exactly as WeCom sends them: plaintext XML, AES-encrypted, signed, in an envelope. */

export interface SignedRequest {
  path: string;
  body: string;
}

export function signedCallback(keys: CallbackKeys, plaintext: string, options: { nonce?: string; timestamp?: string } = {}): SignedRequest {
  const sealed = sealCallback(keys, plaintext, options.timestamp, options.nonce);
  const query = new URLSearchParams({ msg_signature: sealed.msgSignature, timestamp: sealed.timestamp, nonce: sealed.nonce });
  const body = `<xml><ToUserName><![CDATA[${keys.corpId}]]></ToUserName><Encrypt><![CDATA[${sealed.ciphertext}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`;
  return { path: `/wecom/callback?${query.toString()}`, body };
}

const cdata = (v: string) => `<![CDATA[${v}]]>`;

export function textMessageXml(opts: { corpId: string; from: string; content: string; msgId: string; createTime?: number }): string {
  return (
    `<xml><ToUserName>${cdata(opts.corpId)}</ToUserName><FromUserName>${cdata(opts.from)}</FromUserName>` +
    `<CreateTime>${opts.createTime ?? Math.floor(Date.now() / 1000)}</CreateTime><MsgType>${cdata('text')}</MsgType>` +
    `<Content>${cdata(opts.content)}</Content><MsgId>${opts.msgId}</MsgId><AgentID>1000002</AgentID></xml>`
  );
}

export function externalContactXml(opts: {
  corpId: string;
  changeType: string;
  userId: string;
  externalUserId: string;
  createTime?: number;
  state?: string;
  welcomeCode?: string;
  source?: string;
  failReason?: string;
}): string {
  const optional = [
    opts.state !== undefined ? `<State>${cdata(opts.state)}</State>` : '',
    opts.welcomeCode !== undefined ? `<WelcomeCode>${cdata(opts.welcomeCode)}</WelcomeCode>` : '',
    opts.source !== undefined ? `<Source>${cdata(opts.source)}</Source>` : '',
    opts.failReason !== undefined ? `<FailReason>${cdata(opts.failReason)}</FailReason>` : '',
  ].join('');
  return (
    `<xml><ToUserName>${cdata(opts.corpId)}</ToUserName><FromUserName>${cdata('sys')}</FromUserName>` +
    `<CreateTime>${opts.createTime ?? Math.floor(Date.now() / 1000)}</CreateTime><MsgType>${cdata('event')}</MsgType>` +
    `<Event>${cdata('change_external_contact')}</Event><ChangeType>${cdata(opts.changeType)}</ChangeType>` +
    `<UserID>${cdata(opts.userId)}</UserID><ExternalUserID>${cdata(opts.externalUserId)}</ExternalUserID>${optional}</xml>`
  );
}

/** A non-text message to the app (image, voice, video, file, location, link) with its type's fields. */
export function mediaMessageXml(opts: {
  corpId: string;
  from: string;
  msgType: string;
  msgId: string;
  fields?: Record<string, string>;
  createTime?: number;
}): string {
  const fields = Object.entries(opts.fields ?? {})
    .map(([name, value]) => `<${name}>${cdata(value)}</${name}>`)
    .join('');
  return (
    `<xml><ToUserName>${cdata(opts.corpId)}</ToUserName><FromUserName>${cdata(opts.from)}</FromUserName>` +
    `<CreateTime>${opts.createTime ?? Math.floor(Date.now() / 1000)}</CreateTime><MsgType>${cdata(opts.msgType)}</MsgType>` +
    `${fields}<MsgId>${opts.msgId}</MsgId><AgentID>1000002</AgentID></xml>`
  );
}
