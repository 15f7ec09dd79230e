import type { Conversation, FakeWecomState } from './fake-wecom.state';
import type { WecomFault } from './wecom-fault';

/**
 * A send WeCom refused, shown where the message would have arrived (the salesperson's chat, the
 * team group, the new customer's chat) with WeCom's errcode and errmsg: a real member would see
 * nothing at all, and the developer at the page needs to know why.
 */
export function recordRefused(
  state: FakeWecomState,
  api: string,
  body: Record<string, unknown>,
  query: Record<string, string | undefined>,
  fault: WecomFault,
): void {
  const what = `${describeRefused(api, body)}被企业微信拒收：errcode ${fault.errcode}，${fault.errmsg}`;
  const rejected = { msgtype: 'rejected', text: what, errcode: fault.errcode, errmsg: fault.errmsg };
  const conversation = conversationOf(state, api, body, query);
  if (conversation) state.deliver(conversation, 'out', rejected);
  state.log(what);
}

function conversationOf(
  state: FakeWecomState,
  api: string,
  body: Record<string, unknown>,
  query: Record<string, string | undefined>,
): Conversation | undefined {
  switch (api) {
    case 'message/send': {
      const staff = String(body.touser ?? '')
        .split('|')
        .map((u) => state.findStaff(u))
        .find(Boolean);
      return staff ? { kind: 'app', userid: staff.userid } : undefined;
    }
    case 'appchat/send':
      return state.teams.some((t) => t.appChatId === body.chatid) ? { kind: 'appchat', chatid: String(body.chatid) } : undefined;
    case 'webhook/send':
      return state.teams.some((t) => t.robotKey === query.key) ? { kind: 'robot', key: String(query.key) } : undefined;
    case 'externalcontact/send_welcome_msg': {
      const code = state.welcomeCodes.get(String(body.welcome_code ?? ''));
      return code ? { kind: 'customer', externalUserid: code.externalUserid, userid: code.userid } : undefined;
    }
    case 'message/update_template_card': {
      const code = state.responseCodes.get(String(body.response_code ?? ''));
      return state.chat.find((c) => c.seq === code?.chatSeq)?.conversation;
    }
    default:
      return undefined;
  }
}

/** "一条应用消息（markdown，2305 字节）": what was refused, for the page and the CLI. */
function describeRefused(api: string, body: Record<string, unknown>): string {
  const where =
    {
      'message/send': '应用消息',
      'appchat/send': '群聊消息',
      'webhook/send': '群机器人消息',
      'externalcontact/send_welcome_msg': '欢迎语',
      'message/update_template_card': '卡片更新',
    }[api] ?? api;
  const msgtype = api === 'externalcontact/send_welcome_msg' ? 'text' : String(body.msgtype ?? '');
  const content = (body[msgtype] as { content?: unknown } | undefined)?.content;
  const size = typeof content === 'string' ? `，${Buffer.byteLength(content)} 字节` : '';
  return `一条${where}${msgtype ? `（${msgtype}${size}）` : ''}`;
}
