import { NO_FIGURES } from '../../src/modules/digests/digest-queries.service';
import dayjs from '../../src/platform/dayjs';
import { dayWindow, periodWindow, weekWindow } from '../../src/modules/digests/digest-window';
import { funnelLines, personalDigestMarkdown, teamDigestMarkdown } from '../../templates/cards/digest.cards';
import { utf8Bytes } from '../../templates/cards/markdown-limits';
import { NO_PIPELINE, sumPipeline } from '../../templates/pipeline-figures';

const TZ = 'Asia/Shanghai';
const iso = (d: Date) => d.toISOString();

describe('digest windows are CRM_TIMEZONE calendar days', () => {
  it('a day runs from local midnight to local midnight, with tomorrow and the silent cut-off after it', () => {
    const w = dayWindow(dayjs.tz('2026-11-27 00:10', TZ).toDate(), TZ, 7);
    expect([iso(w.start), iso(w.end), iso(w.dayStart), iso(w.nextDayEnd), iso(w.silentBefore), w.label]).toEqual([
      '2026-11-26T16:00:00.000Z',
      '2026-11-27T16:00:00.000Z',
      '2026-11-26T16:00:00.000Z',
      '2026-11-28T16:00:00.000Z',
      '2026-11-20T16:00:00.000Z',
      '2026-11-27',
    ]);
  });

  it('本周 starts on Monday (also when today is Sunday), 本月 on the 1st; both run to the end of today', () => {
    const sunday = dayjs.tz('2026-11-29 20:00', TZ).toDate();
    expect(periodWindow('week', sunday, TZ, 7).label).toBe('2026-11-23');
    expect(periodWindow('week', dayjs.tz('2026-11-23 08:00', TZ).toDate(), TZ, 7).label).toBe('2026-11-23');
    const month = periodWindow('month', sunday, TZ, 7);
    expect([month.label, iso(month.end)]).toEqual(['2026-11-01', '2026-11-29T16:00:00.000Z']);
  });

  it('the weekly digest covers the last whole Monday–Sunday week, its state as of that Sunday', () => {
    const w = weekWindow(dayjs.tz('2026-11-30 09:00', TZ).toDate(), TZ, 7, 1);
    expect([w.label, iso(w.end), iso(w.dayStart)]).toEqual(['2026-11-23', '2026-11-29T16:00:00.000Z', '2026-11-28T16:00:00.000Z']);
    expect(weekWindow(dayjs.tz('2026-11-30 09:00', TZ).toDate(), TZ, 7, 2).label).toBe('2026-11-16');
  });
});

describe('digest markdown', () => {
  const team = {
    funnel: { lead: 0, prospect: 0, opportunity: 0, won: 0, lost: 3 },
    deletedByCustomer: 1,
    deletedBySalesperson: 0,
    markedLost: 3,
    won: 0,
    channels: [],
  };

  it('the funnel converts between neighbouring stages counting those further along, and shows a dash for nothing', () => {
    expect(funnelLines({ lead: 50, prospect: 30, opportunity: 15, won: 5, lost: 9 })).toEqual([
      '线索 50 · 潜在客户 30 · 商机 15 · 成交 5',
      '转化 线索→潜在客户 50% · 潜在客户→商机 40% · 商机→成交 25%',
    ]);
    expect(funnelLines(team.funnel)[1]).toBe('转化 线索→潜在客户 — · 潜在客户→商机 — · 商机→成交 —');
  });

  it('a team of 200 fits a robot (4096 bytes) and an app chat (2048): the people list is cut and says by how many', () => {
    const people = Array.from({ length: 200 }, (_, i) => ({ name: `销售员工${i}`, figures: { ...NO_FIGURES, followUps: 200 - i, overdue: i % 3 } }));
    const channels = Array.from({ length: 12 }, (_, i) => ({ state: `channel-${i}`, customers: 10, reachedOpportunity: 2, reachedWon: 1 }));
    for (const maxBytes of [4096, 2048]) {
      const md = teamDigestMarkdown({ title: '销售一组 · 团队日报', people, team: { ...team, channels }, channelsLabel: '近30天新客户', maxBytes });
      expect(utf8Bytes(md)).toBeLessThanOrEqual(maxBytes);
      expect(md).toMatch(/> …另有\d+人未显示/);
      expect(md).toContain('销售员工0：新客户 0 · 跟进 200'); // the busiest first
      expect(md).toContain('…另有4个渠道');
      expect(md).toContain('**销售漏斗**');
    }
  });

  it('money: win rate is won of those closed, the average days run from recorded to won, and a dash stands for nothing closed', () => {
    const a = {
      ...NO_PIPELINE,
      openCount: 2,
      openAmount: 150000.5,
      weighted: 60000.25,
      wonCount: 1,
      wonAmount: 30000,
      lostCount: 0,
      wonSecondsToClose: 10 * 86_400,
    };
    const b = { ...NO_PIPELINE, openCount: 1, openAmount: 50000, weighted: 0, wonCount: 2, wonAmount: 70000, lostCount: 2, wonSecondsToClose: 15 * 86_400 };
    const both = sumPipeline([a, b]);
    expect(both).toEqual({
      openCount: 3,
      openAmount: 200000.5,
      weighted: 60000.25,
      wonCount: 3,
      wonAmount: 100000,
      lostCount: 2,
      wonSecondsToClose: 25 * 86_400,
    });
    const md = teamDigestMarkdown({
      title: '销售一组 · 周报',
      people: [],
      team,
      pipeline: both,
      previousPipeline: NO_PIPELINE,
      channelsLabel: '上周新客户',
      maxBytes: 4096,
    });
    expect(md).toContain(
      '**商机金额**（进行中为当前）\n> 进行中 3个 ¥200,001 · 加权 ¥60,000\n> 赢单 3个 ¥100,000 · 输单 2个 · 赢率 60% · 平均成交周期 8.3天（前一周 0个 ¥0 · 赢率 —）',
    );
    const personal = personalDigestMarkdown({ title: '今日简报', figures: NO_FIGURES, silentDays: 7, pipeline: { day: NO_PIPELINE, month: NO_PIPELINE } });
    expect(personal).toContain('> 商机进行中 0个 ¥0 · 加权 ¥0\n> 今日赢单 **0**个 ¥0 · 输单 0个\n> 本月赢单 0个 ¥0 · 输单 0个 · 赢率 — · 平均成交周期 —');
    // without money figures (a caller that has none) the digest is as before
    expect(teamDigestMarkdown({ title: 't', people: [], team, channelsLabel: 'c', maxBytes: 4096 })).not.toContain('商机金额');
  });

  it('the personal digest warns about overdue reminders and lost customers, and names the silent-day threshold', () => {
    const md = personalDigestMarkdown({ title: '今日简报', figures: { ...NO_FIGURES, overdue: 2, lost: 1, silent: 4 }, silentDays: 7 });
    expect(md).toContain('<font color="warning">逾期提醒 2</font>（发送「待办」查看）');
    expect(md).toContain('<font color="warning">流失客户 1</font>');
    expect(md).toContain('沉默客户 **4**（7天以上没有跟进，发送「我的客户」查看）');
  });
});
