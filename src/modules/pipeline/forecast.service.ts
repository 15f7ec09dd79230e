import { In, type DataSource } from 'typeorm';
import { Staff, Team } from '../../../entities';
import type { Forecast, ForecastLine, ForecastPeriod } from '../../../templates/forecast';
import { forecastWindow } from './forecast-period';
import { forecastPerStaff, NO_FORECAST, sumForecast } from './forecast-queries';
import type { ForecastTargets } from './forecast-targets';

/**
 * 预测: a salesperson's own pipeline; a lead's team(s), per member; an admin's everyone, per
 * salesperson with a figure. Periods are CRM_TIMEZONE calendar months (本季: the calendar quarter).
 */
export class ForecastService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly options: { timezone: string; targets: () => ForecastTargets },
  ) {}

  async forecast(viewer: { userid: string; isAdmin: boolean }, period: ForecastPeriod, at: Date): Promise<Forecast> {
    const w = forecastWindow(period, at, this.options.timezone);
    const targets = this.options.targets();
    const months = w.months.length;
    const line = (userid: string, name: string, figures = NO_FORECAST): ForecastLine => ({ name, figures, target: targets.member(userid, months) });
    const led = viewer.isAdmin ? [] : await this.dataSource.getRepository(Team).find({ where: { leadUserid: viewer.userid }, order: { id: 'ASC' } });

    if (viewer.isAdmin) {
      const figures = await forecastPerStaff(this.dataSource, w, null);
      const names = await this.names([...figures.keys()]);
      const members = [...figures]
        .map(([userid, f]) => line(userid, names.get(userid) ?? userid, f))
        .sort((a, b) => b.figures.openAmount - a.figures.openAmount);
      return {
        period,
        days: w.days,
        scope: '全部',
        total: { name: '全部', figures: sumForecast(figures.values()), target: targets.teamsTotal(null, months) },
        members,
      };
    }
    if (led.length) {
      const staff = await this.dataSource.getRepository(Staff).find({ where: { teamId: In(led.map((t) => t.id)), active: true }, order: { id: 'ASC' } });
      const figures = await forecastPerStaff(
        this.dataSource,
        w,
        staff.map((s) => s.userid),
      );
      // every member, zeros included: the lead sees who has nothing in the pipeline
      const members = staff.map((s) => line(s.userid, s.name ?? s.wecomUserid, figures.get(s.userid)));
      const teamNames = led.map((t) => t.name);
      return {
        period,
        days: w.days,
        scope: teamNames.join('、'),
        total: { name: teamNames.join('、'), figures: sumForecast(figures.values()), target: targets.teamsTotal(teamNames, months) },
        members,
      };
    }
    const own = (await forecastPerStaff(this.dataSource, w, [viewer.userid])).get(viewer.userid);
    return { period, days: w.days, scope: '我的', total: line(viewer.userid, '我', own), members: [] };
  }

  private async names(userids: string[]): Promise<Map<string, string>> {
    const map = new Map<string, string>();
    // chunked: an admin's forecast may name hundreds of people
    for (let i = 0; i < userids.length; i += 500) {
      for (const s of await this.dataSource.getRepository(Staff).findBy({ userid: In(userids.slice(i, i + 500)) })) map.set(s.userid, s.name ?? s.wecomUserid);
    }
    return map;
  }
}
