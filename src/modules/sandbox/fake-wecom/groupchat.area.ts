import type * as T from '../../../platform/wecom/api/wecom-api.types';
import type { AreaRoute } from './area-route';
import type { FakeWecomState } from './fake-wecom.state';
import { WecomFault } from './wecom-fault';

/** Customer groups (客户群): the list (limit 1..1000) and one group with its members; 49008 for one the app cannot see. */

export function groupChat(state: FakeWecomState, chatId: string | undefined): T.GroupChatGetResponse['group_chat'] {
  const chat = chatId ? state.groupChats.get(chatId) : undefined;
  if (!chat) throw new WecomFault(49008, 'chat not found or not visible to the app');
  return structuredClone(chat);
}

export const groupChatRoutes: AreaRoute[] = [
  {
    method: 'POST',
    api: 'externalcontact/groupchat/list',
    handle: (state, { body }) => {
      const limit = Number(body.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new WecomFault(40058, 'limit must be 1..1000');
      return { group_chat_list: [...state.groupChats.keys()].map((chat_id) => ({ chat_id, status: 0 })), next_cursor: '' };
    },
  },
  { method: 'POST', api: 'externalcontact/groupchat/get', handle: (state, { body }) => ({ group_chat: groupChat(state, body.chat_id as string | undefined) }) },
];
