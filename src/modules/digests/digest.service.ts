import { In, type DataSource } from 'typeorm';
import { Staff, Team } from '../../../entities';
import { personalDigestMarkdown, teamDigestMarkdown, type PersonLine } from '../../../templates/cards/digest.cards';
import dayjs from '../../platform/dayjs';
import { DigestQueries, isEmptyDay, NO_FIGURES, type Scope, type StaffFigures, type TeamFigures } from './digest-queries.service';
import { NO_CHANNEL_LABEL } from '../../../templates/labels';
import type { ChannelNames } from '../customers/channel-names.port';
import { dayWindow, PERIOD_NAMES, periodWindow, weekWindow, type DigestWindow, type ReportPeriod } from './digest-window';

export interface DigestOptions {
  timezone: string;
  /** a customer is silent after this many days without a follow-up */
  silentDays: number;
  /** channel states as people read them in the channel section */
  channels?: ChannelNames;
}

export interface PersonalDigest {
  /** lower-cased userid */
  userid: string;
  /** the userid as WeCom spells it, to send to */
  touser: string;
  content: string;
}

/** Where a team's digest goes and how large it may be. */
export interface TeamTarget {
  team: Team;
  maxBytes: number;
}

export type ReportAnswer = { kind: 'report'; content: string } | { kind: 'refused'; reason: string };

/** Days the team digest's channel section looks back over (customers added in that time). */
const CHANNEL_DAYS = 30;

const WEEKDAY = '日一二三四五六';

/**
 * Builds every digest and report from DigestQueries' aggregates: the salesperson's day, the team's day
 * and week (compared with the week before), and 报表 for a lead's team or, for an admin, everyone.
 * Returns text; sending is the caller's (the digest jobs, or a command's reply).
 */
export class DigestService {
  readonly queries: DigestQueries;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: DigestOptions,
  ) {
    this.queries = new DigestQueries(dataSource);
  }

  private readonly channelName = (state: string) => this.options.channels?.label(state) ?? (state || NO_CHANNEL_LABEL);

  /** 今日 on demand: always an answer, even on a quiet day. */
  async personal(userid: string, at: Date): Promise<string> {
    const w = this.day(at);
    const figures = (await this.queries.perStaff(w, [userid])).get(userid) ?? NO_FIGURES;
    return personalDigestMarkdown({
      title: `今日简报 · ${this.dayLabel(w.start)}`,
      figures,
      silentDays: this.options.silentDays,
      longestSilent: await this.longestSilent(userid, figures, w),
    });
  }

  /** The scheduled push: one per active salesperson who had something happen or due; nobody gets an empty one. */
  async personalForEveryone(at: Date): Promise<{ label: string; digests: PersonalDigest[] }> {
    const w = this.day(at);
    const figures = await this.queries.perStaff(w);
    const busy = [...figures].filter(([, f]) => !isEmptyDay(f));
    const staff = await this.staffByUserid(busy.map(([u]) => u));
    const title = `今日简报 · ${this.dayLabel(w.start)}`;
    // Someone who left (inactive) gets nothing; someone never synced into `staff` is still told.
    const recipients = busy.filter(([userid]) => staff.get(userid)?.active !== false);
    const digests: PersonalDigest[] = [];
    for (let i = 0; i < recipients.length; i += 10) {
      const chunk = recipients.slice(i, i + 10);
      const samples = await Promise.all(chunk.map(([userid, f]) => this.longestSilent(userid, f, w)));
      chunk.forEach(([userid, f], k) => {
        digests.push({
          userid,
          touser: staff.get(userid)?.wecomUserid ?? userid,
          content: personalDigestMarkdown({ title, figures: f, silentDays: this.options.silentDays, longestSilent: samples[k] }),
        });
      });
    }
    return { label: w.label, digests };
  }

  /** Teams with somewhere to post (a group robot or an app group chat). */
  async teamsWithGroup(): Promise<Team[]> {
    const teams = await this.dataSource.getRepository(Team).find({ order: { id: 'ASC' } });
    return teams.filter((t) => t.robotWebhookUrl || t.appChatId);
  }

  /** The team's day, or null when nothing happened in it. */
  async teamDaily(team: Team, at: Date, maxBytes: number): Promise<{ label: string; content: string | null }> {
    const w = this.day(at);
    const members = await this.members(team.id);
    const people = await this.people(w, members);
    const channelsSince = dayjs(w.dayStart)
      .subtract(CHANNEL_DAYS - 1, 'day')
      .toDate();
    const figures = await this.queries.team(
      w,
      members.map((m) => m.userid),
      channelsSince,
    );
    if (people.every((p) => isEmptyDay(p.figures)) && quietTeam(figures)) return { label: w.label, content: null };
    const content = teamDigestMarkdown({
      title: `${team.name} · 团队日报 ${this.dayLabel(w.start)}`,
      people,
      team: figures,
      channelsLabel: `近${CHANNEL_DAYS}天新客户`,
      channelName: this.channelName,
      maxBytes,
    });
    return { label: w.label, content };
  }

  /** Last week (Monday to Sunday) against the week before; null when both were empty. */
  async teamWeekly(team: Team, at: Date, maxBytes: number): Promise<{ label: string; content: string | null }> {
    const last = weekWindow(at, this.options.timezone, this.options.silentDays, 1);
    const before = weekWindow(at, this.options.timezone, this.options.silentDays, 2);
    const members = await this.members(team.id);
    const scope = members.map((m) => m.userid);
    const [people, previous, figures, previousFigures] = await Promise.all([
      this.people(last, members),
      this.queries.perStaff(before, scope),
      this.queries.team(last, scope),
      this.queries.team(before, scope),
    ]);
    const withPrevious = people.map((p) => ({ ...p, previous: previous.get(p.userid) ?? NO_FIGURES }));
    const empty = (f: StaffFigures) => f.newCustomers + f.followUps + f.remindersDone + f.lost === 0;
    if (withPrevious.every((p) => empty(p.figures) && empty(p.previous)) && quietTeam(figures) && quietTeam(previousFigures))
      return { label: last.label, content: null };
    const content = teamDigestMarkdown({
      title: `${team.name} · 周报 ${this.rangeLabel(last)}`,
      people: withPrevious,
      team: figures,
      previousTeam: previousFigures,
      previousLabel: `前一周（${this.rangeLabel(before)}）`,
      channelsLabel: '上周新客户',
      channelName: this.channelName,
      maxBytes,
    });
    return { label: last.label, content };
  }

  /** 报表: a lead sees their team(s), an admin everyone; anyone else is refused. */
  async report(viewer: { userid: string; isAdmin: boolean }, period: ReportPeriod, at: Date, maxBytes: number): Promise<ReportAnswer> {
    const led = await this.dataSource.getRepository(Team).find({ where: { leadUserid: viewer.userid }, order: { id: 'ASC' } });
    if (!viewer.isAdmin && led.length === 0) {
      return { kind: 'refused', reason: '「报表」只对团队主管和管理员开放。发送「今日」可以查看你自己的简报。' };
    }
    const w = periodWindow(period, at, this.options.timezone, this.options.silentDays);
    let scope: Scope = null;
    let people: Array<PersonLine & { userid: string }>;
    let who = '全员';
    if (viewer.isAdmin) {
      // Everyone with a figure in the period, named where known.
      const figures = await this.queries.perStaff(w);
      const staff = await this.staffByUserid([...figures.keys()]);
      people = [...figures].map(([userid, f]) => ({ userid, name: staff.get(userid)?.name ?? userid, figures: f }));
    } else {
      const members = await this.dataSource.getRepository(Staff).find({ where: { teamId: In(led.map((t) => t.id)), active: true }, order: { id: 'ASC' } });
      scope = members.map((m) => m.userid);
      people = await this.people(w, members);
      who = led.map((t) => t.name).join('、');
    }
    const figures = await this.queries.team(w, scope);
    const title = `报表 · ${who} · ${PERIOD_NAMES[period]}（${this.rangeLabel(w)}）`;
    return {
      kind: 'report',
      content: teamDigestMarkdown({ title, people, team: figures, channelsLabel: `${PERIOD_NAMES[period]}新客户`, channelName: this.channelName, maxBytes }),
    };
  }

  /** The three customers silent longest, with whole days since their last contact (counted to the end of the day). */
  private async longestSilent(userid: string, figures: StaffFigures, w: DigestWindow): Promise<Array<{ name: string; days: number }>> {
    if (!figures.silent) return [];
    const rows = await this.queries.longestSilent(userid, w);
    return rows.map((r) => ({ name: r.name, days: Math.floor((w.dayEnd.getTime() - r.lastContact.getTime()) / 86_400_000) }));
  }

  private day(at: Date): DigestWindow {
    return dayWindow(at, this.options.timezone, this.options.silentDays);
  }

  private members(teamId: number): Promise<Staff[]> {
    return this.dataSource.getRepository(Staff).find({ where: { teamId, active: true }, order: { id: 'ASC' } });
  }

  /** Each member with their figures (zeros included: the lead sees who did nothing). */
  private async people(w: DigestWindow, members: Staff[]): Promise<Array<PersonLine & { userid: string }>> {
    const figures = await this.queries.perStaff(
      w,
      members.map((m) => m.userid),
    );
    return members.map((m) => ({ userid: m.userid, name: m.name ?? m.wecomUserid, figures: figures.get(m.userid) ?? NO_FIGURES }));
  }

  private async staffByUserid(userids: string[]): Promise<Map<string, Staff>> {
    const map = new Map<string, Staff>();
    // Chunked: an admin's report or the daily run may name hundreds of people.
    for (let i = 0; i < userids.length; i += 500) {
      for (const s of await this.dataSource.getRepository(Staff).findBy({ userid: In(userids.slice(i, i + 500)) })) map.set(s.userid, s);
    }
    return map;
  }

  /** "12月1日 周二" */
  private dayLabel(at: Date): string {
    const d = dayjs(at).tz(this.options.timezone);
    return `${d.month() + 1}月${d.date()}日 周${WEEKDAY[d.day()]}`;
  }

  /** "11月23日–11月29日" (the window's calendar days) */
  private rangeLabel(w: DigestWindow): string {
    const first = dayjs(w.start).tz(this.options.timezone);
    const last = dayjs(w.end).tz(this.options.timezone).subtract(1, 'day');
    const label = (d: dayjs.Dayjs) => `${d.month() + 1}月${d.date()}日`;
    return first.isSame(last, 'day') ? label(first) : `${label(first)}–${label(last)}`;
  }
}

function quietTeam(t: TeamFigures): boolean {
  return t.won + t.markedLost + t.deletedByCustomer + t.deletedBySalesperson === 0;
}
