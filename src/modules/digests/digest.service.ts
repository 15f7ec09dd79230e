import { In, type DataSource } from 'typeorm';
import { Staff, Team } from '../../../entities';
import type { PersonalDay, PersonLine, ReportPeriod, StaffFigures, TeamDigest, TeamFigures } from '../../../templates/cards/digest-figures';
import { NO_CHANNEL_LABEL } from '../../../templates/labels';
import dayjs from '../../platform/dayjs';
import type { ChannelNames } from '../customers';
import { NO_PIPELINE, type PipelineFigures, pipelinePerStaff, sumPipeline } from '../pipeline';
import { DigestQueries, isEmptyDay, NO_FIGURES, type Scope } from './digest-queries.service';
import { calendarDay, type DigestWindow, dayWindow, periodWindow, weekWindow, windowDays } from './digest-window';

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
  digest: PersonalDay;
}

/** `scope`: the salespeople counted (null: everyone); `window`: the period's [start, end), for the charts of 报表 图. */
export type ReportAnswer = { kind: 'report'; digest: TeamDigest; scope: Scope; window: { start: Date; end: Date } } | { kind: 'refused' };

/** Days the team digest's channel section looks back over (customers added in that time). */
const CHANNEL_DAYS = 30;

/**
 * Builds every digest and report from DigestQueries' aggregates: the salesperson's day, the team's day
 * and week (compared with the week before), and 报表 for a lead's team or, for an admin, everyone.
 * Returns their data (templates/cards/digest.cards.ts words it); sending is the caller's (the digest
 * jobs, or a command's reply).
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
  async personal(userid: string, at: Date): Promise<PersonalDay> {
    const w = this.day(at);
    const [figures, day, month] = await Promise.all([
      this.queries.perStaff(w, [userid]).then((m) => m.get(userid) ?? NO_FIGURES),
      pipelinePerStaff(this.dataSource, w, [userid]),
      pipelinePerStaff(this.dataSource, this.monthSoFar(at), [userid]),
    ]);
    return {
      day: this.calendarDay(w.start),
      figures,
      silentDays: this.options.silentDays,
      longestSilent: await this.longestSilent(userid, figures, w),
      pipeline: { day: day.get(userid) ?? NO_PIPELINE, month: month.get(userid) ?? NO_PIPELINE },
    };
  }

  /** The scheduled push: one per active salesperson who had something happen or due; nobody gets an empty one. */
  async personalForEveryone(at: Date): Promise<{ label: string; digests: PersonalDigest[] }> {
    const w = this.day(at);
    const [figures, day, month] = await Promise.all([
      this.queries.perStaff(w),
      pipelinePerStaff(this.dataSource, w, null),
      pipelinePerStaff(this.dataSource, this.monthSoFar(at), null),
    ]);
    // an opportunity won or lost today is news too, on a day with nothing else
    for (const [userid, p] of day) if (p.wonCount + p.lostCount > 0 && !figures.has(userid)) figures.set(userid, { ...NO_FIGURES });
    const closedToday = (userid: string) => (day.get(userid)?.wonCount ?? 0) + (day.get(userid)?.lostCount ?? 0) > 0;
    const busy = [...figures].filter(([userid, f]) => !isEmptyDay(f) || closedToday(userid));
    const staff = await this.staffByUserid(busy.map(([u]) => u));
    const calendar = this.calendarDay(w.start);
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
          digest: {
            day: calendar,
            figures: f,
            silentDays: this.options.silentDays,
            longestSilent: samples[k],
            pipeline: { day: day.get(userid) ?? NO_PIPELINE, month: month.get(userid) ?? NO_PIPELINE },
          },
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
  async teamDaily(team: Team, at: Date): Promise<{ label: string; digest: TeamDigest | null }> {
    const w = this.day(at);
    const members = await this.members(team.id);
    const people = await this.people(w, members);
    const channelsSince = dayjs(w.dayStart)
      .subtract(CHANNEL_DAYS - 1, 'day')
      .toDate();
    const scope = members.map((m) => m.userid);
    const [figures, pipeline] = await Promise.all([this.queries.team(w, scope, channelsSince), this.pipeline(w, scope)]);
    if (people.every((p) => isEmptyDay(p.figures)) && quietTeam(figures) && !closedAny(pipeline)) return { label: w.label, digest: null };
    const digest: TeamDigest = {
      kind: 'daily',
      teamName: team.name,
      day: this.calendarDay(w.start),
      people,
      team: figures,
      pipeline,
      channelDays: CHANNEL_DAYS,
      channelName: this.channelName,
    };
    return { label: w.label, digest };
  }

  /**
   * Last week (Monday to Sunday) against the week before; null when both were empty. `scope` (the
   * members counted) and `window` (the week's [start, end)) are for the charts that follow it.
   */
  async teamWeekly(team: Team, at: Date): Promise<{ label: string; digest: TeamDigest | null; scope: string[]; window: { start: Date; end: Date } }> {
    const last = weekWindow(at, this.options.timezone, this.options.silentDays, 1);
    const before = weekWindow(at, this.options.timezone, this.options.silentDays, 2);
    const members = await this.members(team.id);
    const scope = members.map((m) => m.userid);
    const [people, previous, figures, previousFigures, pipeline, previousPipeline] = await Promise.all([
      this.people(last, members),
      this.queries.perStaff(before, scope),
      this.queries.team(last, scope),
      this.queries.team(before, scope),
      this.pipeline(last, scope),
      this.pipeline(before, scope),
    ]);
    const withPrevious = people.map((p) => ({ ...p, previous: previous.get(p.userid) ?? NO_FIGURES }));
    const empty = (f: StaffFigures) => f.newCustomers + f.followUps + f.remindersDone + f.lost === 0;
    const quiet = quietTeam(figures) && quietTeam(previousFigures) && !closedAny(pipeline) && !closedAny(previousPipeline);
    const window = { start: last.start, end: last.end };
    if (withPrevious.every((p) => empty(p.figures) && empty(p.previous)) && quiet) return { label: last.label, digest: null, scope, window };
    const digest: TeamDigest = {
      kind: 'weekly',
      teamName: team.name,
      days: windowDays(last, this.options.timezone),
      previousDays: windowDays(before, this.options.timezone),
      people: withPrevious,
      team: figures,
      previousTeam: previousFigures,
      pipeline,
      previousPipeline,
      channelName: this.channelName,
    };
    return { label: last.label, digest, scope, window };
  }

  /** 报表: a lead sees their team(s), an admin everyone; anyone else is refused. */
  async report(viewer: { userid: string; isAdmin: boolean }, period: ReportPeriod, at: Date): Promise<ReportAnswer> {
    const led = await this.dataSource.getRepository(Team).find({ where: { leadUserid: viewer.userid }, order: { id: 'ASC' } });
    if (!viewer.isAdmin && led.length === 0) return { kind: 'refused' };
    const w = periodWindow(period, at, this.options.timezone, this.options.silentDays);
    let scope: Scope = null;
    let people: Array<PersonLine & { userid: string }>;
    let teams: string[] | null = null;
    if (viewer.isAdmin) {
      // Everyone with a figure in the period, named where known.
      const figures = await this.queries.perStaff(w);
      const staff = await this.staffByUserid([...figures.keys()]);
      people = [...figures].map(([userid, f]) => ({ userid, name: staff.get(userid)?.name ?? userid, figures: f }));
    } else {
      const members = await this.dataSource.getRepository(Staff).find({ where: { teamId: In(led.map((t) => t.id)), active: true }, order: { id: 'ASC' } });
      scope = members.map((m) => m.userid);
      people = await this.people(w, members);
      teams = led.map((t) => t.name);
    }
    const [figures, pipeline] = await Promise.all([this.queries.team(w, scope), this.pipeline(w, scope)]);
    return {
      kind: 'report',
      digest: { kind: 'report', period, days: windowDays(w, this.options.timezone), teams, people, team: figures, pipeline, channelName: this.channelName },
      scope,
      window: { start: w.start, end: w.end },
    };
  }

  /** The three customers silent longest, with whole days since their last contact (counted to the end of the day). */
  private async longestSilent(userid: string, figures: StaffFigures, w: DigestWindow): Promise<Array<{ name: string; days: number }>> {
    if (!figures.silent) return [];
    const rows = await this.queries.longestSilent(userid, w);
    return rows.map((r) => ({ name: r.name, days: Math.floor((w.dayEnd.getTime() - r.lastContact.getTime()) / 86_400_000) }));
  }

  /** The money of `scope` (null: everyone's opportunities): open now, closed in the window. */
  async pipeline(w: Pick<DigestWindow, 'start' | 'end'>, scope: Scope): Promise<PipelineFigures> {
    return sumPipeline((await pipelinePerStaff(this.dataSource, w, scope)).values());
  }

  /** This calendar month up to the end of today: the personal digest's 本月. */
  private monthSoFar(at: Date): DigestWindow {
    return periodWindow('month', at, this.options.timezone, this.options.silentDays);
  }

  private day(at: Date): DigestWindow {
    return dayWindow(at, this.options.timezone, this.options.silentDays);
  }

  private calendarDay(at: Date) {
    return calendarDay(at, this.options.timezone);
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
}

/** Some opportunity was won or lost in the window. */
function closedAny(p: PipelineFigures): boolean {
  return p.wonCount + p.lostCount > 0;
}

function quietTeam(t: TeamFigures): boolean {
  return t.won + t.markedLost + t.deletedByCustomer + t.deletedBySalesperson === 0;
}
