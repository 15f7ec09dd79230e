import type * as T from '../../../platform/wecom/api/wecom-api.types';
import type { AreaRoute } from './area-route';
import type { FakeWecomState } from './fake-wecom.state';
import { WecomFault } from './wecom-fault';

/** Welcome messages (send_welcome_msg): the code of the add event works once and for 20 s, then 41051 (PROTOCOL.md). */

export const WELCOME_CODE_TTL_MS = 20_000;

export function sendWelcome(state: FakeWecomState, request: T.SendWelcomeMsgRequest): void {
  if (!request.welcome_code) throw new WecomFault(41051, 'welcome_code missing');
  const code = state.welcomeCodes.get(String(request.welcome_code));
  const content = request.text?.content ?? '';
  if (!code && state.trusts('codes')) {
    // A code from a forged add event: a fresh one, but the message itself must be one WeCom takes.
    if (!content && !request.attachments?.length) throw new WecomFault(40058, 'text or attachments required');
    return;
  }
  if (!code) throw new WecomFault(41051, 'invalid welcome_code');
  if (code.usedAt !== undefined) throw new WecomFault(41051, 'externaluser has started chatting (welcome_code already used)');
  if (state.now() - code.issuedAt > WELCOME_CODE_TTL_MS) throw new WecomFault(41051, 'welcome_code expired (valid 20 s after the add event)');
  if (!content && !request.attachments?.length) throw new WecomFault(40058, 'text or attachments required');
  code.usedAt = state.now();
  state.deliver({ kind: 'customer', externalUserid: code.externalUserid, userid: code.userid }, 'out', { msgtype: 'text', text: content });
  const name = state.customers.get(code.externalUserid)?.external_contact.name ?? code.externalUserid;
  state.log(`欢迎语已发给 ${name}（${Math.round((state.now() - code.issuedAt) / 100) / 10} 秒后）`);
}

export const welcomeRoutes: AreaRoute[] = [
  {
    method: 'POST',
    api: 'externalcontact/send_welcome_msg',
    delivers: true,
    handle: (state, { body }) => sendWelcome(state, body as unknown as T.SendWelcomeMsgRequest),
  },
];
