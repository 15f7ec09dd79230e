import type * as T from '../../../platform/wecom/api/wecom-api.types';
import { type SandboxStaff, type SandboxTeam, SEED_STAFF, SEED_TAG_GROUPS, SEED_TEAM } from './fake-wecom.seed';
import { FakeWecomFaults } from './fake-wecom.faults';
import { WecomFault } from './wecom-fault';

/**
 * The one state of the fake WeCom: the company (members, teams with their robots and app chats),
 * customers and their follow users, corp tags, customer groups, what WeCom handed out (tokens,
 * welcome codes, response codes), the budgets it keeps (robot messages a minute, duplicate checks),
 * and what it delivered and was asked. Each WeCom area (auth.area.ts, directory.area.ts, …) reads
 * and changes it; the sandbox's HTTP routes and the tests' nock adapter answer through the same
 * areas (fake-wecom.api.ts).
 */

export interface SandboxCustomer {
  external_contact: T.ExternalContact;
  follow_user: T.FollowUser[];
}

/** A member as the directory holds them: user/get shows a self-built app a name, departments and a status (no phone, no avatar). */
export interface FakeMember extends Partial<Omit<SandboxStaff, 'userid' | 'name'>> {
  userid: string;
  name: string;
  /** departments; [1] when not given */
  department?: number[];
  /** 1 active, 2 disabled, 4 not yet activated; 1 when not given */
  status?: number;
}

/** Where a delivered message shows up on the sandbox page. */
export type Conversation =
  | { kind: 'app'; userid: string }
  | { kind: 'robot'; key: string }
  | { kind: 'appchat'; chatid: string }
  /** a chat of the smart bot (智能机器人): a team group's chatid, or a member's userid */
  | { kind: 'bot'; chatid: string }
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
  /** msgtype `image`: the picture, as a data URL the page draws */
  image?: string;
}

/** temporary media uploaded with media/upload (media.area.ts) */
export interface FakeMedia {
  type: string;
  filename: string;
  /** what the sandbox page draws: `data:image/png;base64,…` */
  dataUrl: string;
  uploadedAt: number;
}

export interface ActivityItem {
  seq: number;
  at: number;
  text: string;
}

export interface WelcomeCode {
  externalUserid: string;
  userid: string;
  issuedAt: number;
  usedAt?: number;
}

/** One customer's handover as WeCom keeps it: started by a transfer call, settled after 24 hours (or refused). */
export interface FakeTransfer {
  /** onjob: 在职继承 (transfer_customer); resigned: 离职继承 */
  kind: 'onjob' | 'resigned';
  handover: string;
  takeover: string;
  externalUserid: string;
  startedAt: number;
  /** when WeCom hands the customer over unless they refuse (startedAt + 24 h) */
  dueAt: number;
  /** 1 taken over, 2 waiting, 3 refused by the customer, 4 the takeover member at their customer limit */
  status: 1 | 2 | 3 | 4;
  settledAt?: number;
  message?: string;
}

/** A member who left the company: gone from the directory (user/get answers 60111), their customers unassigned until handed over. */
export interface FakeLeaver {
  userid: string;
  name: string;
  /** seconds, as get_unassigned_list gives it */
  dimissionTime: number;
}

/** A callback WeCom sends when a handover settles, waiting for the carrier (the simulator, a test) to deliver it. */
export interface TransferEvent {
  changeType: 'del_external_contact' | 'add_external_contact' | 'transfer_fail';
  userId: string;
  externalUserId: string;
  source?: 'DELETE_BY_TRANSFER';
  failReason?: 'customer_refused' | 'customer_limit_exceed';
}

export interface ResponseCode {
  chatSeq: number;
  userid: string;
  usedAt?: number;
}

/** One call as the fake saw it: the API, its JSON body (or query, for a GET, without the token), and WeCom's refusal if any. */
export interface WecomCall {
  api: string;
  body: Record<string, unknown>;
  /** set when the fake refused the call as WeCom would (e.g. 45002: content over WeCom's byte limit) */
  errcode?: number;
  errmsg?: string;
}

/**
 * Identifiers the fake takes as real without having been told of them. A test describes only the
 * part of the company it looks at, and forges the callbacks that carry WeCom's codes; the sandbox
 * trusts nothing (everything must exist, as in WeCom).
 * - members: a userid the product writes to or about (message/send, mark_tag) is a member; the
 *   directory itself (user/get, user/list_id) still answers only for the members it holds
 * - codes: welcome codes and response codes the fake did not hand out are fresh, unused ones
 * - tags: a corp tag id the fake does not hold can be marked
 * - chats: a robot key or app chat id the fake does not hold delivers
 * - tokens: an access token the fake did not issue is one it issued before (a test replaces the fake,
 *   the product under test keeps the token it holds); expiry still counts for the ones it issued
 * - customers: a customer the product tags (mark_tag) is one the member follows; reads
 *   (externalcontact/get, batch/get_by_user) still answer only for the customers it holds
 */
export type Trusted = 'members' | 'codes' | 'tags' | 'chats' | 'tokens' | 'customers';

/** Everything that survives a restart of the sandbox (see fake-wecom.store.ts). */
export interface WorldSnapshot {
  staff: FakeMember[];
  teams: SandboxTeam[];
  customers: SandboxCustomer[];
  tagGroups: T.CorpTagGroup[];
  groupChats: Array<T.GroupChatGetResponse['group_chat']>;
  /** absent in snapshots written before handovers existed */
  transfers?: FakeTransfer[];
  leavers?: FakeLeaver[];
  chat: ChatItem[];
  activity: ActivityItem[];
  seq: number;
}

export interface WorldOptions {
  corpId: string;
  corpSecret: string;
  agentId: string;
  now?: () => number;
  /** the members on a first start; the seed company's when not given */
  staff?: FakeMember[];
  /** the teams of the teams file (their robots and app chats); the seed team when not given */
  teams?: SandboxTeam[];
  /** the corp tags on a first start; the seed tags when not given */
  tagGroups?: T.CorpTagGroup[];
  snapshot?: WorldSnapshot;
  trust?: Trusted[];
  /** keep every call in `calls` (tests assert on it); off for the long-running sandbox, which would only grow it */
  logCalls?: boolean;
}

const KEEP_CHAT_ITEMS = 2000;

/** The paging APIs whose page size a test may shrink. */
export type PagedApi =
  | 'user/list_id'
  | 'externalcontact/batch/get_by_user'
  | 'externalcontact/transfer_result'
  | 'externalcontact/resigned/transfer_result'
  | 'externalcontact/get_unassigned_list';

export class FakeWecomState {
  staff: FakeMember[];
  teams: SandboxTeam[];
  customers = new Map<string, SandboxCustomer>();
  tagGroups: T.CorpTagGroup[];
  groupChats = new Map<string, T.GroupChatGetResponse['group_chat']>();
  /** every handover ever started, oldest first (the 90-day count reads them) */
  transfers: FakeTransfer[] = [];
  /** members who left, by lower-case userid */
  leavers = new Map<string, FakeLeaver>();
  /** the most customers a member may hold (WeCom's per-member limit), by lower-case userid; unlimited when not set */
  readonly customerLimits = new Map<string, number>();
  /** settled handovers' callbacks not yet delivered (drainTransferEvents) */
  readonly transferEvents: TransferEvent[] = [];
  /** members with customer-contact rights (get_follow_user_list); every member when not set */
  followUsers: string[] | undefined;
  /** WeCom may answer fewer rows than asked for (the client must follow next_cursor): the most rows a page holds, by API */
  readonly pageSizes: Partial<Record<PagedApi, number>> = {};
  chat: ChatItem[] = [];
  activity: ActivityItem[] = [];
  /** grows with every change: the page polls it to know when to redraw */
  seq = 0;
  /** every call but gettoken, in order, with WeCom's refusal when there was one: what tests assert on (with `logCalls`) */
  readonly calls: WecomCall[] = [];
  /** failure injection: a sick, slow or hanging WeCom, or a given answer for an API */
  readonly faults = new FakeWecomFaults();
  readonly trusted: ReadonlySet<Trusted>;
  readonly tokens = new Map<string, number>();
  readonly welcomeCodes = new Map<string, WelcomeCode>();
  readonly responseCodes = new Map<string, ResponseCode>();
  /** when each robot key sent, for WeCom's 20 messages a minute */
  readonly robotSends = new Map<string, number[]>();
  /** temporary media uploaded (media/upload), by media_id: kept in memory, as WeCom keeps it for 3 days only */
  readonly media = new Map<string, FakeMedia>();
  /** fingerprints of recent app messages, for enable_duplicate_check */
  readonly recentSends = new Map<string, number>();
  readonly now: () => number;
  private readonly listeners = new Set<() => void>();

  constructor(readonly options: WorldOptions) {
    this.now = options.now ?? Date.now;
    this.trusted = new Set(options.trust ?? []);
    const s = options.snapshot;
    this.teams = structuredClone(options.teams ?? [SEED_TEAM]);
    this.staff = structuredClone(s?.staff ?? options.staff ?? SEED_STAFF);
    // Everyone the teams file names works here too, so that the product's messages to them arrive.
    for (const userid of this.teams.flatMap((t) => [t.lead, ...t.members]).filter(Boolean)) {
      if (!this.findStaff(userid)) this.staff.push({ userid, name: userid, position: '销售' });
    }
    this.tagGroups = structuredClone(s?.tagGroups ?? options.tagGroups ?? SEED_TAG_GROUPS);
    for (const c of s?.customers ?? []) this.customers.set(c.external_contact.external_userid, c);
    for (const g of s?.groupChats ?? []) this.groupChats.set(g.chat_id, g);
    this.transfers = s?.transfers ?? [];
    for (const l of s?.leavers ?? []) this.leavers.set(l.userid.toLowerCase(), l);
    this.chat = s?.chat ?? [];
    this.activity = s?.activity ?? [];
    this.seq = s?.seq ?? 0;
  }

  get agentId(): string {
    return this.options.agentId;
  }

  trusts(what: Trusted): boolean {
    return this.trusted.has(what);
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
      transfers: this.transfers,
      leavers: [...this.leavers.values()],
      chat: this.chat,
      activity: this.activity,
      seq: this.seq,
    };
  }

  findStaff(userid: string): FakeMember | undefined {
    return this.staff.find((s) => s.userid.toLowerCase() === userid.toLowerCase());
  }

  member(userid: string): FakeMember {
    const found = this.findStaff(userid);
    if (!found) throw new WecomFault(60111, `userid not found: ${userid}`);
    return found;
  }

  /** A userid the product writes to: a member of the directory, or any userid when the fake trusts members. */
  isMember(userid: string): boolean {
    return this.findStaff(userid) !== undefined || (this.trusts('members') && userid !== '');
  }

  teamOf(userid: string): SandboxTeam | undefined {
    const id = userid.toLowerCase();
    return this.teams.find((t) => t.lead === id || t.members.includes(id));
  }

  /** The settled handovers' callbacks, in the order WeCom would send them; each is handed out once. */
  drainTransferEvents(): TransferEvent[] {
    return this.transferEvents.splice(0);
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

  deliver(
    conversation: Conversation,
    direction: ChatItem['direction'],
    content: { msgtype: string; text?: string; card?: T.TemplateCard; image?: string },
  ): ChatItem {
    const item: ChatItem = { seq: ++this.seq, at: this.now(), conversation, direction, ...structuredClone(content) };
    this.chat.push(item);
    if (this.chat.length > KEEP_CHAT_ITEMS) this.chat.splice(0, this.chat.length - KEEP_CHAT_ITEMS);
    this.changed();
    return item;
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
