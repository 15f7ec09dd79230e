import { randomBytes } from 'node:crypto';
import type * as T from '../../platform/wecom/api/wecom-api.types';
import { checkWecomLimits } from '../../platform/wecom/limits/check-limits';
import { CUSTOMER_NAMES, SEED_STAFF, SEED_TAG_GROUPS, SEED_TEAM, type SandboxStaff, type SandboxTeam } from './fake-wecom.seed';

/**
 * The sandbox's pretend WeCom: its state (staff, customers and their follow users, corp tags,
 * customer groups, welcome codes, group robots) and what it delivered (app messages and cards,
 * robot and app-chat messages, welcome messages). The HTTP routes (fake-wecom.routes.ts) call it the
 * way WeCom's API would be called; the simulator changes it the way people would in WeCom.
 * Rules follow PROTOCOL.md: welcome codes single-use and valid 20 s, 20 robot messages a minute,
 * userids case-insensitive, errcodes WeCom's own.
 */

/** An answer WeCom would give with a non-zero errcode. */
export class WecomFault extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`${errcode} ${errmsg}`);
    this.name = 'WecomFault';
  }
}

export const WELCOME_CODE_TTL_MS = 20_000;
const ROBOT_PER_MINUTE = 20;
const INTERACTIVE_CARDS = new Set(['button_interaction', 'vote_interaction', 'multiple_interaction']);

export interface SandboxCustomer {
  external_contact: T.ExternalContact;
  follow_user: T.FollowUser[];
}

/** Where a delivered message shows up on the sandbox page. */
export type Conversation =
  | { kind: 'app'; userid: string }
  | { kind: 'robot'; key: string }
  | { kind: 'appchat'; chatid: string }
  | { kind: 'customer'; externalUserid: string; userid: string };

export interface ChatItem {
  seq: number;
  at: number;
  conversation: Conversation;
  /** in: typed by the salesperson to the app; out: sent by the product */
  direction: 'in' | 'out';
  /** text, markdown, template_card, or `rejected`: a send WeCom refused, shown where it would have arrived */
  msgtype: string;
  /** text content, markdown content, or the template card as it stands now; for `rejected`, what was refused */
  text?: string;
  /** msgtype `rejected`: WeCom refused the send with this errcode and errmsg (the salesperson saw nothing) */
  errcode?: number;
  errmsg?: string;
  card?: T.TemplateCard;
  /** set when update_template_card replaced every button by one greyed-out label */
  replacedButton?: string;
  /** the key of the button clicked on this card */
  clickedKey?: string;
  updatedAt?: number;
}

export interface ActivityItem {
  seq: number;
  at: number;
  text: string;
}

interface WelcomeCode {
  externalUserid: string;
  userid: string;
  issuedAt: number;
  usedAt?: number;
}

interface ResponseCode {
  chatSeq: number;
  userid: string;
  usedAt?: number;
}

/** Everything that survives a restart of the sandbox (see fake-wecom.store.ts). */
export interface WorldSnapshot {
  staff: SandboxStaff[];
  teams: SandboxTeam[];
  customers: SandboxCustomer[];
  tagGroups: T.CorpTagGroup[];
  groupChats: Array<T.GroupChatGetResponse['group_chat']>;
  chat: ChatItem[];
  activity: ActivityItem[];
  seq: number;
}

export interface WorldOptions {
  corpId: string;
  corpSecret: string;
  agentId: string;
  now?: () => number;
  /** the teams of the teams file (their robots and app chats); the seed team when not given */
  teams?: SandboxTeam[];
  snapshot?: WorldSnapshot;
}

const KEEP_CHAT_ITEMS = 2000;

export class FakeWecomWorld {
  staff: SandboxStaff[];
  teams: SandboxTeam[];
  customers = new Map<string, SandboxCustomer>();
  tagGroups: T.CorpTagGroup[];
  groupChats = new Map<string, T.GroupChatGetResponse['group_chat']>();
  chat: ChatItem[] = [];
  activity: ActivityItem[] = [];
  /** grows with every change: the page polls it to know when to redraw */
  seq = 0;
  private readonly tokens = new Map<string, number>();
  private readonly welcomeCodes = new Map<string, WelcomeCode>();
  private readonly responseCodes = new Map<string, ResponseCode>();
  private readonly robotSends = new Map<string, number[]>();
  private readonly recentSends = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private readonly now: () => number;

  constructor(private readonly options: WorldOptions) {
    this.now = options.now ?? Date.now;
    const s = options.snapshot;
    this.teams = structuredClone(options.teams ?? [SEED_TEAM]);
    this.staff = structuredClone(s?.staff ?? SEED_STAFF);
    // Everyone the teams file names works here too, so that the product's messages to them arrive.
    for (const userid of this.teams.flatMap((t) => [t.lead, ...t.members]).filter(Boolean)) {
      if (!this.findStaff(userid)) this.staff.push({ userid, name: userid, position: '销售' });
    }
    this.tagGroups = structuredClone(s?.tagGroups ?? SEED_TAG_GROUPS);
    for (const c of s?.customers ?? []) this.customers.set(c.external_contact.external_userid, c);
    for (const g of s?.groupChats ?? []) this.groupChats.set(g.chat_id, g);
    this.chat = s?.chat ?? [];
    this.activity = s?.activity ?? [];
    this.seq = s?.seq ?? 0;
  }

  get agentId(): string {
    return this.options.agentId;
  }

  /** Called after every change (persistence). */
  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  snapshot(): WorldSnapshot {
    return {
      staff: this.staff,
      teams: this.teams,
      customers: [...this.customers.values()],
      tagGroups: this.tagGroups,
      groupChats: [...this.groupChats.values()],
      chat: this.chat,
      activity: this.activity,
      seq: this.seq,
    };
  }

  // ---- access tokens ----

  issueToken(corpid: string | undefined, corpsecret: string | undefined): { access_token: string; expires_in: number } {
    if (!corpid) throw new WecomFault(41002, 'corpid missing');
    if (corpid !== this.options.corpId) throw new WecomFault(40013, 'invalid corpid');
    if (!corpsecret) throw new WecomFault(41004, 'corpsecret missing');
    if (corpsecret !== this.options.corpSecret) throw new WecomFault(40001, 'invalid credential (corpsecret)');
    const token = `sandbox-${randomBytes(16).toString('hex')}`;
    this.tokens.set(token, this.now() + 7200_000);
    return { access_token: token, expires_in: 7200 };
  }

  checkToken(token: string | undefined): void {
    if (!token) throw new WecomFault(41001, 'access_token missing');
    const expires = this.tokens.get(token);
    if (expires === undefined) throw new WecomFault(40014, 'invalid access_token');
    if (expires < this.now()) throw new WecomFault(42001, 'access_token expired');
  }

  // ---- staff ----

  member(userid: string): SandboxStaff {
    const found = this.findStaff(userid);
    if (!found) throw new WecomFault(60111, `userid not found: ${userid}`);
    return found;
  }

  findStaff(userid: string): SandboxStaff | undefined {
    return this.staff.find((s) => s.userid.toLowerCase() === userid.toLowerCase());
  }

  /**
   * user/list_id: the app's visible range (everyone here), one row per member and department, in
   * pages of `limit` (1..10000, default 10000) with an opaque `next_cursor` ("" on the last page).
   */
  listUserIds(request: { cursor?: unknown; limit?: unknown }): { dept_user: Array<{ userid: string; department: number }>; next_cursor: string } {
    const limit = request.limit === undefined ? 10_000 : Number(request.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new WecomFault(40058, 'limit must be 1..10000');
    const cursor = request.cursor === undefined || request.cursor === '' ? 0 : decodeCursor(String(request.cursor));
    if (cursor === undefined) throw new WecomFault(40058, 'invalid cursor');
    const rows = this.staff.map((s) => ({ userid: s.userid, department: 1 }));
    const page = rows.slice(cursor, cursor + limit);
    return { dept_user: page, next_cursor: cursor + limit < rows.length ? encodeCursor(cursor + limit) : '' };
  }

  /** An admin edits a member in the console (通讯录): WeCom keeps the new name. */
  renameMember(userid: string, name: string): SandboxStaff {
    const staff = this.member(userid);
    const before = staff.name;
    staff.name = name;
    this.log(`管理后台：成员 ${before} 改名为 ${name}`);
    return staff;
  }

  teamOf(userid: string): SandboxTeam | undefined {
    const id = userid.toLowerCase();
    return this.teams.find((t) => t.lead === id || t.members.includes(id));
  }

  // ---- customers ----

  customer(externalUserid: string | undefined): SandboxCustomer {
    if (!externalUserid) throw new WecomFault(40096, 'invalid external userid');
    const found = this.customers.get(externalUserid);
    if (!found || found.follow_user.length === 0) throw new WecomFault(84061, 'not external contact');
    return found;
  }

  /** A customer scans a salesperson's channel QR code: the customer exists, follows them, and a welcome code is issued. */
  addCustomer(input: { userid: string; state?: string; name?: string }): { customer: SandboxCustomer; welcomeCode: string } {
    const staff = this.member(input.userid);
    const externalUserid = `wmSandbox${randomBytes(10).toString('hex')}`;
    const name = input.name?.trim() || CUSTOMER_NAMES[this.customers.size % CUSTOMER_NAMES.length]!;
    const customer: SandboxCustomer = {
      external_contact: { external_userid: externalUserid, name, type: 1, gender: 0, avatar: '' },
      follow_user: [
        { userid: staff.userid, remark: '', description: '', createtime: Math.floor(this.now() / 1000), tags: [], add_way: 1, state: input.state || undefined },
      ],
    };
    this.customers.set(externalUserid, customer);
    const welcomeCode = `WELCOME${randomBytes(12).toString('hex').toUpperCase()}`;
    this.welcomeCodes.set(welcomeCode, { externalUserid, userid: staff.userid, issuedAt: this.now() });
    this.log(`${name} 扫描了 ${staff.name} 的渠道活码${input.state ? `（state=${input.state}）` : ''}，成为客户`);
    return { customer, welcomeCode };
  }

  /** The customer deletes the salesperson (删人), or the salesperson the customer: the follow user disappears, history stays with the product. */
  removeFollowUser(externalUserid: string, userid: string, by: 'customer' | 'staff' = 'customer'): SandboxCustomer {
    const customer = this.customer(externalUserid);
    const before = customer.follow_user.length;
    customer.follow_user = customer.follow_user.filter((f) => f.userid.toLowerCase() !== userid.toLowerCase());
    if (customer.follow_user.length === before) throw new WecomFault(84061, 'not external contact');
    const staffName = this.findStaff(userid)?.name ?? userid;
    this.log(by === 'customer' ? `${customer.external_contact.name} 删除了 ${staffName}` : `${staffName} 删除了客户 ${customer.external_contact.name}`);
    return customer;
  }

  followOf(externalUserid: string | undefined, userid: string | undefined): { customer: SandboxCustomer; follow: T.FollowUser } {
    const customer = this.customer(externalUserid);
    const follow = customer.follow_user.find((f) => f.userid.toLowerCase() === String(userid ?? '').toLowerCase());
    if (!follow) throw new WecomFault(84061, 'not external contact');
    return { customer, follow };
  }

  customersOf(userids: string[]): Array<{ customer: SandboxCustomer; follow: T.FollowUser }> {
    const wanted = new Set(userids.map((u) => u.toLowerCase()));
    return [...this.customers.values()].flatMap((customer) =>
      customer.follow_user.filter((f) => wanted.has(f.userid.toLowerCase())).map((follow) => ({ customer, follow })),
    );
  }

  followUserIds(): string[] {
    return [...new Set([...this.customers.values()].flatMap((c) => c.follow_user.map((f) => f.userid)))];
  }

  remark(request: T.RemarkRequest): void {
    const { follow } = this.followOf(request.external_userid, request.userid);
    if (request.remark !== undefined) follow.remark = request.remark;
    if (request.description !== undefined) follow.description = request.description;
    if (request.remark_mobiles !== undefined) follow.remark_mobiles = request.remark_mobiles;
    if (request.remark_company !== undefined) follow.remark_corp_name = request.remark_company;
    this.touch();
  }

  // ---- corp tags ----

  tagById(id: string): { group: T.CorpTagGroup; tag: T.CorpTag } | undefined {
    for (const group of this.tagGroups) {
      const tag = group.tag.find((t) => t.id === id);
      if (tag) return { group, tag };
    }
    return undefined;
  }

  tagList(filter: { tag_id?: string[]; group_id?: string[] }): T.CorpTagGroup[] {
    const groups = filter.group_id?.length ? this.tagGroups.filter((g) => filter.group_id!.includes(g.group_id)) : this.tagGroups;
    if (!filter.tag_id?.length) return structuredClone(groups);
    return groups.map((g) => ({ ...structuredClone(g), tag: g.tag.filter((t) => filter.tag_id!.includes(t.id)) })).filter((g) => g.tag.length > 0);
  }

  addCorpTag(request: T.AddCorpTagRequest): T.CorpTagGroup {
    const names = (request.tag ?? []).map((t) => String(t?.name ?? '').trim());
    if (names.length === 0 || names.some((n) => n === '')) throw new WecomFault(40058, 'tag.name required');
    if (names.some((n) => [...n].length > 30)) throw new WecomFault(40058, 'tag.name longer than 30 characters');
    let group = request.group_id
      ? this.tagGroups.find((g) => g.group_id === request.group_id)
      : this.tagGroups.find((g) => g.group_name === request.group_name);
    if (request.group_id && !group) throw new WecomFault(40068, 'invalid tagid (group_id)');
    if (!group && !request.group_name) throw new WecomFault(40058, 'group_id or group_name required');
    if (group?.tag.some((t) => names.includes(t.name))) throw new WecomFault(40071, 'tag name already exists in this group');
    const created = Math.floor(this.now() / 1000);
    if (!group) {
      group = {
        group_id: `etSandboxGroup${randomBytes(6).toString('hex')}`,
        group_name: String(request.group_name),
        create_time: created,
        order: request.order ?? 0,
        tag: [],
      };
      this.tagGroups.push(group);
    }
    const tags = names.map((name, i) => ({
      id: `etSandboxTag${randomBytes(6).toString('hex')}`,
      name,
      create_time: created,
      order: request.tag[i]?.order ?? 0,
    }));
    group.tag.push(...tags);
    this.log(`企业标签「${group.group_name}」新增：${names.join('、')}`);
    return { ...structuredClone(group), tag: structuredClone(tags) };
  }

  editCorpTag(request: T.EditCorpTagRequest): void {
    const tag = this.tagById(request.id)?.tag;
    const group = this.tagGroups.find((g) => g.group_id === request.id);
    if (!tag && !group) throw new WecomFault(40068, 'invalid tagid');
    if (tag) Object.assign(tag, { name: request.name ?? tag.name, order: request.order ?? tag.order });
    if (group) Object.assign(group, { group_name: request.name ?? group.group_name, order: request.order ?? group.order });
    this.touch();
  }

  delCorpTag(request: T.DelCorpTagRequest): void {
    const tagIds = new Set(request.tag_id ?? []);
    const groupIds = new Set(request.group_id ?? []);
    if (tagIds.size === 0 && groupIds.size === 0) throw new WecomFault(40058, 'tag_id or group_id required');
    for (const id of tagIds) if (!this.tagById(id)) throw new WecomFault(40068, `invalid tagid: ${id}`);
    this.tagGroups = this.tagGroups
      .filter((g) => !groupIds.has(g.group_id))
      .map((g) => ({ ...g, tag: g.tag.filter((t) => !tagIds.has(t.id)) }))
      .filter((g) => g.tag.length > 0);
    this.touch();
  }

  /** Tags on one customer for one salesperson, by corp tag id (WeCom keeps a tag once however often it is marked). */
  markTag(request: T.MarkTagRequest, by: 'api' | 'console' = 'api'): void {
    const adds = request.add_tag ?? [];
    const removes = request.remove_tag ?? [];
    if (adds.length === 0 && removes.length === 0) throw new WecomFault(40058, 'add_tag or remove_tag required');
    this.member(request.userid);
    const { customer, follow } = this.followOf(request.external_userid, request.userid);
    for (const id of [...adds, ...removes]) if (!this.tagById(id)) throw new WecomFault(40068, `invalid tagid: ${id}`);
    const tags = (follow.tags ??= []);
    for (const id of adds) {
      if (tags.some((t) => t.tag_id === id)) continue;
      const { group, tag } = this.tagById(id)!;
      tags.push({ group_name: group.group_name, tag_name: tag.name, type: 1, tag_id: id });
    }
    follow.tags = tags.filter((t) => !removes.includes(t.tag_id ?? ''));
    const names = (ids: string[]) => ids.map((id) => this.tagById(id)!.tag.name).join('、');
    const who = by === 'api' ? 'mark_tag' : '管理后台';
    this.log(`${who}：${customer.external_contact.name}${adds.length ? ` 打上 ${names(adds)}` : ''}${removes.length ? ` 去掉 ${names(removes)}` : ''}`);
  }

  // ---- welcome messages ----

  sendWelcome(request: T.SendWelcomeMsgRequest): void {
    const code = this.welcomeCodes.get(String(request.welcome_code ?? ''));
    if (!request.welcome_code) throw new WecomFault(41051, 'welcome_code missing');
    if (!code) throw new WecomFault(41051, 'invalid welcome_code');
    if (code.usedAt !== undefined) throw new WecomFault(41051, 'externaluser has started chatting (welcome_code already used)');
    if (this.now() - code.issuedAt > WELCOME_CODE_TTL_MS) throw new WecomFault(41051, 'welcome_code expired (valid 20 s after the add event)');
    const content = request.text?.content ?? '';
    if (!content && !request.attachments?.length) throw new WecomFault(40058, 'text or attachments required');
    refuseOverLimit('externalcontact/send_welcome_msg', request as unknown as Record<string, unknown>);
    code.usedAt = this.now();
    this.deliver({ kind: 'customer', externalUserid: code.externalUserid, userid: code.userid }, 'out', { msgtype: 'text', text: content });
    const name = this.customers.get(code.externalUserid)?.external_contact.name ?? code.externalUserid;
    this.log(`欢迎语已发给 ${name}（${Math.round((this.now() - code.issuedAt) / 100) / 10} 秒后）`);
  }

  // ---- customer groups ----

  groupChat(chatId: string | undefined): T.GroupChatGetResponse['group_chat'] {
    const chat = chatId ? this.groupChats.get(chatId) : undefined;
    if (!chat) throw new WecomFault(49008, 'chat not found or not visible to the app');
    return structuredClone(chat);
  }

  // ---- messages to staff ----

  /** message/send: one delivery per valid recipient; unknown ones are listed like WeCom does. */
  sendAppMessage(body: Record<string, unknown>): T.MessageSendResponse {
    if (String(body.agentid ?? '') !== this.options.agentId) throw new WecomFault(40056, 'invalid agentid');
    const touser = String(body.touser ?? '');
    if (!touser && !body.toparty && !body.totag) throw new WecomFault(40058, 'touser, toparty or totag required');
    const content = this.validateMessage('message/send', body, ['text', 'markdown', 'template_card']);
    const recipients = touser === '@all' ? this.staff.map((s) => s.userid) : touser.split('|').filter(Boolean);
    const valid = recipients.filter((u) => this.findStaff(u));
    const invalid = recipients.filter((u) => !this.findStaff(u)).map((u) => u.toLowerCase());
    if (valid.length === 0) throw new WecomFault(81013, 'user & party & tag all invalid');
    const interactive = content.card && INTERACTIVE_CARDS.has(content.card.card_type);
    let responseCode: string | undefined;
    for (const userid of valid) {
      if (this.isDuplicate(body, userid, content)) continue;
      const item = this.deliver({ kind: 'app', userid: this.findStaff(userid)!.userid }, 'out', content);
      if (interactive) {
        responseCode = this.issueResponseCode(item.seq, item.conversation.kind === 'app' ? item.conversation.userid : userid);
      }
    }
    return {
      errcode: 0,
      errmsg: 'ok',
      invaliduser: invalid.join('|'),
      msgid: `sandbox-msg-${this.seq}`,
      ...(responseCode ? { response_code: responseCode } : {}),
    };
  }

  /**
   * enable_duplicate_check: WeCom drops a message identical to one the same member got within the
   * interval (the outbound queue asks for it when it retries a send whose outcome it does not know).
   */
  private isDuplicate(body: Record<string, unknown>, userid: string, content: unknown): boolean {
    const fingerprint = JSON.stringify([userid.toLowerCase(), content]);
    const sentAt = this.recentSends.get(fingerprint);
    const windowMs = Number(body.duplicate_check_interval ?? 1800) * 1000;
    if (Number(body.enable_duplicate_check) === 1 && sentAt !== undefined && this.now() - sentAt < windowMs) return true;
    this.recentSends.set(fingerprint, this.now());
    // WeCom's longest interval is 4 hours: older fingerprints can go.
    if (this.recentSends.size > 5000) for (const [key, at] of this.recentSends) if (this.now() - at > 4 * 3600_000) this.recentSends.delete(key);
    return false;
  }

  /** A code WeCom hands out with a click (or an interactive card): one update of that user's card. */
  issueResponseCode(chatSeq: number, userid: string): string {
    const code = `RC${randomBytes(16).toString('hex')}`;
    this.responseCodes.set(code, { chatSeq, userid: userid.toLowerCase() });
    return code;
  }

  updateTemplateCard(body: Record<string, unknown>): T.UpdateTemplateCardResponse {
    if (String(body.agentid ?? '') !== this.options.agentId) throw new WecomFault(40056, 'invalid agentid');
    const code = this.responseCodes.get(String(body.response_code ?? ''));
    if (!code) throw new WecomFault(40058, 'invalid response_code');
    if (code.usedAt !== undefined) throw new WecomFault(40058, 'response_code already used');
    const userids = Array.isArray(body.userids) ? (body.userids as unknown[]).map((u) => String(u).toLowerCase()) : [];
    const item = this.chat.find((c) => c.seq === code.chatSeq);
    if (!item?.card) throw new WecomFault(40058, 'invalid response_code');
    const button = body.button as { replace_name?: unknown } | undefined;
    const card = body.template_card as T.TemplateCard | undefined;
    if (!button?.replace_name && !card) throw new WecomFault(40058, 'button.replace_name or template_card required');
    if (card && card.card_type !== item.card.card_type) throw new WecomFault(40058, 'template_card.card_type must stay the same');
    refuseOverLimit('message/update_template_card', body);
    if (card) validateCard(card);
    const invaliduser = userids.filter((u) => u !== code.userid);
    if (userids.length > 0 && invaliduser.length === userids.length) return { errcode: 0, errmsg: 'ok', invaliduser };
    code.usedAt = this.now();
    if (card) {
      item.card = structuredClone(card);
      // WeCom draws `replace_text` of an updated button_interaction card in place of its buttons.
      item.replacedButton = typeof card.replace_text === 'string' && card.replace_text ? card.replace_text : undefined;
      // Without it the card is drawn anew, its buttons clickable again (the 待办 card after a click).
      if (item.replacedButton === undefined) item.clickedKey = undefined;
    } else {
      item.replacedButton = String(button!.replace_name);
    }
    item.updatedAt = this.now();
    this.log(`卡片已更新${item.replacedButton ? `：按钮变为「${item.replacedButton}」` : ''}`);
    return { errcode: 0, errmsg: 'ok', invaliduser };
  }

  // ---- group chats ----

  appChatSend(body: Record<string, unknown>): void {
    const chatid = String(body.chatid ?? '');
    const team = this.teams.find((t) => t.appChatId === chatid);
    if (!chatid || !team) throw new WecomFault(86003, 'chat not exist');
    this.deliver({ kind: 'appchat', chatid }, 'out', this.validateMessage('appchat/send', body, ['text', 'markdown', 'textcard']));
  }

  robotSend(key: string | undefined, body: Record<string, unknown>): void {
    const team = this.teams.find((t) => t.robotKey === key);
    if (!key || !team) throw new WecomFault(93000, 'invalid webhook url (unknown key)');
    const recent = (this.robotSends.get(key) ?? []).filter((t) => this.now() - t < 60_000);
    if (recent.length >= ROBOT_PER_MINUTE) throw new WecomFault(45009, 'api freq out of limit (20 messages a minute per robot)');
    const content = this.validateMessage('webhook/send', body, ['text', 'markdown', 'template_card']);
    if (content.card && !['text_notice', 'news_notice'].includes(content.card.card_type))
      throw new WecomFault(40058, 'a group robot sends only text_notice and news_notice cards');
    this.robotSends.set(key, [...recent, this.now()]);
    this.deliver({ kind: 'robot', key }, 'out', content);
  }

  /**
   * A send WeCom refused, shown where the message would have arrived (the salesperson's chat, the
   * team group, the new customer's chat) with WeCom's errcode and errmsg: a real member would see
   * nothing at all, and the developer at the page needs to know why.
   */
  recordRefused(api: string, body: Record<string, unknown>, query: Record<string, string | undefined>, fault: WecomFault): void {
    const what = `${describeRefused(api, body)}被企业微信拒收：errcode ${fault.errcode}，${fault.errmsg}`;
    const rejected = { msgtype: 'rejected', text: what, errcode: fault.errcode, errmsg: fault.errmsg };
    const conversation = this.conversationOf(api, body, query);
    if (conversation) this.deliver(conversation, 'out', rejected);
    this.log(what);
  }

  private conversationOf(api: string, body: Record<string, unknown>, query: Record<string, string | undefined>): Conversation | undefined {
    switch (api) {
      case 'message/send': {
        const staff = String(body.touser ?? '')
          .split('|')
          .map((u) => this.findStaff(u))
          .find(Boolean);
        return staff ? { kind: 'app', userid: staff.userid } : undefined;
      }
      case 'appchat/send':
        return this.teams.some((t) => t.appChatId === body.chatid) ? { kind: 'appchat', chatid: String(body.chatid) } : undefined;
      case 'webhook/send':
        return this.teams.some((t) => t.robotKey === query.key) ? { kind: 'robot', key: String(query.key) } : undefined;
      case 'externalcontact/send_welcome_msg': {
        const code = this.welcomeCodes.get(String(body.welcome_code ?? ''));
        return code ? { kind: 'customer', externalUserid: code.externalUserid, userid: code.userid } : undefined;
      }
      case 'message/update_template_card': {
        const code = this.responseCodes.get(String(body.response_code ?? ''));
        return this.chat.find((c) => c.seq === code?.chatSeq)?.conversation;
      }
      default:
        return undefined;
    }
  }

  // ---- what the people in the sandbox do ----

  /** A salesperson's message to the app, shown in their chat before the product answers. */
  recordTyped(userid: string, text: string): ChatItem {
    return this.deliver({ kind: 'app', userid: this.member(userid).userid }, 'in', { msgtype: 'text', text });
  }

  /** Marks the clicked button and hands out the response code that comes with the click event. */
  click(
    seq: number,
    userid: string,
    key: string,
    selection: Record<string, string[]> = {},
  ): { item: ChatItem; responseCode: string; selected: Record<string, string[]> } {
    const item = this.chat.find((c) => c.seq === seq);
    if (!item?.card || item.conversation.kind !== 'app') throw new WecomFault(40058, `no card #${seq}`);
    if (item.conversation.userid.toLowerCase() !== userid.toLowerCase()) throw new WecomFault(40058, `card #${seq} belongs to ${item.conversation.userid}`);
    if (item.replacedButton !== undefined) throw new WecomFault(40058, 'this card has already been handled');
    const buttons = (item.card.button_list as Array<{ key?: string; type?: number }> | undefined) ?? [];
    if (!buttons.some((b) => b.key === key && (b.type ?? 0) === 0)) throw new WecomFault(40058, `card #${seq} has no button with key ${key}`);
    item.clickedKey = key;
    this.touch();
    return { item, responseCode: this.issueResponseCode(seq, item.conversation.userid), selected: this.selectionOf(item.card, selection) };
  }

  unclick(seq: number): void {
    const item = this.chat.find((c) => c.seq === seq);
    if (item) item.clickedKey = undefined;
    this.touch();
  }

  /** What WeCom sends as SelectedItems: the option picked on the page, else the card's preselected one. */
  private selectionOf(card: T.TemplateCard, picked: Record<string, string[]>): Record<string, string[]> {
    const question = card.button_selection as { question_key?: string; selected_id?: string; option_list?: Array<{ id: string }> } | undefined;
    if (!question?.question_key) return {};
    const chosen = picked[question.question_key]?.filter((id) => question.option_list?.some((o) => o.id === id)) ?? [];
    const fallback = question.selected_id ?? question.option_list?.[0]?.id;
    return { [question.question_key]: chosen.length > 0 ? chosen : fallback ? [fallback] : [] };
  }

  log(text: string): void {
    this.activity.push({ seq: ++this.seq, at: this.now(), text });
    if (this.activity.length > KEEP_CHAT_ITEMS) this.activity.splice(0, this.activity.length - KEEP_CHAT_ITEMS);
    this.changed();
  }

  touch(): void {
    this.seq += 1;
    this.changed();
  }

  // ---- internals ----

  private deliver(conversation: Conversation, direction: ChatItem['direction'], content: { msgtype: string; text?: string; card?: T.TemplateCard }): ChatItem {
    const item: ChatItem = { seq: ++this.seq, at: this.now(), conversation, direction, ...structuredClone(content) };
    this.chat.push(item);
    if (this.chat.length > KEEP_CHAT_ITEMS) this.chat.splice(0, this.chat.length - KEEP_CHAT_ITEMS);
    this.changed();
    return item;
  }

  /** The message part of a send: a known msgtype, within WeCom's size limits; a card with what WeCom requires. */
  private validateMessage(api: string, body: Record<string, unknown>, allowed: string[]): { msgtype: string; text?: string; card?: T.TemplateCard } {
    const msgtype = String(body.msgtype ?? '');
    if (!allowed.includes(msgtype)) throw new WecomFault(40008, `invalid message type: ${msgtype || '(none)'}`);
    refuseOverLimit(api, body);
    if (msgtype === 'template_card') return { msgtype, card: validateCard(body.template_card) };
    if (msgtype === 'textcard') {
      const card = body.textcard as { title?: string; description?: string } | undefined;
      if (!card?.title || !card.description) throw new WecomFault(40058, 'textcard.title and textcard.description required');
      return { msgtype: 'text', text: `${card.title}\n${card.description}` };
    }
    const content = String((body[msgtype] as { content?: unknown } | undefined)?.content ?? '');
    if (!content) throw new WecomFault(41015, `${msgtype}.content missing`);
    return { msgtype, text: content };
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

/** WeCom's size limits (45002 content size out of limit; 40058 for lists and keys), as a real tenant answers. */
function refuseOverLimit(api: string, body: Record<string, unknown>): void {
  const fault = checkWecomLimits(api, body);
  if (fault) throw new WecomFault(fault.errcode, fault.errmsg);
}

/** Cursors are opaque to callers (WeCom's are long random strings): a position, not a number anyone should build. */
function encodeCursor(position: number): string {
  return Buffer.from(`u:${position}`).toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  const match = /^u:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? Number(match[1]) : undefined;
}

/** What WeCom requires of a template card before it delivers it (PROTOCOL.md §5.6). */
function validateCard(raw: unknown): T.TemplateCard {
  const card = raw as T.TemplateCard | undefined;
  if (!card || typeof card !== 'object') throw new WecomFault(40058, 'template_card missing');
  const mainTitle = card.main_title as { title?: string } | undefined;
  switch (card.card_type) {
    case 'text_notice':
      if (!card.card_action) throw new WecomFault(40058, 'template_card.card_action required for text_notice');
      if (!mainTitle?.title && !card.sub_title_text) throw new WecomFault(40058, 'template_card.main_title.title or sub_title_text required');
      break;
    case 'news_notice':
      if (!card.image_text_area && !card.card_image) throw new WecomFault(40058, 'image_text_area or card_image required for news_notice');
      break;
    case 'button_interaction': {
      if (!card.task_id) throw new WecomFault(40058, 'template_card.task_id required for button_interaction');
      const buttons = (card.button_list as Array<{ key?: string; type?: number; text?: string }> | undefined) ?? [];
      if (buttons.length === 0 || buttons.length > 6) throw new WecomFault(40058, 'button_list must have 1 to 6 buttons');
      const keys = buttons.filter((b) => (b.type ?? 0) === 0).map((b) => b.key);
      if (keys.some((k) => !k) || new Set(keys).size !== keys.length) throw new WecomFault(40058, 'every callback button needs a unique key');
      break;
    }
    case 'vote_interaction':
    case 'multiple_interaction':
      if (!card.task_id) throw new WecomFault(40058, 'template_card.task_id required');
      break;
    default:
      throw new WecomFault(40058, `invalid template_card.card_type: ${String(card.card_type)}`);
  }
  if (card.task_id !== undefined && !/^[0-9A-Za-z_\-@]{1,128}$/.test(String(card.task_id))) throw new WecomFault(40058, 'invalid task_id');
  return card;
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
