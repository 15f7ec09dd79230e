import { fit } from './card-limits';
import { personalMoneyLines, teamMoneyLines } from './digest-money';
import type { CalendarDay, DayRange, PersonalDay, PersonLine, ReportPeriod, StaffFigures, TeamDigest, TeamFigures } from './digest-figures';
import { fitMarkdownLines, utf8Bytes } from './markdown-limits';
import type { PipelineFigures } from '../pipeline-figures';

/** Digests and reports as WeCom markdown. Pure: figures and already-formatted labels in, text out. */

const warn = (text: string) => `<font color="warning">${text}</font>`;

export const PERIOD_NAMES: Record<ReportPeriod, string> = { today: '今日', week: '本周', month: '本月' };

/** 报表 asked by someone who leads no team and is no admin. */
export const REPORT_REFUSED = '「报表」只对团队主管和管理员开放。发送「今日」可以查看你自己的简报。';

const WEEKDAY = '日一二三四五六';

/** "12月1日 周二" */
export function dayLabel(d: CalendarDay): string {
  return `${d.month}月${d.day}日 周${WEEKDAY[d.weekday]}`;
}

/** "11月23日–11月29日", or one day when the range is one */
export function rangeLabel(r: DayRange): string {
  const label = (d: CalendarDay) => `${d.month}月${d.day}日`;
  const same = r.first.year === r.last.year && r.first.month === r.last.month && r.first.day === r.last.day;
  return same ? label(r.first) : `${label(r.first)}–${label(r.last)}`;
}

/** 今日 and the daily push. */
export function personalDigest(d: PersonalDay): string {
  return personalDigestMarkdown({
    title: `今日简报 · ${dayLabel(d.day)}`,
    figures: d.figures,
    silentDays: d.silentDays,
    longestSilent: d.longestSilent,
    pipeline: d.pipeline,
  });
}

/** The team digest (daily, weekly) and 报表, sized to `maxBytes`. */
export function teamDigest(d: TeamDigest, maxBytes: number): string {
  const common = { people: d.people, team: d.team, pipeline: d.pipeline, channelName: d.channelName, maxBytes };
  switch (d.kind) {
    case 'daily':
      return teamDigestMarkdown({ ...common, title: `${d.teamName} · 团队日报 ${dayLabel(d.day)}`, channelsLabel: `近${d.channelDays}天新客户` });
    case 'weekly':
      return teamDigestMarkdown({
        ...common,
        title: `${d.teamName} · 周报 ${rangeLabel(d.days)}`,
        previousTeam: d.previousTeam,
        previousPipeline: d.previousPipeline,
        previousLabel: `前一周（${rangeLabel(d.previousDays)}）`,
        channelsLabel: '上周新客户',
      });
    case 'report': {
      const who = d.teams ? d.teams.join('、') : '全员';
      const title = `报表 · ${who} · ${PERIOD_NAMES[d.period]}（${rangeLabel(d.days)}）`;
      return teamDigestMarkdown({ ...common, title, channelsLabel: `${PERIOD_NAMES[d.period]}新客户` });
    }
  }
}

/** The salesperson's day (今日 and the daily push). */
export function personalDigestMarkdown(input: {
  title: string;
  figures: StaffFigures;
  silentDays: number;
  longestSilent?: Array<{ name: string; days: number }>;
  pipeline?: PersonalDay['pipeline'];
}): string {
  const f = input.figures;
  const oldest = input.longestSilent?.length ? `，最久：${input.longestSilent.map((s) => `${fit(s.name, 8)} ${s.days}天`).join('、')}` : '';
  const lines = [
    `新客户 **${f.newCustomers}**`,
    `跟进记录 **${f.followUps}**`,
    `完成提醒 **${f.remindersDone}**`,
    `今天到期未完成 **${f.dueOpen}**`,
    f.overdue ? `${warn(`逾期提醒 ${f.overdue}`)}（发送「待办」查看）` : '逾期提醒 **0**',
    `明天的提醒 **${f.dueTomorrow}**`,
    f.lost ? warn(`流失客户 ${f.lost}`) : '流失客户 **0**',
    `沉默客户 **${f.silent}**（${input.silentDays}天以上没有跟进${oldest}${f.silent ? '，发送「我的客户」查看' : ''}）`,
    ...(input.pipeline ? personalMoneyLines(input.pipeline.day, input.pipeline.month) : []),
  ];
  return `**${input.title}**\n${lines.map((l) => `> ${l}`).join('\n')}`;
}

export interface TeamDigestInput {
  /** "销售一组 · 团队日报 12月1日 周二" */
  title: string;
  people: PersonLine[];
  team: TeamFigures;
  /** what the channel section counts, e.g. "近30天新客户" */
  channelsLabel: string;
  /** a channel state as people read it (the channel rule's display name, 直接添加 for none) */
  channelName?: (state: string) => string;
  /** the previous period's team figures, for 周报 */
  previousTeam?: TeamFigures;
  /** the scope's opportunities (open now, closed in the period) and, for 周报, the week before's */
  pipeline?: PipelineFigures;
  previousPipeline?: PipelineFigures;
  /** the label of the previous period, e.g. "前一周" */
  previousLabel?: string;
  maxBytes: number;
}

const FUNNEL: Array<[keyof TeamFigures['funnel'], string]> = [
  ['lead', '线索'],
  ['prospect', '潜在客户'],
  ['opportunity', '商机'],
  ['won', '成交'],
];

const percent = (part: number, whole: number) => (whole ? `${Math.round((part / whole) * 100)}%` : '—');

/** "12（↑3）", "12（↓2）", "12（持平）" */
function compared(now: number, before: number | undefined): string {
  if (before === undefined) return String(now);
  const d = now - before;
  return `${now}（${d > 0 ? `↑${d}` : d < 0 ? `↓${-d}` : '持平'}）`;
}

/**
 * Funnel snapshot with conversion between neighbouring stages: of the customers at a stage or beyond,
 * the share who are at the next stage or beyond (流失 customers are churn, not part of the funnel).
 */
export function funnelLines(funnel: TeamFigures['funnel']): string[] {
  const atLeast = FUNNEL.map((_, i) => FUNNEL.slice(i).reduce((n, [stage]) => n + funnel[stage], 0));
  const counts = FUNNEL.map(([stage, name]) => `${name} ${funnel[stage]}`).join(' · ');
  const conversions = FUNNEL.slice(1)
    .map(([, name], i) => `${FUNNEL[i]![1]}→${name} ${percent(atLeast[i + 1]!, atLeast[i]!)}`)
    .join(' · ');
  return [counts, `转化 ${conversions}`];
}

function totals(people: PersonLine[], pick: (p: PersonLine) => StaffFigures | undefined) {
  const sum = (field: keyof StaffFigures) => people.reduce((n, p) => n + (pick(p)?.[field] ?? 0), 0);
  return { newCustomers: sum('newCustomers'), followUps: sum('followUps'), remindersDone: sum('remindersDone'), overdue: sum('overdue'), lost: sum('lost') };
}

/** Display names of channel states; two states sharing a name (live-1201, live-1208 → 抖音直播间) keep their state beside it. */
function channelNames(states: string[], name: (state: string) => string = (s) => s || '直接添加'): string[] {
  const names = states.map((s) => name(s));
  return names.map((n, i) => (states[i] && n !== states[i] && names.filter((m) => m === n).length > 1 ? `${n}（${states[i]}）` : n));
}

/** The team digest (daily, weekly with comparison) and 报表: the same sections, sized to the channel. */
export function teamDigestMarkdown(input: TeamDigestInput): string {
  const t = input.team;
  const prev = input.previousTeam;
  const now = totals(input.people, (p) => p.figures);
  const before = prev ? totals(input.people, (p) => p.previous) : undefined;
  const summary = [
    `新客户 ${compared(now.newCustomers, before?.newCustomers)} · 跟进 ${compared(now.followUps, before?.followUps)} · 完成提醒 ${compared(now.remindersDone, before?.remindersDone)}`,
    `成交 ${compared(t.won, prev?.won)} · 逾期提醒 ${now.overdue}`,
    `流失：客户删人 ${compared(t.deletedByCustomer, prev?.deletedByCustomer)} · 销售删除 ${compared(t.deletedBySalesperson, prev?.deletedBySalesperson)} · 标记流失 ${compared(t.markedLost, prev?.markedLost)}`,
  ];
  const channels = channelNames(
    t.channels.slice(0, 8).map((c) => c.state),
    input.channelName,
  ).map((name, i) => {
    const c = t.channels[i]!;
    return `${fit(name, 20)} ${c.customers} → 商机 ${c.reachedOpportunity} · 成交 ${c.reachedWon}`;
  });
  if (t.channels.length > 8) channels.push(`…另有${t.channels.length - 8}个渠道`);

  const quote = (lines: string[]) => lines.map((l) => `> ${l}`);
  const head = [
    `**${input.title}**`,
    ...(input.previousLabel ? [`<font color="comment">括号内为较${input.previousLabel}</font>`] : []),
    ...quote(summary),
  ].join('\n');
  const rest = [
    '**销售漏斗**（当前）',
    ...quote(funnelLines(t.funnel)),
    ...(input.pipeline ? ['**商机金额**（进行中为当前）', ...quote(teamMoneyLines(input.pipeline, input.previousPipeline))] : []),
    `**渠道**（${input.channelsLabel} → 到达商机 / 成交）`,
    ...(channels.length ? quote(channels) : ['> 无']),
  ].join('\n');

  // The people section takes whatever room the rest leaves: a big team is cut with "另有N人", never rejected.
  const people = [...input.people].sort(
    (a, b) => b.figures.followUps - a.figures.followUps || b.figures.newCustomers - a.figures.newCustomers || a.name.localeCompare(b.name),
  );
  const personLines = people.map(
    (p) =>
      `> ${fit(p.name, 8)}：新客户 ${compared(p.figures.newCustomers, p.previous?.newCustomers)} · 跟进 ${compared(p.figures.followUps, p.previous?.followUps)} · 逾期 ${p.figures.overdue ? warn(String(p.figures.overdue)) : 0}`,
  );
  const budget = input.maxBytes - utf8Bytes(`${head}\n\n${rest}`) - 2;
  const peopleSection = fitMarkdownLines('**个人**', personLines.length ? personLines : ['> 无'], '', budget).replace(
    /\n…另有(\d+)条未显示$/,
    '\n> …另有$1人未显示',
  );
  return `${head}\n${peopleSection}\n${rest}`;
}
