import { quietHoursEnd } from '../../src/platform/outbound/quiet-hours';

const night = { start: '21:00', end: '08:00' };
const lunch = { start: '12:00', end: '13:30' };
const SH = 'Asia/Shanghai';

/** Times are written in Shanghai (+08:00) and checked as instants: the process runs in UTC. */
describe('quietHoursEnd', () => {
  it.each([
    ['2026-11-22T20:59:59+08:00', night, null],
    ['2026-11-22T21:00:00+08:00', night, '2026-11-23T08:00:00+08:00'],
    ['2026-11-22T23:30:00+08:00', night, '2026-11-23T08:00:00+08:00'],
    ['2026-11-23T00:10:00+08:00', night, '2026-11-23T08:00:00+08:00'],
    ['2026-11-23T07:59:00+08:00', night, '2026-11-23T08:00:00+08:00'],
    ['2026-11-23T08:00:00+08:00', night, null],
    ['2026-11-23T12:00:00+08:00', night, null],
    ['2026-12-31T22:00:00+08:00', night, '2027-01-01T08:00:00+08:00'],
    ['2026-11-23T11:59:00+08:00', lunch, null],
    ['2026-11-23T12:45:00+08:00', lunch, '2026-11-23T13:30:00+08:00'],
    ['2026-11-23T13:30:00+08:00', lunch, null],
  ])('at %s with %j → %s', (at, quiet, expected) => {
    const end = quietHoursEnd(new Date(at), quiet, SH);
    expect(end === null ? null : end.getTime()).toBe(expected === null ? null : new Date(expected).getTime());
  });

  it('is off when not configured or when start equals end', () => {
    expect(quietHoursEnd(new Date('2026-11-22T23:00:00+08:00'), undefined, SH)).toBeNull();
    expect(quietHoursEnd(new Date('2026-11-22T23:00:00+08:00'), { start: '21:00', end: '21:00' }, SH)).toBeNull();
  });

  it('uses the configured zone, not the process zone (UTC here)', () => {
    // 14:00 UTC is 22:00 in Shanghai (quiet) but 15:00 in Berlin (not quiet).
    const at = new Date('2026-11-22T14:00:00Z');
    expect(quietHoursEnd(at, night, SH)?.toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(quietHoursEnd(at, night, 'Europe/Berlin')).toBeNull();
  });

  it('ends at local 08:00 across a daylight-saving change', () => {
    // Berlin leaves DST on 2026-10-25 at 03:00: 08:00 that morning is 07:00 UTC, not 06:00.
    const end = quietHoursEnd(new Date('2026-10-24T22:00:00Z'), night, 'Europe/Berlin');
    expect(end?.toISOString()).toBe('2026-10-25T07:00:00.000Z');
  });
});
