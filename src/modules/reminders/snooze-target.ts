import dayjs from '../../platform/dayjs';

/** What the salesperson asked for: 推迟1小时, 明天再提醒, or a time they typed (`推迟 12 明天上午10点`). */
export type SnoozeRequest = { kind: 'hour' } | { kind: 'tomorrow' } | { kind: 'until'; at: Date };

/** 明天再提醒 lands at this hour (in the CRM time zone). */
export const TOMORROW_HOUR = 9;

/**
 * The new due time. Snoozing never moves a reminder earlier than it was: a button counts from the
 * later of its due time and now (推迟1小时 on a reminder due next Monday 09:00 gives Monday 10:00, not
 * an hour from now; 明天再提醒 gives 09:00 of the day after that later moment). A typed time is
 * taken as written; the caller refuses it when it is not after the current due time.
 */
export function snoozeTarget(request: SnoozeRequest, currentDue: Date, now: Date, timeZone: string): Date {
  if (request.kind === 'until') return request.at;
  const base = Math.max(currentDue.getTime(), now.getTime());
  if (request.kind === 'hour') return new Date(base + 3600_000);
  return dayjs(base).tz(timeZone).add(1, 'day').startOf('day').hour(TOMORROW_HOUR).toDate();
}
