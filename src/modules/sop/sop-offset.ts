import { inZone, zoneOffsetMinutes } from '../../platform/dayjs';

/**
 * A step's offset from its run's start, as operations write it: `+0` (at once), `+30s`, `+10m`,
 * `+2h`, `+3d`, or days at a clock time in the CRM time zone: `+1d 10:00` (tomorrow at ten),
 * `+0d 18:00` (today at six, or at once when that has passed).
 */
export interface SopOffset {
  ms: number;
  days: number;
  clock: { hour: number; minute: number } | null;
}

const PATTERN = /^\+(\d{1,4})(s|m|h|d)?(?:\s+([01]?\d|2[0-3]):([0-5]\d))?$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3600_000 } as const;

/** undefined when the text is not an offset (the definitions schema turns that into a clear error). */
export function parseSopOffset(text: string): SopOffset | undefined {
  const match = PATTERN.exec(text.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2] as 's' | 'm' | 'h' | 'd' | undefined;
  const clock = match[3] !== undefined ? { hour: Number(match[3]), minute: Number(match[4]) } : null;
  if (!unit && amount !== 0) return undefined; // "+3": three what?
  if (clock && unit && unit !== 'd') return undefined; // "+2h 10:00" means nothing
  if (unit === 'd' || clock) return { ms: 0, days: unit === 'd' ? amount : 0, clock };
  return { ms: unit ? amount * UNIT_MS[unit] : 0, days: 0, clock: null };
}

/** When the step is due for a run started at `start`; never before the start. */
export function sopStepDueAt(start: Date, offset: SopOffset, timezone: string): Date {
  if (!offset.clock) return new Date(start.getTime() + offset.ms + offset.days * 86_400_000);
  const local = inZone(start, timezone).add(offset.days, 'day').hour(offset.clock.hour).minute(offset.clock.minute).second(0).millisecond(0);
  // The clock time is read at the start's offset; across a DST change the target's own offset applies.
  const shift = local.utcOffset() - zoneOffsetMinutes(local.toDate(), timezone);
  const at = local.add(shift, 'minute').toDate();
  return at.getTime() < start.getTime() ? start : at;
}
