import Router from '@koa/router';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import type * as T from '../../platform/wecom/api/wecom-api.types';
import { type FakeWecomWorld, WecomFault } from './fake-wecom.world';

export const FAKE_WECOM_PATH = '/sandbox/cgi-bin';

/** APIs that deliver something to a person: a refusal is shown where it would have arrived. */
const DELIVERING_APIS = new Set(['message/send', 'appchat/send', 'webhook/send', 'externalcontact/send_welcome_msg', 'message/update_template_card']);

type Handler = (request: { body: Record<string, unknown>; query: Record<string, string | undefined> }) => Record<string, unknown> | void;

/**
 * WeCom's server API as the sandbox plays it, at the path WECOM_API_BASE points to in sandbox mode.
 * Like WeCom: HTTP 200 with `errcode`/`errmsg` for every answer, an access token on every call but
 * gettoken and the robot webhook, 47001 for a body that is not JSON.
 */
export function fakeWecomRouter(world: FakeWecomWorld): Router {
  const router = new Router({ prefix: FAKE_WECOM_PATH });

  const get = (api: string, handler: Handler, auth = true) => router.get(`/${api}`, (ctx) => answer(ctx, api, handler, auth, false));
  const post = (api: string, handler: Handler, auth = true) => router.post(`/${api}`, (ctx) => answer(ctx, api, handler, auth, true));

  const answer = async (ctx: Context, api: string, handler: Handler, auth: boolean, hasBody: boolean) => {
    ctx.type = 'application/json';
    const query = ctx.query as Record<string, string | undefined>;
    // A refused token is not a refused message (the client refreshes it and sends again).
    let body: Record<string, unknown> | undefined;
    try {
      if (auth) world.checkToken(query.access_token);
      body = hasBody ? await readJson(ctx) : {};
      ctx.body = { errcode: 0, errmsg: 'ok', ...(handler({ body, query }) ?? {}) };
    } catch (error) {
      if (!(error instanceof WecomFault)) throw error;
      if (body && DELIVERING_APIS.has(api)) world.recordRefused(api, body, query, error);
      ctx.body = { errcode: error.errcode, errmsg: error.errmsg };
    }
  };

  get('gettoken', ({ query }) => world.issueToken(query.corpid, query.corpsecret), false);

  // staff (通讯录): a self-built app reads names and departments, no phones or avatars (PROTOCOL.md, staff directory)
  get('user/get', ({ query }) => {
    if (!query.userid) throw new WecomFault(41009, 'missing userid');
    const s = world.member(query.userid);
    return { userid: s.userid, name: s.name, position: s.position, department: [1], status: 1 };
  });
  post('user/list_id', ({ body }) => world.listUserIds(body as { cursor?: unknown; limit?: unknown }));
  get('user/list', () => ({ userlist: world.staff.map((s) => ({ userid: s.userid, name: s.name, position: s.position, department: [1], status: 1 })) }));
  get('user/simplelist', () => ({ userlist: world.staff.map((s) => ({ userid: s.userid, name: s.name, department: [1] })) }));

  // customers
  get('externalcontact/get', ({ query }) => structuredClone(world.customer(query.external_userid)) as unknown as Record<string, unknown>);
  get('externalcontact/list', ({ query }) => {
    world.member(query.userid ?? '');
    return { external_userid: world.customersOf([query.userid!]).map((c) => c.customer.external_contact.external_userid) };
  });
  get('externalcontact/get_follow_user_list', () => ({ follow_user: world.staff.map((s) => s.userid) }));
  post('externalcontact/batch/get_by_user', ({ body }) => batchGetByUser(world, body as unknown as T.BatchGetByUserRequest));
  post('externalcontact/remark', ({ body }) => world.remark(body as unknown as T.RemarkRequest));

  // corp tags
  post('externalcontact/get_corp_tag_list', ({ body }) => ({ tag_group: world.tagList(body as { tag_id?: string[]; group_id?: string[] }) }));
  post('externalcontact/add_corp_tag', ({ body }) => ({ tag_group: world.addCorpTag(body as unknown as T.AddCorpTagRequest) }));
  post('externalcontact/edit_corp_tag', ({ body }) => world.editCorpTag(body as unknown as T.EditCorpTagRequest));
  post('externalcontact/del_corp_tag', ({ body }) => world.delCorpTag(body as unknown as T.DelCorpTagRequest));
  post('externalcontact/mark_tag', ({ body }) => world.markTag(body as unknown as T.MarkTagRequest));

  // welcome messages, customer groups, channel QR codes
  post('externalcontact/send_welcome_msg', ({ body }) => world.sendWelcome(body as unknown as T.SendWelcomeMsgRequest));
  post('externalcontact/groupchat/list', ({ body }) => {
    const limit = Number(body.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new WecomFault(40058, 'limit must be 1..1000');
    return { group_chat_list: [...world.groupChats.keys()].map((chat_id) => ({ chat_id, status: 0 })), next_cursor: '' };
  });
  post('externalcontact/groupchat/get', ({ body }) => ({ group_chat: world.groupChat(body.chat_id as string | undefined) }));
  post('externalcontact/add_contact_way', ({ body }) => {
    const state = String(body.state ?? '');
    if ([...state].length > 30) throw new WecomFault(40058, 'state longer than 30 characters');
    world.log(`创建了渠道活码 state=${state || '（无）'}`);
    return {
      config_id: `sandbox${Buffer.from(state).toString('hex')}`.slice(0, 32).padEnd(32, '0'),
      qr_code: `https://sandbox.invalid/qr/${encodeURIComponent(state)}`,
    };
  });

  // messages
  post('message/send', ({ body }) => world.sendAppMessage(body) as unknown as Record<string, unknown>);
  post('message/update_template_card', ({ body }) => world.updateTemplateCard(body) as unknown as Record<string, unknown>);
  post('appchat/send', ({ body }) => world.appChatSend(body));
  post('webhook/send', ({ body, query }) => world.robotSend(query.key, body), false);

  // Anything else is an API the sandbox does not play: say so in WeCom's shape rather than a bare 404 page.
  router.all('/{*rest}', (ctx) => {
    ctx.status = 404;
    ctx.body = { errcode: 404, errmsg: `the sandbox does not fake ${ctx.method} ${ctx.path}` };
  });
  return router;
}

async function readJson(ctx: Context): Promise<Record<string, unknown>> {
  const text = await getRawBody(ctx.req, { limit: '1mb', encoding: 'utf8' });
  try {
    const parsed: unknown = JSON.parse(text || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new WecomFault(47001, 'data format error (the body must be a JSON object)');
}

/** Cursor paging over every customer of up to 100 members, tags as ids (PROTOCOL.md §5.2). */
function batchGetByUser(world: FakeWecomWorld, request: T.BatchGetByUserRequest): Record<string, unknown> {
  const users = request.userid_list ?? [];
  if (!Array.isArray(users) || users.length === 0 || users.length > 100) throw new WecomFault(40058, 'userid_list must have 1 to 100 userids');
  const limit = request.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new WecomFault(40058, 'limit must be 1..100');
  const all = world.customersOf(users).map(({ customer, follow }) => ({
    external_contact: structuredClone(customer.external_contact),
    follow_info: { ...structuredClone({ ...follow, tags: undefined }), tag_id: (follow.tags ?? []).map((t) => t.tag_id!).filter(Boolean) },
  }));
  const start = Number(request.cursor || 0);
  if (!Number.isInteger(start) || start < 0) throw new WecomFault(40058, 'invalid cursor');
  const page = all.slice(start, start + limit);
  return { external_contact_list: page, next_cursor: start + limit < all.length ? String(start + limit) : '' };
}
