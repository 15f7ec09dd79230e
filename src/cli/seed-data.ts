import type { CustomerStage, OpportunityStatus, RelationStatus, ReminderStatus } from '../../entities';

/**
 * A deterministic CRM data set: the same options give the same rows, byte for byte. Used by
 * `npm run seed`, the digest correctness test (which recounts every figure from these rows) and the
 * digest benchmark. Customers are generated one at a time so 100,000 of them never sit in memory.
 */
export interface SeedOptions {
  customers: number;
  staff: number;
  teams: number;
  /** days of history before `end` (customers are added over twice that, so some are old and silent) */
  days: number;
  seed: number;
  /** the instant the history ends (exclusive): normally the end of a day in CRM_TIMEZONE */
  end: Date;
  /** opportunities over all customers, spread evenly (default: 0.6 per customer) */
  opportunities?: number;
}

/** An opportunity as recorded: open, or closed (won / lost) before the history ends; close dates run months ahead. */
export interface SeedOpportunity {
  staffUserid: string;
  /** null for a customer's first, 二期 … for the others */
  name: string | null;
  amount: number;
  probability: number | null;
  expectedCloseAt: Date | null;
  status: OpportunityStatus;
  closedAt: Date | null;
  createdAt: Date;
}

export interface SeedTeam {
  name: string;
  leadUserid: string;
  robotWebhookUrl: string;
}

export interface SeedStaff {
  userid: string;
  name: string;
  /** index into teams */
  team: number;
}

export interface SeedRelation {
  staffUserid: string;
  state: string | null;
  addedAt: Date;
  status: RelationStatus;
  endedAt: Date | null;
}

export interface SeedCustomer {
  /** 1-based position: the row id is offset + index */
  index: number;
  name: string;
  externalUserid: string;
  stage: CustomerStage;
  stageChangedAt: Date | null;
  lastContactAt: Date | null;
  createdAt: Date;
  relations: SeedRelation[];
  followUps: Array<{ staffUserid: string; content: string; createdAt: Date }>;
  stageChanges: Array<{ fromStage: CustomerStage | null; toStage: CustomerStage; staffUserid: string | null; createdAt: Date }>;
  reminders: Array<{ staffUserid: string; content: string; dueAt: Date; status: ReminderStatus; doneAt: Date | null; createdAt: Date }>;
  opportunities: SeedOpportunity[];
}

export const SEED_CHANNELS = ['douyin-live', 'wechat-ad', 'offline-expo', 'referral'] as const;

const FUNNEL: CustomerStage[] = ['lead', 'prospect', 'opportunity', 'won'];
const SURNAMES = '张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂';
const NOTES = ['电话沟通了报价', '发了案例', '约了演示', '演示很顺利', '客户在比价', '寄了样品', '微信聊了需求', '上门拜访'];
const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** mulberry32: a tiny, well-distributed PRNG; Math.random cannot be seeded. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedTeams(options: SeedOptions): { teams: SeedTeam[]; staff: SeedStaff[] } {
  const pad = (n: number) => String(n).padStart(3, '0');
  const staff = Array.from({ length: options.staff }, (_, i) => ({
    userid: `sales${pad(i + 1)}`,
    name: `销售${pad(i + 1)}`,
    team: i % Math.max(1, options.teams),
  }));
  const teams = Array.from({ length: options.teams }, (_, t) => ({
    name: `销售${t + 1}组`,
    leadUserid: staff.find((s) => s.team === t)?.userid ?? staff[0]!.userid,
    robotWebhookUrl: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=seed-team-${t + 1}`,
  }));
  return { teams, staff };
}

/** Opportunities per customer on average when `--opportunities` is not given. */
export const OPPORTUNITIES_PER_CUSTOMER = 0.6;
const PROBABILITIES = [10, 20, 30, 40, 50, 60, 70, 80, 90];
const ORDINALS = '一二三四五六七八九';

/** The customers, one at a time, each with their relations, follow-ups, stage moves, reminders and opportunities. */
export function* seedCustomers(options: SeedOptions, staff: SeedStaff[]): Generator<SeedCustomer> {
  const random = prng(options.seed);
  // Opportunities draw from a stream of their own: adding them left every other row as it was.
  const money = prng((options.seed ^ 0x9e3779b9) >>> 0);
  const totalOpportunities = options.opportunities ?? Math.round(options.customers * OPPORTUNITIES_PER_CUSTOMER);
  const moneyBetween = (from: number, to: number) => from + money() * Math.max(0, to - from);
  const end = options.end.getTime();
  // Whole seconds: the database keeps microseconds, but the tests compare instants exactly.
  const second = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);
  const between = (from: number, to: number) => from + random() * Math.max(0, to - from);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;

  for (let index = 1; index <= options.customers; index++) {
    const owner = pick(staff);
    const added = between(end - 2 * options.days * DAY, end);
    const state = random() < 0.2 ? null : pick(SEED_CHANNELS);
    const relations: SeedRelation[] = [relation(owner.userid, state, added)];
    if (staff.length > 1 && random() < 0.1) {
      const other = pick(staff.filter((s) => s !== owner));
      relations.push(relation(other.userid, state, between(added, end)));
    }

    const followUps: SeedCustomer['followUps'] = [];
    const followUpCount = Math.floor(random() * random() * 8);
    for (let i = 0; i < followUpCount; i++) {
      const by = random() < 0.85 ? relations[0]! : pick(relations);
      followUps.push({ staffUserid: by.staffUserid, content: pick(NOTES), createdAt: second(between(by.addedAt.getTime(), end)) });
    }
    followUps.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());

    // Stage path: how far along the funnel, then sometimes lost; each move later than the previous.
    const r = random();
    const reached = r < 0.4 ? 0 : r < 0.65 ? 1 : r < 0.83 ? 2 : 3;
    const lost = random() < 0.12;
    const stageChanges: SeedCustomer['stageChanges'] = [];
    let at = added;
    let stage: CustomerStage = 'lead';
    const move = (to: CustomerStage) => {
      at = between(at, Math.min(end, at + 10 * DAY));
      stageChanges.push({ fromStage: stage, toStage: to, staffUserid: random() < 0.9 ? owner.userid : null, createdAt: second(at) });
      stage = to;
    };
    for (let s = 1; s <= reached; s++) move(FUNNEL[s]!);
    if (lost && (stage as CustomerStage) !== 'won') move('lost');

    const reminders: SeedCustomer['reminders'] = [];
    const reminderCount = Math.floor(random() * 3);
    for (let i = 0; i < reminderCount; i++) {
      const created = between(added, end);
      const due = between(created, end + 3 * DAY);
      const doneAt = due < end && random() < 0.6 ? between(due, Math.min(end, due + 2 * DAY)) : null;
      const status: ReminderStatus = doneAt !== null ? 'done' : random() < 0.1 ? 'cancelled' : due < end ? 'sent' : 'pending';
      reminders.push({
        staffUserid: owner.userid,
        content: `回访 ${index}-${i}`,
        dueAt: second(due),
        status,
        doneAt: doneAt === null ? null : second(doneAt),
        createdAt: second(created),
      });
    }

    // exactly totalOpportunities over all customers: customer i gets ⌊i·N/C⌋ − ⌊(i−1)·N/C⌋
    const opportunityCount = Math.floor((index * totalOpportunities) / options.customers) - Math.floor(((index - 1) * totalOpportunities) / options.customers);
    const reachedStage = stage as CustomerStage; // moved by move(), which TypeScript does not follow
    const movedTo = (to: CustomerStage) => stageChanges.find((m) => m.toStage === to)?.createdAt ?? null;
    const opportunities: SeedOpportunity[] = [];
    for (let k = 0; k < opportunityCount; k++) {
      // A won customer's first opportunity was won at the move to 成交, a lost customer's were lost at the
      // move to 流失; others are open, or (a won customer's further ones) sometimes won or lost since.
      const r = money();
      let status: OpportunityStatus = 'open';
      let closedAt: Date | null = null;
      if (reachedStage === 'won' && k === 0) [status, closedAt] = ['won', movedTo('won')];
      else if (reachedStage === 'lost') [status, closedAt] = ['lost', movedTo('lost')];
      else if (r < 0.25 && (reachedStage === 'won' || k > 0))
        [status, closedAt] = [reachedStage === 'won' && r < 0.15 ? 'won' : 'lost', second(moneyBetween(added, end))];
      const createdAt = second(moneyBetween(added, closedAt ? closedAt.getTime() : end));
      const probability = money() < 0.15 ? null : PROBABILITIES[Math.floor(money() * PROBABILITIES.length)]!;
      const close = money() < 0.05 ? null : second(moneyBetween(createdAt.getTime() + 5 * DAY, createdAt.getTime() + 150 * DAY));
      opportunities.push({
        staffUserid: owner.userid,
        name: k === 0 ? null : `${ORDINALS[k % ORDINALS.length]}期`,
        amount: Math.round(moneyBetween(50, 5000)) * 100,
        probability,
        expectedCloseAt: close,
        status,
        closedAt,
        createdAt,
      });
    }

    yield {
      index,
      name: `${pick([...SURNAMES])}${pick([...GIVEN])}${index}`,
      externalUserid: `wmSeed${options.seed}x${index}`,
      stage,
      stageChangedAt: stageChanges.length ? stageChanges[stageChanges.length - 1]!.createdAt : null,
      lastContactAt: followUps.length ? followUps[followUps.length - 1]!.createdAt : null,
      createdAt: second(added),
      relations,
      followUps,
      stageChanges,
      reminders,
      opportunities,
    };
  }

  function relation(staffUserid: string, state: string | null, addedMs: number): SeedRelation {
    const addedAt = second(addedMs);
    const ending = random();
    const status: RelationStatus = ending < 0.05 ? 'lost' : ending < 0.07 ? 'removed' : 'active';
    return { staffUserid, state, addedAt, status, endedAt: status === 'active' ? null : second(between(addedMs, end)) };
  }
}
