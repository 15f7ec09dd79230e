import type { Stage } from '../labels';
import type { PipelineFigures } from '../pipeline-figures';

/**
 * The data digests and reports are rendered from (digest.cards.ts). The digests module counts the
 * figures and fills these in; nothing here is worded.
 */

/** One salesperson's figures for a window (see DigestWindow for what each is measured against). */
export interface StaffFigures {
  newCustomers: number;
  followUps: number;
  remindersDone: number;
  /** due today, not done */
  dueOpen: number;
  /** due before today, not done */
  overdue: number;
  dueTomorrow: number;
  /** customers who deleted the salesperson, or whom the salesperson deleted, in the window */
  lost: number;
  /** followed customers (not won or lost) with no contact since silentBefore */
  silent: number;
}

export interface ChannelFigures {
  /** the channel `state`, '' for customers who came without one */
  state: string;
  customers: number;
  reachedOpportunity: number;
  reachedWon: number;
}

/** What a team (or everyone) looks like: the funnel now, and churn, wins and channels over the window. */
export interface TeamFigures {
  /** customers followed by someone in scope, by current stage */
  funnel: Record<Stage, number>;
  /** relations ended in the window: the customer deleted the salesperson (删人) / the salesperson deleted them */
  deletedBySalesperson: number;
  deletedByCustomer: number;
  /** stage moves to 流失 / 成交 made in the window by someone in scope */
  markedLost: number;
  won: number;
  channels: ChannelFigures[];
}

export type ReportPeriod = 'today' | 'week' | 'month';

/** A calendar day in the CRM's time zone (month 1-12, weekday 0 = Sunday). */
export interface CalendarDay {
  year: number;
  month: number;
  day: number;
  weekday: number;
}

/** The calendar days a window covers, first and last included. */
export interface DayRange {
  first: CalendarDay;
  last: CalendarDay;
}

/** The salesperson's day (今日 and the daily push). */
export interface PersonalDay {
  day: CalendarDay;
  figures: StaffFigures;
  /** a customer is silent after this many days without a follow-up */
  silentDays: number;
  /** the customers silent longest, with whole days since their last contact */
  longestSilent?: Array<{ name: string; days: number }>;
  /** their opportunities: open now and closed today (`day`), closed this month so far (`month`) */
  pipeline?: { day: PipelineFigures; month: PipelineFigures };
}

export interface PersonLine {
  name: string;
  figures: StaffFigures;
  /** the same person's figures in the previous period (weekly comparison) */
  previous?: StaffFigures;
}

interface TeamDigestBase {
  people: PersonLine[];
  team: TeamFigures;
  /** the scope's opportunities: open now, closed in the period */
  pipeline?: PipelineFigures;
  /** a channel state as people read it (the channel rule's display name, 直接添加 for none) */
  channelName?: (state: string) => string;
}

/** The team's day, last week against the week before, or 报表 for a period (a lead's teams, or everyone for an admin). */
export type TeamDigest =
  | (TeamDigestBase & { kind: 'daily'; teamName: string; day: CalendarDay /** how far back the channel section counts new customers */; channelDays: number })
  | (TeamDigestBase & {
      kind: 'weekly';
      teamName: string;
      days: DayRange;
      previousDays: DayRange;
      previousTeam: TeamFigures;
      previousPipeline?: PipelineFigures;
    })
  | (TeamDigestBase & { kind: 'report'; period: ReportPeriod; days: DayRange /** the lead's teams; null: everyone */; teams: string[] | null });
