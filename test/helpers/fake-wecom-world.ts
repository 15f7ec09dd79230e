import nock from 'nock';
import type { CorpTagGroup, ExternalContact, FollowUser, GroupChatGetResponse } from '../../src/platform/wecom/api/wecom-api.types';
import { answerLikeWecom, WECOM_HOST, type WecomCall } from './fake-wecom';

/** A member of the corp as user/get shows it to a self-built app: a name, departments, a status (no phone, no avatar). */
export interface FakeMember {
  userid: string;
  name: string;
  department: number[];
  /** 1 active, 2 disabled, 4 not yet activated */
  status: number;
}

export interface FakeCustomer {
  external_contact: ExternalContact;
  follow_user: FollowUser[];
}

/**
 * A small in-memory WeCom behind nock: customers with their follow users, the corp tag list,
 * customer groups. Tests change the world, send callbacks, and read `calls`. Answers follow
 * PROTOCOL.md §5.2–5.5 (84061 for an unknown customer, cursor paging for batch/get_by_user), and
 * messages over WeCom's size limits are refused as WeCom refuses them (45002).
 */
export class FakeWecomWorld {
  readonly calls: WecomCall[] = [];
  customers = new Map<string, FakeCustomer>();
  tagGroups: CorpTagGroup[] = [];
  groups = new Map<string, GroupChatGetResponse['group_chat']>();
  followUsers: string[] = [];
  /** the app's visible range (通讯录): user/list_id lists them, user/get reads them, anyone else is 60111 */
  members = new Map<string, FakeMember>();
  /** how long user/get takes to answer (a slow directory must not hold a welcome) */
  userGetDelayMs = 0;
  /** override for user/list_id (e.g. a WeCom fault) */
  listIdAnswer: ((body: Record<string, unknown>) => Record<string, unknown>) | undefined;
  /** WeCom may answer fewer rows than asked for: the client must follow next_cursor */
  listIdPageSize = 10_000;
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
  contactWayAnswer: (body: Record<string, unknown>) => Record<string, unknown> = (b) => ({
    errcode: 0,
    errmsg: 'ok',
    config_id: `cfg${String(b.state).replace(/\W/g, '')}`.padEnd(32, '0'),
    qr_code: `https://wework.qpic.cn/qr/${String(b.state)}`,
  });

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
    nock(WECOM_HOST)
      .get('/cgi-bin/user/get')
      .query(true)
      .reply(200, async (uri) => {
        const userid = new URL(uri, WECOM_HOST).searchParams.get('userid') ?? '';
        this.calls.push({ api: 'user/get', body: { userid } });
        if (this.userGetDelayMs > 0) await new Promise((r) => setTimeout(r, this.userGetDelayMs));
        if (!userid) return { errcode: 41009, errmsg: 'missing userid' };
        const member = this.member(userid);
        return member ? { errcode: 0, errmsg: 'ok', ...structuredClone(member) } : { errcode: 60111, errmsg: `userid not found: ${userid}` };
      })
      .persist();
    const post = (api: string, answer: (body: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>) =>
      nock(WECOM_HOST)
        .post(`/cgi-bin/${api}`)
        .query(true)
        .reply(200, async (_uri, body) => {
          const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as Record<string, unknown>;
          return answerLikeWecom(this.calls, api, parsed, answer);
        })
        .persist();
    post('message/send', () => ({ errcode: 0, errmsg: 'ok', msgid: `msg-${this.calls.length}` }));
    post('webhook/send', () => ({ errcode: 0, errmsg: 'ok' }));
    post('appchat/send', () => ({ errcode: 0, errmsg: 'ok' }));
    post('message/update_template_card', () => ({ errcode: 0, errmsg: 'ok', invaliduser: [] }));
    post('externalcontact/send_welcome_msg', () => this.welcomeAnswer());
    post('externalcontact/mark_tag', (b) => {
      const c = this.customers.get(String(b.external_userid));
      // userids are case-insensitive in WeCom
      const f = c?.follow_user.find((x) => x.userid.toLowerCase() === String(b.userid).toLowerCase());
      if (!c || !f) return { errcode: 84061, errmsg: 'not external contact' };
      for (const id of (b.add_tag as string[]) ?? []) {
        if (f.tags?.some((t) => t.tag_id === id)) continue;
        const g = this.tagGroups.find((grp) => grp.tag.some((t) => t.id === id));
        const t = g?.tag.find((x) => x.id === id);
        (f.tags ??= []).push({ group_name: g?.group_name ?? '', tag_name: t?.name ?? '', type: 1, tag_id: id });
      }
      const removed = new Set((b.remove_tag as string[] | undefined) ?? []);
      f.tags = (f.tags ?? []).filter((t) => !removed.has(t.tag_id ?? ''));
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
    post('externalcontact/groupchat/list', () => ({
      errcode: 0,
      errmsg: 'ok',
      group_chat_list: [...this.groups.keys()].map((chat_id) => ({ chat_id, status: 0 })),
      next_cursor: '',
    }));
    post('externalcontact/batch/get_by_user', (b) => {
      const at = String(b.cursor ?? '');
      if (this.failBatchAtCursor.delete(at)) return { errcode: 60011, errmsg: 'no privilege' };
      const users = (b.userid_list as string[]).map((u) => u.toLowerCase());
      const all = [...this.customers.values()].flatMap((c) =>
        c.follow_user
          .filter((f) => users.includes(f.userid.toLowerCase()))
          .map((f) => ({
            external_contact: c.external_contact,
            follow_info: { ...f, tags: undefined, tag_id: (f.tags ?? []).map((t) => t.tag_id!).filter(Boolean) },
          })),
      );
      const start = Number(b.cursor || 0);
      const limit = Math.min(Number(b.limit ?? 50), this.pageSize);
      const page = all.slice(start, start + limit);
      return { errcode: 0, errmsg: 'ok', external_contact_list: page, next_cursor: start + limit < all.length ? String(start + limit) : '' };
    });
    post('externalcontact/add_contact_way', (b) => this.contactWayAnswer(b));
    post('user/list_id', (b) => this.listIdAnswer?.(b) ?? this.listIds(b));
    return this;
  }

  /** user/list_id: one row per (member, department), cursor paging, limit 1..10000 (PROTOCOL.md, staff directory). */
  private listIds(b: Record<string, unknown>): Record<string, unknown> {
    const limit = b.limit === undefined ? 10_000 : Number(b.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) return { errcode: 40058, errmsg: 'limit must be 1..10000' };
    const rows = [...this.members.values()].flatMap((m) => m.department.map((department) => ({ userid: m.userid, department })));
    const start = Number(b.cursor || 0);
    if (!Number.isInteger(start) || start < 0) return { errcode: 40058, errmsg: 'invalid cursor' };
    const size = Math.min(limit, this.listIdPageSize);
    const page = rows.slice(start, start + size);
    return { errcode: 0, errmsg: 'ok', dept_user: page, next_cursor: start + size < rows.length ? String(start + size) : '' };
  }

  addMember(userid: string, name: string, extra: Partial<FakeMember> = {}): FakeMember {
    const member = { userid, name, department: [1], status: 1, ...extra };
    this.members.set(userid.toLowerCase(), member);
    return member;
  }

  member(userid: string): FakeMember | undefined {
    return this.members.get(userid.toLowerCase());
  }

  /** A salesperson removes corp tags in the WeCom client (no API call: WeCom then sends edit_external_contact). */
  untagInClient(externalUserid: string, userid: string, tagIds: string[]): void {
    const f = this.customers.get(externalUserid)?.follow_user.find((x) => x.userid.toLowerCase() === userid.toLowerCase());
    if (!f) throw new Error(`${userid} does not follow ${externalUserid}`);
    f.tags = (f.tags ?? []).filter((t) => !tagIds.includes(t.tag_id ?? ''));
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
