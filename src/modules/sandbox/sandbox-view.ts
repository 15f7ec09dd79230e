import { In, type DataSource } from 'typeorm';
import { Customer, CustomerRelation, CustomerTag, Reminder, Tag } from '../../../entities';
import type { ChannelRules } from '../capture';
import { type QuietHours, quietHoursEnd } from '../../platform/outbound/quiet-hours';
import { STAGE_NAMES } from '../../../templates/labels';
import type { ChatItem } from './fake-wecom/fake-wecom.state';
import type { FakeWecomWorld } from './fake-wecom/fake-wecom.world';

/** The view's chat items are the fake's, as the page and the simulate CLI draw them. */
export type { ChatItem };

/**
 * What the sandbox page shows for one salesperson: their chat with the app, their team's group
 * chat, the customers (from the product's own database: stage and tags are the CRM's, not WeCom's),
 * the corp tags and the channel states to try, and the fake WeCom's activity log.
 */
export interface SandboxView {
  seq: number;
  user: string;
  /** CRM_TIMEZONE: the page shows times as the cards do */
  timezone: string;
  /** in quiet hours (CRM_QUIET_HOURS) now: when the product's own pushes (SOP steps, digests, alerts) go out; else null */
  quietUntil: string | null;
  staff: Array<{ userid: string; name: string; position: string; team: string | null }>;
  channels: Array<{ state: string; label: string }>;
  corpTags: Array<{ group: string; name: string }>;
  chat: ChatItem[];
  /** `bot`: the sandbox plays the smart bot, and the group takes @客户助手 messages */
  group: { name: string; items: ChatItem[]; bot: boolean } | null;
  customers: CustomerRow[];
  activity: Array<{ at: number; text: string }>;
  pendingReminders: number;
}

export interface CustomerRow {
  id: number;
  externalUserid: string | null;
  name: string;
  stage: string;
  tags: string[];
  owners: Array<{ userid: string; name: string; status: string; state: string | null }>;
  welcome: string | null;
  /** does the selected salesperson follow this customer now? */
  mine: boolean;
}

export interface ViewDeps {
  world: FakeWecomWorld;
  dataSource: DataSource;
  rules: ChannelRules;
  timezone: string;
  quietHours: QuietHours | undefined;
  /** the sandbox plays the smart bot */
  bot?: boolean;
}

export async function buildView(deps: ViewDeps, user: string): Promise<SandboxView> {
  const { world } = deps;
  const userid = (world.findStaff(user) ?? world.staff[0]!).userid;
  const team = world.teamOf(userid);
  const inApp = (c: ChatItem) => c.conversation.kind === 'app' && c.conversation.userid.toLowerCase() === userid.toLowerCase();
  const inGroup = (c: ChatItem) =>
    (c.conversation.kind === 'robot' && c.conversation.key === team?.robotKey) ||
    (c.conversation.kind === 'appchat' && c.conversation.chatid === team?.appChatId) ||
    (c.conversation.kind === 'bot' && c.conversation.chatid === team?.botChatId);
  return {
    seq: world.seq,
    user: userid,
    timezone: deps.timezone,
    quietUntil: quietHoursEnd(new Date(), deps.quietHours, deps.timezone)?.toISOString() ?? null,
    staff: world.staff.map((s) => ({ ...s, position: s.position ?? '', team: world.teamOf(s.userid)?.name ?? null })),
    channels: channelExamples(deps.rules),
    corpTags: world.tagGroups.flatMap((g) => g.tag.map((t) => ({ group: g.group_name, name: t.name }))),
    chat: world.chat.filter(inApp).slice(-100).map(linkImage),
    group: team ? { name: team.name, items: world.chat.filter(inGroup).slice(-100).map(linkImage), bot: deps.bot === true } : null,
    customers: await customerRows(deps.dataSource, world, userid),
    activity: world.activity.slice(-30).reverse(),
    pendingReminders: await deps.dataSource.getRepository(Reminder).countBy({ staffUserid: userid.toLowerCase(), status: 'pending' }),
  };
}

/** A picture goes to the page as its URL (GET /sandbox/api/images/<seq>), not as the data itself: the view is polled. */
function linkImage(item: ChatItem): ChatItem {
  return item.image ? { ...item, image: `/sandbox/api/images/${item.seq}` } : item;
}

/** One state per channel rule to try (a prefix rule gets an example), plus "no channel". */
function channelExamples(rules: ChannelRules): SandboxView['channels'] {
  const examples = rules.file.rules.map((rule) => {
    const state = 'exact' in rule.match ? rule.match.exact : `${rule.match.prefix}demo`;
    return { state, label: `${state}（${rule.label ?? rule.name}）` };
  });
  return [...examples, { state: '', label: '无渠道（直接添加）' }];
}

async function customerRows(dataSource: DataSource, world: FakeWecomWorld, userid: string): Promise<CustomerRow[]> {
  const customers = await dataSource.getRepository(Customer).find({ order: { id: 'DESC' }, take: 100 });
  if (customers.length === 0) return [];
  const ids = customers.map((c) => c.id);
  const [relations, links] = await Promise.all([
    dataSource.getRepository(CustomerRelation).findBy({ customerId: In(ids) }),
    dataSource.getRepository(CustomerTag).findBy({ customerId: In(ids) }),
  ]);
  const tags = links.length ? await dataSource.getRepository(Tag).findBy({ id: In([...new Set(links.map((l) => l.tagId))]) }) : [];
  const welcomes = new Map<string, string>();
  for (const item of world.chat) if (item.conversation.kind === 'customer' && item.text) welcomes.set(item.conversation.externalUserid, item.text);
  return customers.map((c) => {
    const mine = relations.filter((r) => r.customerId === c.id);
    return {
      id: c.id,
      externalUserid: c.externalUserid,
      name: c.name,
      stage: STAGE_NAMES[c.stage] ?? c.stage,
      tags: links
        .filter((l) => l.customerId === c.id)
        .map((l) => tags.find((t) => t.id === l.tagId))
        .filter((t): t is Tag => !!t && !t.deleted)
        .map((t) => t.name),
      owners: mine.map((r) => ({ userid: r.staffUserid, name: world.findStaff(r.staffUserid)?.name ?? r.staffUserid, status: r.status, state: r.state })),
      welcome: c.externalUserid ? (welcomes.get(c.externalUserid) ?? null) : null,
      mine: mine.some((r) => r.staffUserid === userid.toLowerCase() && r.status === 'active'),
    };
  });
}
