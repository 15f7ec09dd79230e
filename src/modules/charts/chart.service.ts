import { In, type DataSource } from 'typeorm';
import { Staff } from '../../../entities';
import { type ChartName, type ChartSpec, funnelChart, pipelineChart, trendChart, wonChart } from '../../../templates/charts';
import type { CalendarDay, TeamFigures } from '../../../templates/cards/digest-figures';
import dayjs from '../../platform/dayjs';
import { forecastPerStaff, type ForecastTargets, forecastWindow } from '../pipeline';
import { type ChartScope, dailyActivity, pipelineByStage } from './chart-queries';

/** What a set of charts is about: a team (the weekly digest), a lead's teams or everyone (报表 图). */
export interface ChartSubject {
  /** the scope as the titles name it: 华东销售一组, 全部 */
  title: string;
  /** the salespeople counted; null: everyone */
  userids: ChartScope;
  /** the funnel as the digest or report counted it (the chart shows the same numbers as the text) */
  funnel: TeamFigures['funnel'];
  /** the trend's days: [start, end) from CRM_TIMEZONE midnights, and how the title names them (上周, 本月) */
  span: { start: Date; end: Date; name: string };
  /** won against target is drawn for the calendar month that holds this instant */
  monthOf: Date;
}

export interface NamedChart {
  name: ChartName;
  spec: ChartSpec;
}

/**
 * The four charts as data (templates/charts.ts): the funnel with conversion between stages, the open
 * pipeline by stage, won against target per member this month, and the trend of new customers and
 * follow-ups per day. Each is aggregate queries; drawing them is the renderer's, at send time.
 */
export class ChartService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly options: { timezone: string; targets: () => ForecastTargets },
  ) {}

  async charts(subject: ChartSubject): Promise<NamedChart[]> {
    const days = this.days(subject.span);
    const month = forecastWindow('month', subject.monthOf, this.options.timezone);
    const [byStage, activity, won] = await Promise.all([
      pipelineByStage(this.dataSource, subject.userids),
      dailyActivity(this.dataSource, days, subject.userids),
      forecastPerStaff(this.dataSource, month, subject.userids),
    ]);
    const targets = this.options.targets();
    // A team's members are all listed (the lead sees who has won nothing); everyone: whoever has a figure.
    const userids = subject.userids ?? [...won.keys()];
    const names = await this.names(userids);
    const monthName = `${dayjs(month.start).tz(this.options.timezone).month() + 1}月`;
    const charts: NamedChart[] = [
      { name: 'funnel', spec: funnelChart(subject.title, subject.funnel) },
      { name: 'pipeline', spec: pipelineChart(subject.title, byStage) },
      {
        name: 'won',
        spec: wonChart(
          subject.title,
          monthName,
          userids.map((u) => ({ name: names.get(u) ?? u, won: won.get(u)?.wonAmount ?? 0, target: targets.member(u, 1) })),
        ),
      },
    ];
    // A single day has no trend to draw.
    if (days.length > 1)
      charts.push({
        name: 'trend',
        spec: trendChart(
          subject.title,
          subject.span.name,
          days.map((d, i) => ({ day: d.day, ...activity[i]! })),
        ),
      });
    return charts;
  }

  private days(span: { start: Date; end: Date }): Array<{ start: Date; end: Date; day: CalendarDay }> {
    const out: Array<{ start: Date; end: Date; day: CalendarDay }> = [];
    for (let d = dayjs(span.start).tz(this.options.timezone).startOf('day'); d.toDate() < span.end && out.length < 31; d = d.add(1, 'day')) {
      out.push({ start: d.toDate(), end: d.add(1, 'day').toDate(), day: { year: d.year(), month: d.month() + 1, day: d.date(), weekday: d.day() } });
    }
    return out;
  }

  private async names(userids: string[]): Promise<Map<string, string>> {
    const map = new Map<string, string>();
    for (let i = 0; i < userids.length; i += 500) {
      for (const s of await this.dataSource.getRepository(Staff).findBy({ userid: In(userids.slice(i, i + 500)) })) map.set(s.userid, s.name ?? s.wecomUserid);
    }
    return map;
  }
}
