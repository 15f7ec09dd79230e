import dayjs from '../../src/platform/dayjs';
import { overdueAt } from '../../src/modules/reminders/overdue-escalation';
import { overdueForText } from '../../templates/cards/reminder-notices';
import { snoozeTarget } from '../../src/modules/reminders/snooze-target';

const TZ = 'Asia/Shanghai';
const sh = (local: string) => dayjs.tz(local, TZ).toDate();
const local = (at: Date) => dayjs(at).tz(TZ).format('MM-DD HH:mm');

describe('snoozeTarget: never earlier than it was', () => {
  const now = sh('2026-12-02 04:08');

  it('推迟1小时 counts from the due time when that is later than now, else from now', () => {
    expect(local(snoozeTarget({ kind: 'hour' }, sh('2026-12-08 09:00'), now, TZ))).toBe('12-08 10:00');
    expect(local(snoozeTarget({ kind: 'hour' }, sh('2026-12-01 18:00'), now, TZ))).toBe('12-02 05:08');
  });

  it('明天再提醒 is 09:00 of the day after the later of the due time and now, in the CRM zone', () => {
    expect(local(snoozeTarget({ kind: 'tomorrow' }, sh('2026-12-03 15:00'), now, TZ))).toBe('12-04 09:00');
    expect(local(snoozeTarget({ kind: 'tomorrow' }, sh('2026-12-01 18:00'), now, TZ))).toBe('12-03 09:00');
    // 23:30 Shanghai is 15:30 UTC the same day: the next day is Shanghai's, not the process's
    expect(local(snoozeTarget({ kind: 'tomorrow' }, sh('2026-12-02 23:30'), now, TZ))).toBe('12-03 09:00');
  });

  it('a typed time is taken as written (the service refuses one not after the due time)', () => {
    expect(snoozeTarget({ kind: 'until', at: sh('2026-12-03 10:00') }, sh('2026-12-08 09:00'), now, TZ)).toEqual(sh('2026-12-03 10:00'));
  });
});

describe('overdue time and wording', () => {
  it('is the allowance after the later of the due time and the firing', () => {
    expect(local(overdueAt({ dueAt: sh('2026-12-03 10:00'), firedAt: sh('2026-12-02 10:00') }, 7_200_000))).toBe('12-03 12:00');
    expect(local(overdueAt({ dueAt: sh('2026-12-02 09:00'), firedAt: sh('2026-12-02 11:30') }, 7_200_000))).toBe('12-02 13:30');
  });

  it('says how long it has really been open, rounded down', () => {
    expect(overdueForText(7_200_000 + 59_000)).toBe('超过2小时');
    expect(overdueForText(3 * 3_600_000 + 59 * 60_000)).toBe('超过3小时');
    expect(overdueForText(45 * 60_000 + 30_000)).toBe('超过45分钟');
    expect(overdueForText(10_000)).toBe('超过1分钟');
  });
});
