import { NO_FIGURES } from '../../src/modules/digests/digest-queries.service';
import { dayLabel, personalDigest, rangeLabel, teamDigest } from '../../templates/cards/digest.cards';
import type { TeamFigures } from '../../templates/cards/digest-figures';

const TUESDAY = { year: 2026, month: 12, day: 1, weekday: 2 };
const WEEK = { first: { year: 2026, month: 11, day: 23, weekday: 1 }, last: { year: 2026, month: 11, day: 29, weekday: 0 } };
const BEFORE = { first: { year: 2026, month: 11, day: 16, weekday: 1 }, last: { year: 2026, month: 11, day: 22, weekday: 0 } };
const TEAM: TeamFigures = {
  funnel: { lead: 0, prospect: 0, opportunity: 0, won: 0, lost: 0 },
  deletedBySalesperson: 0,
  deletedByCustomer: 0,
  markedLost: 0,
  won: 0,
  channels: [],
};
const firstLine = (text: string) => text.split('\n')[0];

describe('digest titles and labels, from calendar days', () => {
  it('a day reads with its weekday, a range with both ends, a one-day range as one day', () => {
    expect(dayLabel(TUESDAY)).toBe('12月1日 周二');
    expect(rangeLabel(WEEK)).toBe('11月23日–11月29日');
    expect(rangeLabel({ first: TUESDAY, last: TUESDAY })).toBe('12月1日');
  });

  it('今日 is titled with the day', () => {
    expect(firstLine(personalDigest({ day: TUESDAY, figures: NO_FIGURES, silentDays: 7 }))).toBe('**今日简报 · 12月1日 周二**');
  });

  it('the team digests and 报表 say whose, which days, and what the channel section counts', () => {
    const base = { people: [], team: TEAM, channelName: (s: string) => s || '直接添加' };
    const daily = teamDigest({ ...base, kind: 'daily', teamName: '销售一组', day: TUESDAY, channelDays: 30 }, 4096);
    expect(firstLine(daily)).toBe('**销售一组 · 团队日报 12月1日 周二**');
    expect(daily).toContain('**渠道**（近30天新客户 → 到达商机 / 成交）');

    const weekly = teamDigest({ ...base, kind: 'weekly', teamName: '销售一组', days: WEEK, previousDays: BEFORE, previousTeam: TEAM }, 4096);
    expect(weekly.split('\n').slice(0, 2)).toEqual([
      '**销售一组 · 周报 11月23日–11月29日**',
      '<font color="comment">括号内为较前一周（11月16日–11月22日）</font>',
    ]);
    expect(weekly).toContain('**渠道**（上周新客户 → 到达商机 / 成交）');

    const everyone = teamDigest({ ...base, kind: 'report', period: 'week', days: WEEK, teams: null }, 2048);
    expect(firstLine(everyone)).toBe('**报表 · 全员 · 本周（11月23日–11月29日）**');
    expect(everyone).toContain('**渠道**（本周新客户 → 到达商机 / 成交）');
    const led = teamDigest({ ...base, kind: 'report', period: 'month', days: WEEK, teams: ['销售一组', '销售二组'] }, 2048);
    expect(firstLine(led)).toBe('**报表 · 销售一组、销售二组 · 本月（11月23日–11月29日）**');
  });
});
