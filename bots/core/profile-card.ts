import type { Customer } from '../../entities';
import dayjs from '../../src/platform/dayjs';
import type { TemplateCard } from '../../src/platform/wecom/api/wecom-api.types';
import { customerSummaryCard } from '../../templates/cards/customer-summary.card';
import { reminderMatter } from '../../templates/cards/reminder-cards';
import { formatChineseDateTime } from '../../templates/format-date';
import { openOpportunitiesLine } from '../../templates/opportunities';
import { STAGE_NAMES } from '../../templates/labels';
import { relationEndText } from '../../templates/timeline';
import type { BotServices } from './bot-services';

/** Whole days between two instants, counted on calendar days in `timezone` (null when unknown). */
export function calendarDays(since: Date | null, now: Date, timezone: string): number | null {
  if (!since) return null;
  const day = (at: Date) => dayjs(at).tz(timezone).startOf('day');
  return Math.max(0, day(now).diff(day(since), 'day'));
}

/**
 * The 360° profile card of one customer, summarised from their timeline (查客户, and the 查看客户
 * button of a reminder card). `moreCommand` is what to type for the whole timeline; `viewer` (a
 * lower-cased userid) is who asks: a salesperson whose customer deleted them sees when that was, and
 * only the customer's owner sees the phone numbers written in notes (others: 138****5678).
 */
export async function buildProfileCard(
  services: BotServices,
  customer: Customer,
  now: Date,
  timezone: string,
  moreCommand = `查客户 ${customer.name} 全部`,
  viewer?: string,
): Promise<TemplateCard> {
  const [s, tags, owns] = await Promise.all([
    services.timeline.summary(customer),
    services.tags.namesFor(customer.id),
    viewer ? services.customers.follows(viewer, customer.id) : false,
  ]);
  // Who followed them and how it ended: when nobody follows them now, or when it is the viewer's own relation that ended.
  const departure = s.owners.length === 0 ? s.departures[0] : s.departures.find((d) => d.userid === viewer);
  const next = s.openReminders[0];
  return customerSummaryCard({
    name: customer.name,
    stage: STAGE_NAMES[s.stage] ?? s.stage,
    daysAsCustomer: calendarDays(s.customerSince, now, timezone),
    daysInStage: calendarDays(s.stageSince, now, timezone),
    // One line each on the card: a note written on several lines is joined with " / " here (the timeline shows it as written).
    recentFollowUps: s.recentFollowUps.map((f) => `${dayjs(f.at).tz(timezone).format('M/D')} ${f.actor}：${f.content.replace(/\s*\n\s*/g, ' / ')}`),
    owners: s.owners,
    formerOwners: s.owners.length === 0 ? [...new Set(s.departures.map((d) => d.staff))] : [],
    departure: departure ? `${formatChineseDateTime(departure.at, timezone, now)} ${relationEndText(departure, departure.staff)}` : null,
    channel: services.channels.label(s.channel),
    tags,
    openReminders: s.openReminders.length,
    // on the customer's own card, a reminder's text without their name
    nextReminder: next ? `${formatChineseDateTime(next.dueAt, timezone, now)} ${reminderMatter(next.content, customer.name)}` : null,
    openOpportunity: openOpportunitiesLine(s.openOpportunities, timezone),
    moreCommand,
    doNotContact: customer.doNotContact,
    showPhone: owns,
  });
}
