import { checkRobotImage } from '../../../platform/wecom/limits/media-limits';
import type { AreaRoute } from './area-route';
import { mediaImage } from './media.area';
import type { FakeWecomState } from './fake-wecom.state';
import { validateMessage } from './message-content';
import { WecomFault } from './wecom-fault';

/** Messages to a team's group: the app chat (appchat/send) and the group robot's webhook (20 messages a minute per robot, notice cards only). */

const ROBOT_PER_MINUTE = 20;

export function appChatSend(state: FakeWecomState, body: Record<string, unknown>): void {
  const chatid = String(body.chatid ?? '');
  const known = state.teams.some((t) => t.appChatId === chatid);
  if (!chatid || (!known && !state.trusts('chats'))) throw new WecomFault(86003, 'chat not exist');
  state.deliver(
    { kind: 'appchat', chatid },
    'out',
    validateMessage(body, ['text', 'markdown', 'textcard', 'image'], (image) => mediaImage(state, image.media_id)),
  );
}

export function robotSend(state: FakeWecomState, key: string | undefined, body: Record<string, unknown>): void {
  const known = state.teams.some((t) => t.robotKey === key);
  if (!key || (!known && !state.trusts('chats'))) throw new WecomFault(93000, 'invalid webhook url (unknown key)');
  const recent = (state.robotSends.get(key) ?? []).filter((t) => state.now() - t < 60_000);
  if (recent.length >= ROBOT_PER_MINUTE) throw new WecomFault(45009, 'api freq out of limit (20 messages a minute per robot)');
  const content = validateMessage(body, ['text', 'markdown', 'template_card', 'image'], robotPicture);
  if (content.card && !['text_notice', 'news_notice'].includes(content.card.card_type))
    throw new WecomFault(40058, 'a group robot sends only text_notice and news_notice cards');
  state.robotSends.set(key, [...recent, state.now()]);
  state.deliver({ kind: 'robot', key }, 'out', content);
}

/** A robot's `image` is the picture itself: base64 of a JPG or PNG of at most 2 MB, and its md5. */
function robotPicture(image: Record<string, unknown>): string {
  const refused = checkRobotImage(image);
  if (refused) throw new WecomFault(refused.errcode, refused.errmsg);
  const base64 = String(image.base64);
  return `data:${base64.startsWith('/9j/') ? 'image/jpeg' : 'image/png'};base64,${base64}`;
}

export const groupMessageRoutes: AreaRoute[] = [
  { method: 'POST', api: 'appchat/send', delivers: true, handle: (state, { body }) => appChatSend(state, body) },
  { method: 'POST', api: 'webhook/send', auth: false, delivers: true, handle: (state, { body, query }) => robotSend(state, query.key, body) },
];
