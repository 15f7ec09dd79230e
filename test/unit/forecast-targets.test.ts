import { parseTeamsFile } from '../../src/modules/capture/teams-file';
import { ForecastTargets, forecastWindow } from '../../src/modules/pipeline';

describe('monthly targets in templates/teams.json', () => {
  const file = {
    teams: [
      { name: '一组', lead: 'wang', members: ['zhangsan', 'LiSi'], memberTargets: { zhangsan: 100000, lisi: 50000 } },
      { name: '二组', members: ['zhao'], monthlyTarget: 300000, memberTargets: { zhao: 80000 } },
      { name: '三组', members: ['qian'] },
    ],
  };

  it('a team without its own target is the sum of its members’; a quarter counts three months', () => {
    const targets = new ForecastTargets(parseTeamsFile(file));
    expect(targets.member('zhangsan', 1)).toBe(100000);
    expect(targets.member('lisi', 3)).toBe(150000);
    expect(targets.member('qian', 1)).toBeNull();
    expect(targets.teamsTotal(['一组'], 1)).toBe(150000);
    expect(targets.teamsTotal(['二组'], 3)).toBe(900000);
    expect(targets.teamsTotal(['三组'], 1)).toBeNull();
    expect(targets.teamsTotal(null, 1)).toBe(450000);
  });

  it('refuses a target for someone not in the team, and a target that is not a positive number', () => {
    expect(() => parseTeamsFile({ teams: [{ name: '一组', members: ['zhangsan'], memberTargets: { lisi: 1 } }] })).toThrow(
      'lisi is not a member of team "一组"',
    );
    expect(() => parseTeamsFile({ teams: [{ name: '一组', members: ['zhangsan'], monthlyTarget: -5 }] })).toThrow();
  });
});

describe('forecast periods in CRM_TIMEZONE', () => {
  const at = new Date('2026-12-31T16:30:00Z'); // 1 January 2027, 00:30 in Shanghai
  it.each([
    ['month', '2026-12-31T16:00:00.000Z', '2027-01-31T16:00:00.000Z', ['2027-01'], '1月1日–1月31日'],
    ['quarter', '2026-12-31T16:00:00.000Z', '2027-03-31T16:00:00.000Z', ['2027-01', '2027-02', '2027-03'], '1月1日–3月31日'],
    ['next_month', '2027-01-31T16:00:00.000Z', '2027-02-28T16:00:00.000Z', ['2027-02'], '2月1日–2月28日'],
  ] as const)('%s', (period, start, end, months, days) => {
    const w = forecastWindow(period, at, 'Asia/Shanghai');
    expect([w.start.toISOString(), w.end.toISOString(), w.months, w.days]).toEqual([start, end, months, days]);
    expect(w.today.toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });
});
