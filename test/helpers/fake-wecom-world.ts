import nock from 'nock';
import type { CorpTagGroup, ExternalContact, FollowUser, GroupChatGetResponse } from '../../src/wecom/api/wecom-api.types';
import { WECOM_HOST, type WecomCall } from './fake-wecom';

export interface FakeCustomer {
  external_contact: ExternalContact;
  follow_user: FollowUser[];
}

/**
 * A small in-memory WeCom behind nock: customers with their follow users, the corp tag list,
 * customer groups. Tests change the world, send callbacks, and read `calls`. Answers follow
 * PROTOCOL.md §5.2–5.5 (84061 for an unknown customer, cursor paging for batch/get_by_user).
 */
export class FakeWecomWorld {
  readonly calls: WecomCall[] = [];
  customers = new Map<string, FakeCustomer>();
  tagGroups: CorpTagGroup[] = [];
  groups = new Map<string, GroupChatGetResponse['group_chat']>();
  followUsers: string[] = [];
  pageSize = 100;
  /** cursors at which batch/get_by_user fails once with a permanent error (a crash mid-import) */
  failBatchAtCursor = new Set<string>();
  private nextTag = 1;
  /** answers for send_welcome_msg (e.g. 41051; a promise that settles late for a WeCom that hangs) */
  welcomeAnswer: () => Record<string, unknown> | Promise<Record<string, unknown>> = () => ({ errcode: 0, errmsg: 'ok' });
  /**
   * A sick WeCom for externalcontact/get: return an answer to give instead (an errcode body, or
   * `{ httpStatus }` for an HTTP error), or a promise (the answer comes when it settles: a hang);
   * undefined answers as usual.
   */
  contactFault: (externalUserid: string) => Record<string, unknown> | { httpStatus: number } | Promise<unknown> | undefined = () => undefined;
  /** answers for add_contact_way (e.g. 40098 for a member without customer-contact rights) */
  contactWayAnswer: (body: Record<string, unknown>) => Record<string, unknown> = (b) => ({ errcode: 0, errmsg: 'ok', config_id: `cfg${String(b.state).replace(/\W/g, '')}`.padEnd(32, '0'), qr_code: `https://wework.qpic.cn/qr/${String(b.state)}` });

  install(): this {
    nock(WECOM_HOST).get('/cgi-bin/gettoken').query(true).reply(200, { errcode: 0, errmsg: 'ok', access_token: 'TOKEN', expires_in: 7200 }).persist();
    nock(WECOM_HOST)
      .get('/cgi-bin/externalcontact/get')
      .query(true)
      .reply(async (uri) => {
        const id = new URL(uri, WECOM_HOST).searchParams.get('external_userid') ?? '';
        this.calls.push({ api: 'externalcontact/get', body: { external_userid: id } });
        const fault = this.contactFault(id);
        if (fault instanceof Promise) await fault;
        else if (fault && 'httpStatus' in fault) return [Number(fault.httpStatus), 'upstream error'];
        else if (fault) return [200, fault];
        const c = this.customers.get(id);
        return [200, c ? { errcode: 0, errmsg: 'ok', ...structuredClone(c) } : { errcode: 84061, errmsg: 'not external contact' }];
      })
      .persist();
    nock(WECOM_HOST)
      .get('/cgi-bin/externalcontact/get_follow_user_list')
      .query(true)
      .reply(200, () => {
        this.calls.push({ api: 'externalcontact/get_follow_user_list', body: {} });
        return { errcode: 0, errmsg: 'ok', follow_user: this.followUsers };
      })
      .persist();
    const post = (api: string, answer: (body: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>) =>
      nock(WECOM_HOST)
        .post(`/cgi-bin/${api}`)
        .query(true)
        .reply(200, async (_uri, body) => {
          const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as Record<string, unknown>;
          this.calls.push({ api, body: parsed });
          return answer(parsed);
        })
        .persist();
    post('message/send', () => ({ errcode: 0, errmsg: 'ok', msgid: `msg-${this.calls.length}` }));
    post('webhook/send', () => ({ errcode: 0, errmsg: 'ok' }));
    post('externalcontact/send_welcome_msg', () => this.welcomeAnswer());
    post('externalcontact/mark_tag', (b) => {
      const c = this.customers.get(String(b.external_userid));
      const f = c?.follow_user.find((x) => x.userid === b.userid);
      if (!c || !f) return { errcode: 84061, errmsg: 'not external contact' };
      for (const id of (b.add_tag as string[]) ?? []) {
        if (f.tags?.some((t) => t.tag_id === id)) continue;
        const g = this.tagGroups.find((grp) => grp.tag.some((t) => t.id === id));
        const t = g?.tag.find((x) => x.id === id);
        (f.tags ??= []).push({ group_name: g?.group_name ?? '', tag_name: t?.name ?? '', type: 1, tag_id: id });
      }
      return { errcode: 0, errmsg: 'ok' };
    });
    post('externalcontact/get_corp_tag_list', () => ({ errcode: 0, errmsg: 'ok', tag_group: structuredClone(this.tagGroups) }));
    post('externalcontact/add_corp_tag', (b) => {
      const names = (b.tag as Array<{ name: string }>).map((t) => t.name);
      let group = this.tagGroups.find((g) => g.group_name === b.group_name);
      if (group?.tag.some((t) => names.includes(t.name))) return { errcode: 40071, errmsg: 'tag name exists' };
      if (!group) this.tagGroups.push((group = { group_id: `etGroup${this.nextTag++}`, group_name: String(b.group_name), create_time: 1, order: 0, tag: [] }));
      const created = names.map((name) => ({ id: `etTag${this.nextTag++}`, name, create_time: 1, order: 0 }));
      group.tag.push(...created);
      return { errcode: 0, errmsg: 'ok', tag_group: { ...group, tag: created } };
    });
    post('externalcontact/groupchat/get', (b) => {
      const g = this.groups.get(String(b.chat_id));
      return g ? { errcode: 0, errmsg: 'ok', group_chat: structuredClone(g) } : { errcode: 49008, errmsg: 'not found' };
    });
    post('externalcontact/groupchat/list', () => ({ errcode: 0, errmsg: 'ok', group_chat_list: [...this.groups.keys()].map((chat_id) => ({ chat_id, status: 0 })), next_cursor: '' }));
    post('externalcontact/batch/get_by_user', (b) => {
      const at = String(b.cursor ?? '');
      if (this.failBatchAtCursor.delete(at)) return { errcode: 60011, errmsg: 'no privilege' };
      const users = (b.userid_list as string[]).map((u) => u.toLowerCase());
      const all = [...this.customers.values()].flatMap((c) =>
        c.follow_user
          .filter((f) => users.includes(f.userid.toLowerCase()))
          .map((f) => ({ external_contact: c.external_contact, follow_info: { ...f, tags: undefined, tag_id: (f.tags ?? []).map((t) => t.tag_id!).filter(Boolean) } })),
      );
      const start = Number(b.cursor || 0);
      const limit = Math.min(Number(b.limit ?? 50), this.pageSize);
      const page = all.slice(start, start + limit);
      return { errcode: 0, errmsg: 'ok', external_contact_list: page, next_cursor: start + limit < all.length ? String(start + limit) : '' };
    });
    post('externalcontact/add_contact_way', (b) => this.contactWayAnswer(b));
    return this;
  }

  addCustomer(externalUserid: string, name: string, follows: Array<Partial<FollowUser> & { userid: string }>): FakeCustomer {
    const customer: FakeCustomer = {
      external_contact: { external_userid: externalUserid, name, type: 1, gender: 1, avatar: `https://avatar/${externalUserid}` },
      follow_user: follows.map((f) => ({ createtime: Math.floor(Date.now() / 1000), tags: [], ...f })),
    };
    this.customers.set(externalUserid, customer);
    return customer;
  }

  callsTo(api: string): WecomCall[] {
    return this.calls.filter((c) => c.api === api);
  }
}
