import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);

export interface QuietHours {
  /** HH:MM in the CRM time zone */
  start: string;
  end: string;
}

/**
 * Quiet hours hold what the product starts on its own (SOP steps, digests, nudges, escalations):
 * not an answer to someone waiting for it (urgent), nor a reminder a person set for a time.
 */
export function heldByQuietHours(message: { urgent: boolean; quietHoursExempt: boolean }): boolean {
  return !message.urgent && !message.quietHoursExempt;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/**
 * When `now` falls inside quiet hours, the moment they end (the next `end` in `timeZone`);
 * otherwise null. Windows may cross midnight (21:00–08:00) or not (12:00–13:30); start = end means
 * no quiet hours. Computed in the configured zone, never the process's.
 */
export function quietHoursEnd(now: Date, quiet: QuietHours | undefined, timeZone: string): Date | null {
  if (!quiet) return null;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return null;

  const local = dayjs(now).tz(timeZone);
  const minute = local.hour() * 60 + local.minute();
  const overnight = start > end;
  const inside = overnight ? minute >= start || minute < end : minute >= start && minute < end;
  if (!inside) return null;

  const endDay = overnight && minute >= start ? local.add(1, 'day') : local;
  return dayjs.tz(`${endDay.format('YYYY-MM-DD')} ${quiet.end}`, timeZone).toDate();
}
