import type Koa from 'koa';
import { Customer, CustomerRelation, FollowUp, OutboundMessage, Staff, Team } from '../../entities';
import type { SeedCustomer, SeedOptions } from '../../src/cli/seed-data';
import { seedTeams } from '../../src/cli/seed-data';
import { writeSeed } from '../../src/cli/seed-writer';
import type { Container } from '../../src/container';
import dayjs from '../../src/platform/dayjs';
import { DIGEST_JOBS } from '../../src/modules/digests/digest.jobs';
import { workerModules } from '../../src/feature-modules';
import { isEmptyDay } from '../../src/modules/digests/digest-queries.service';
import type { StaffFigures } from '../../templates/cards/digest-figures';
import { dayWindow, periodWindow, weekWindow } from '../../src/modules/digests/digest-window';
import { createWebApp } from '../../src/web';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { utf8Bytes } from '../../templates/cards/markdown-limits';
import { say as sayTo } from '../helpers/bot-chat';
import { byState, recountLongestSilent, recountPerStaff, recountTeam } from '../helpers/digest-recount';
import { fakeWecom, type WecomCall } from '../helpers/fake-wecom';
import { waitForQuiet } from '../helpers/quiet';
import { createTestContainer, deleteRedisPrefix, waitFor } from '../helpers/test-env';

const TZ = 'Asia/Shanghai';
const SILENT_DAYS = 7;
/** The data set: 30 days of history through Friday 27 November 2026 (Shanghai). */
// no opportunities: their money is pipeline-recount.test.ts's
const SEED: SeedOptions = { customers: 5000, staff: 20, teams: 3, days: 30, seed: 42, end: dayjs.tz('2026-11-28 00:00', TZ).toDate(), opportunities: 0 };
/** The daily digests run on that Friday at 18:00; the weekly one on Monday 30 November at 09:00. */
const FRIDAY = dayjs.tz('2026-11-27 18:00', TZ).toDate();
const MONDAY = dayjs.tz('2026-11-30 09:00', TZ).toDate();

/**
 * Digests over a generated data set: every figure the database computes equals an independent recount
 * of the generated rows, and the digests reach WeCom through the maintenance and outbound queues —
 * once per recipient and day however often the run is repeated.
 */
describe('digests and reports over a deterministic data set', () => {
  let container: Container;
  let app: Koa;
  let worker: WorkerHandle;
  let calls: WecomCall[];
  const customers: SeedCustomer[] = [];
  const { teams, staff } = seedTeams(SEED);
  const teamMembers = (t: number) => staff.filter((s) => s.team === t).map((s) => s.userid);
  const say = (from: string, text: string) => sayTo(container, app, calls, from, text);

  beforeAll(async () => {
    container = await createTestContainer('digests', {
      CRM_QUIET_HOURS: 'off',
      CRM_ADMINS: 'boss',
      INBOUND_RETRY_DELAY_MS: '50',
      CRM_SILENT_DAYS: String(SILENT_DAYS),
    });
    // The schedules are off in tests (digest-schedule.test.ts checks them); jobs are added by hand for fixed days.
    app = createWebApp(container);
    // Started before the seed: its start-up reminder sweep must not fire the generated reminders.
    worker = startWorker(container, { sweepEveryMs: 3_600_000, modules: workerModules(container, () => FRIDAY) });
    // its start-up work (the teams file synced, the reminder sweep) is done before the seed exists
    await worker.ready;
    await writeSeed(container.dataSource, SEED, (c) => customers.push(c));
    // an idle salesperson in team 1 and a team posting into an app group chat
    const appChatTeam = await container.dataSource.getRepository(Team).save({ name: '渠道组', appChatId: 'wrChannelTeam' });
    await container.dataSource.getRepository(Staff).save([
      {
        userid: 'idle',
        wecomUserid: 'Idle',
        name: '闲置销售',
        teamId: (await container.dataSource.getRepository(Team).findOneByOrFail({ name: teams[0]!.name })).id,
      },
      { userid: 'boss', wecomUserid: 'boss', name: '王总' },
    ]);
    await container.dataSource.getRepository(Staff).update({ userid: staff.filter((s) => s.team === 2).at(-1)!.userid }, { teamId: appChatTeam.id });
  }, 120_000);

  beforeEach(() => {
    calls = fakeWecom({ also: ['webhook/send', 'appchat/send'] });
  });

  afterAll(async () => {
    worker.stop();
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  /** Runs a digest job through the maintenance queue as if its schedule had fired at `at`. */
  async function runJob(name: string, at: Date, id: string): Promise<void> {
    // Bull takes `timestamp` (not in its typings) as the job's creation time: the time the job covers.
    const options = { jobId: id, timestamp: at.getTime() };
    const job = await container.queues.get('maintenance').add(name, {}, options);
    await waitFor(
      async () => (await job.getState()) as string,
      (s) => s === 'completed' || s === 'failed',
      60_000,
      `${name} to finish`,
    );
    expect(await job.getState()).toBe('completed');
  }

  const sends = (api: string) => calls.filter((c) => c.api === api);
  const markdown = (call: WecomCall) => String((call.body.markdown as { content: string }).content);

  it('the data set is what the options say, and the same seed gives the same rows', async () => {
    expect(customers).toHaveLength(SEED.customers);
    expect(await container.dataSource.getRepository(Customer).count()).toBe(SEED.customers);
    expect(await container.dataSource.getRepository(FollowUp).count()).toBe(customers.reduce((n, c) => n + c.followUps.length, 0));
    expect(await container.dataSource.getRepository(CustomerRelation).count()).toBe(customers.reduce((n, c) => n + c.relations.length, 0));
    const { seedCustomers } = await import('../../src/cli/seed-data');
    const again = [...seedCustomers(SEED, staff)];
    expect(JSON.stringify(again)).toBe(JSON.stringify(customers));
  });

  it('every salesperson figure equals the recount: the day, this week, this month, and as of two earlier days', async () => {
    const windows = [
      dayWindow(FRIDAY, TZ, SILENT_DAYS),
      dayWindow(dayjs(FRIDAY).subtract(3, 'day').toDate(), TZ, SILENT_DAYS),
      periodWindow('week', FRIDAY, TZ, SILENT_DAYS),
      periodWindow('month', FRIDAY, TZ, SILENT_DAYS),
      weekWindow(MONDAY, TZ, SILENT_DAYS, 1),
      weekWindow(MONDAY, TZ, SILENT_DAYS, 2),
    ];
    for (const w of windows) {
      const actual = await container.services.digest.queries.perStaff(w);
      expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(recountPerStaff(customers, w)));
    }
    // the day is busy enough to be a real test
    const day = recountPerStaff(customers, windows[0]!);
    const total = (field: keyof StaffFigures) => [...day.values()].reduce((n, f) => n + f[field], 0);
    for (const field of ['newCustomers', 'followUps', 'remindersDone', 'dueOpen', 'overdue', 'dueTomorrow', 'silent'] as const)
      expect(total(field)).toBeGreaterThan(0);
  });

  it('every team figure (funnel, churn, wins, channel attribution) equals the recount, per team and for everyone', async () => {
    const w = periodWindow('month', FRIDAY, TZ, SILENT_DAYS);
    const since = dayjs(w.start).subtract(20, 'day').toDate();
    for (const scope of [teamMembers(0), teamMembers(1), null]) {
      const actual = await container.services.digest.queries.team(w, scope, since);
      expect(byState(actual)).toEqual(byState(recountTeam(customers, w, scope, since)));
    }
    const everyone = recountTeam(customers, w, null, since);
    expect(everyone.won).toBeGreaterThan(0);
    expect(everyone.markedLost).toBeGreaterThan(0);
    expect(everyone.deletedByCustomer).toBeGreaterThan(0);
    expect(everyone.channels.find((c) => c.state === 'douyin-live')!.reachedOpportunity).toBeGreaterThan(0);
  });

  it('the daily run sends each busy salesperson one digest with their figures, nobody idle gets one, and a rerun sends nothing more', async () => {
    const w = dayWindow(FRIDAY, TZ, SILENT_DAYS);
    const expected = [...recountPerStaff(customers, w)].filter(([, f]) => !isEmptyDay(f));
    expect(expected.length).toBeGreaterThan(5);

    await runJob(DIGEST_JOBS.daily, FRIDAY, 'daily-1');
    const delivered = await waitFor(
      async () => sends('message/send'),
      (s) => s.length >= expected.length,
      30_000,
      'the personal digests',
    );
    expect(delivered.map((c) => c.body.touser).sort()).toEqual(expected.map(([u]) => u).sort());
    expect(delivered.map((c) => c.body.touser)).not.toContain('Idle');
    for (const [userid, f] of expected) {
      const content = markdown(delivered.find((c) => c.body.touser === userid)!);
      expect(content).toContain('今日简报 · 11月27日 周五');
      expect(content).toContain(`新客户 **${f.newCustomers}**`);
      expect(content).toContain(`跟进记录 **${f.followUps}**`);
      expect(content).toContain(`完成提醒 **${f.remindersDone}**`);
      expect(content).toContain(`今天到期未完成 **${f.dueOpen}**`);
      expect(content).toContain(f.overdue ? `逾期提醒 ${f.overdue}` : '逾期提醒 **0**');
      expect(content).toContain(`明天的提醒 **${f.dueTomorrow}**`);
      expect(content).toContain(f.lost ? `流失客户 ${f.lost}` : '流失客户 **0**');
      expect(content).toContain(`沉默客户 **${f.silent}**`);
      if (f.silent) expect(content).toContain(`最久：${recountLongestSilent(customers, w, userid).join('、')}，发送「我的客户」查看`);
      expect(utf8Bytes(content)).toBeLessThanOrEqual(2048);
    }

    // the same run again (a retry, a second worker): every message is a duplicate, nothing is sent
    await runJob(DIGEST_JOBS.daily, FRIDAY, 'daily-2');
    await waitForQuiet(container);
    expect(sends('message/send')).toHaveLength(expected.length);
    const rows = await container.dataSource.getRepository(OutboundMessage).find({ where: { kind: 'markdown', channel: 'user' } });
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(expected.length);
    expect(rows.filter((r) => r.status === 'duplicate')).toHaveLength(expected.length);
    expect(new Set(rows.map((r) => r.idempotencyKey)).has(`digest:daily:2026-11-27:${expected[0]![0]}`)).toBe(true);
  });

  it('the team digest goes to each team group (robot or app chat) with per-person counts, the funnel and channels, once', async () => {
    await runJob(DIGEST_JOBS.team, FRIDAY, 'team-1');
    const robot = await waitFor(
      async () => sends('webhook/send'),
      (s) => s.length >= 3,
      30_000,
      'three robot digests',
    );
    const appchat = await waitFor(
      async () => sends('appchat/send'),
      (s) => s.length >= 1,
      30_000,
      'the app chat digest',
    );
    const w = dayWindow(FRIDAY, TZ, SILENT_DAYS);
    const since = dayjs(w.dayStart).subtract(29, 'day').toDate();
    const people = recountPerStaff(customers, w);

    const first = markdown(robot.find((c) => markdown(c).includes(`${teams[0]!.name} · 团队日报 11月27日 周五`))!);
    expect(utf8Bytes(first)).toBeLessThanOrEqual(4096);
    const members = (
      await container.dataSource
        .getRepository(Staff)
        .find({ where: { teamId: (await container.dataSource.getRepository(Team).findOneByOrFail({ name: teams[0]!.name })).id } })
    ).map((s) => s.userid);
    for (const userid of members.filter((u) => u !== 'idle')) {
      const f = people.get(userid);
      expect(first).toContain(
        `销售${userid.slice(5)}：新客户 ${f?.newCustomers ?? 0} · 跟进 ${f?.followUps ?? 0} · 逾期 ${f?.overdue ? `<font color="warning">${f.overdue}</font>` : 0}`,
      );
    }
    expect(first).toContain('闲置销售：新客户 0 · 跟进 0 · 逾期 0');
    const team = recountTeam(customers, w, members, since);
    const f = team.funnel;
    expect(first).toContain(`线索 ${f.lead} · 潜在客户 ${f.prospect} · 商机 ${f.opportunity} · 成交 ${f.won}`);
    const pct = (a: number, b: number) => `${Math.round((a / b) * 100)}%`;
    expect(first).toContain(`线索→潜在客户 ${pct(f.prospect + f.opportunity + f.won, f.lead + f.prospect + f.opportunity + f.won)}`);
    expect(first).toContain(`商机→成交 ${pct(f.won, f.opportunity + f.won)}`);
    const douyin = team.channels.find((c) => c.state === 'douyin-live')!;
    expect(first).toContain(`douyin-live ${douyin.customers} → 商机 ${douyin.reachedOpportunity} · 成交 ${douyin.reachedWon}`);
    expect(first).toContain(`客户删人 ${team.deletedByCustomer}`);
    expect(markdown(appchat[0]!)).toContain('渠道组 · 团队日报');
    expect(utf8Bytes(markdown(appchat[0]!))).toBeLessThanOrEqual(2048);

    await runJob(DIGEST_JOBS.team, FRIDAY, 'team-2');
    await waitForQuiet(container);
    expect(sends('webhook/send')).toHaveLength(3);
    expect(sends('appchat/send')).toHaveLength(1);
  });

  it('the weekly digest on Monday compares last week with the week before', async () => {
    await runJob(DIGEST_JOBS.weekly, MONDAY, 'weekly-1');
    const robot = await waitFor(
      async () => sends('webhook/send'),
      (s) => s.length >= 3,
      30_000,
      'three weekly digests',
    );
    const content = markdown(robot.find((c) => markdown(c).includes(`${teams[1]!.name} · 周报 11月23日–11月29日`))!);
    expect(content).toContain('括号内为较前一周（11月16日–11月22日）');
    const members = teamMembers(1);
    const last = recountPerStaff(customers, weekWindow(MONDAY, TZ, SILENT_DAYS, 1), members);
    const before = recountPerStaff(customers, weekWindow(MONDAY, TZ, SILENT_DAYS, 2), members);
    const sum = (m: Map<string, StaffFigures>, field: keyof StaffFigures) => [...m.values()].reduce((n, f) => n + f[field], 0);
    const delta = (now: number, was: number) => `${now}（${now > was ? `↑${now - was}` : now < was ? `↓${was - now}` : '持平'}）`;
    expect(content).toContain(
      `新客户 ${delta(sum(last, 'newCustomers'), sum(before, 'newCustomers'))} · 跟进 ${delta(sum(last, 'followUps'), sum(before, 'followUps'))}`,
    );
    const lastTeam = recountTeam(customers, weekWindow(MONDAY, TZ, SILENT_DAYS, 1), members);
    const beforeTeam = recountTeam(customers, weekWindow(MONDAY, TZ, SILENT_DAYS, 2), members);
    expect(content).toContain(`成交 ${delta(lastTeam.won, beforeTeam.won)}`);
    const someone = members[0]!;
    const a = last.get(someone)!;
    const b = before.get(someone)!;
    expect(content).toContain(`销售${someone.slice(5)}：新客户 ${delta(a.newCustomers, b.newCustomers)} · 跟进 ${delta(a.followUps, b.followUps)}`);
  });

  it('报表: a lead sees their team, an admin everyone, anyone else a clear refusal; 今日 answers on demand', async () => {
    const lead = teams[0]!.leadUserid;
    const w = periodWindow('week', FRIDAY, TZ, SILENT_DAYS);
    const leadReport = await say(lead, '报表 本周');
    expect(leadReport).toContain(`报表 · ${teams[0]!.name} · 本周（11月23日–11月27日）`);
    const members = teamMembers(0);
    const team = recountTeam(customers, w, members);
    expect(leadReport).toContain(`线索 ${team.funnel.lead} · 潜在客户 ${team.funnel.prospect}`);
    expect(leadReport).not.toContain(`销售${teamMembers(1)[0]!.slice(5)}：`);

    const adminReport = await say('boss', '报表 本月');
    expect(adminReport).toContain('报表 · 全员 · 本月（11月1日–11月27日）');
    const everyone = recountTeam(customers, periodWindow('month', FRIDAY, TZ, SILENT_DAYS), null);
    expect(adminReport).toContain(
      `线索 ${everyone.funnel.lead} · 潜在客户 ${everyone.funnel.prospect} · 商机 ${everyone.funnel.opportunity} · 成交 ${everyone.funnel.won}`,
    );
    // twenty people do not fit in one app message with everything else: the list is cut and says so
    expect(utf8Bytes(JSON.parse(adminReport).content)).toBeLessThanOrEqual(2048);
    expect(adminReport).toMatch(/另有\d+人未显示/);

    expect(await say(teamMembers(0)[1]!, '报表')).toContain('「报表」只对团队主管和管理员开放');
    expect(await say(lead, '报表 去年')).toContain('用法：报表 [本周|本月|今日]');

    const mine = recountPerStaff(customers, dayWindow(FRIDAY, TZ, SILENT_DAYS)).get(lead)!;
    const today = await say(lead, '今日');
    expect(today).toContain(`跟进记录 **${mine.followUps}**`);
    expect(await say('idle', '今日')).toContain('新客户 **0**');
  });

  it('days are CRM_TIMEZONE days: a follow-up at 23:30 Shanghai counts for that day, one at 00:30 for the next', async () => {
    await container.dataSource.getRepository(Staff).save({ userid: 'night', wecomUserid: 'night', name: '夜班销售' });
    const customer = await container.dataSource.getRepository(Customer).save({ name: '夜猫子', externalUserid: 'wmNight' });
    await container.dataSource.getRepository(FollowUp).save([
      { customerId: customer.id, staffUserid: 'night', content: '深夜聊了报价', createdAt: dayjs.tz('2026-11-27 23:30', TZ).toDate() },
      { customerId: customer.id, staffUserid: 'night', content: '凌晨又聊了', createdAt: dayjs.tz('2026-11-28 00:30', TZ).toDate() },
    ]);
    const friday = await container.services.digest.queries.perStaff(dayWindow(FRIDAY, TZ, SILENT_DAYS), ['night']);
    const saturday = await container.services.digest.queries.perStaff(dayWindow(dayjs.tz('2026-11-28 12:00', TZ).toDate(), TZ, SILENT_DAYS), ['night']);
    expect(friday.get('night')?.followUps).toBe(1);
    expect(saturday.get('night')?.followUps).toBe(1);
    // 23:30 Shanghai is 15:30 UTC: a UTC day would have put both on the 27th
    expect(dayjs.tz('2026-11-28 00:30', TZ).toDate().toISOString()).toBe('2026-11-27T16:30:00.000Z');
  });
});
