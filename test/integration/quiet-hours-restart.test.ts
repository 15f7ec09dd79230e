import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { Customer, CustomerRelation, OutboundMessage, Staff } from '../../entities';
import { parseTeamsFile, syncTeams } from '../../src/modules/capture/teams-file';
import type { Config } from '../../src/config';
import { createContainer, type Container } from '../../src/container';
import dayjs from '../../src/platform/dayjs';
import { workerModules } from '../../src/feature-modules';
import { createLogger } from '../../src/platform/logger';
import { outboundJobId } from '../../src/platform/outbound/outbound.service';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { fakeWecom, type WecomCall } from '../helpers/fake-wecom';
import { waitForQuiet } from '../helpers/quiet';
import { deleteRedisPrefix, waitFor } from '../helpers/test-env';
import { startWebhookHarness } from '../helpers/webhook-harness';
import { externalContactXml } from '../helpers/wecom-callbacks';

const TZ = 'Asia/Shanghai';
const ROBOT = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=quiet-team-key';
const TEAMS_JSON = { teams: [{ name: '华东', lead: 'Boss', members: ['ZhangSan'], robotWebhookUrl: ROBOT }] };
const TEAMS = join(mkdtempSync(join(tmpdir(), 'quiet-restart-')), 'teams.json');
writeFileSync(TEAMS, JSON.stringify(TEAMS_JSON));
const sh = (local: string) => dayjs.tz(local, TZ).toDate();

/**
 * Held messages follow the quiet hours in force, not the ones they were queued under: a 删人提醒
 * arriving through the webhook at 23:00 is held for 08:00; a worker restarted with 21:00-06:00
 * moves the hold to 06:00, and one restarted with CRM_QUIET_HOURS=off sends it at once — each
 * message once. Same database and Redis across the restarts, the test's clock throughout.
 */
describe('quiet hours across a restart with another setting', () => {
  const clock = sh('2026-12-02 23:00').getTime();
  const now = () => clock;
  let calls: WecomCall[];
  let prefix = '';
  const running: Array<{ container: Container; worker: WorkerHandle }> = [];

  beforeEach(() => {
    nock.cleanAll();
    calls = fakeWecom({ also: ['webhook/send', 'externalcontact/get_corp_tag_list'] });
  });

  afterAll(async () => {
    for (const { container, worker } of running.splice(0)) {
      worker.stop();
      await container.close();
    }
    if (prefix) await deleteRedisPrefix(prefix);
  });

  /** Stops the running worker process and starts another on the same database and Redis with `quietHours`. */
  async function restartWith(quietHours: Config['quietHours']): Promise<Container> {
    const previous = running.pop()!;
    previous.worker.stop();
    await previous.container.close();
    const config: Config = { ...previous.container.config, quietHours };
    const container = await createContainer(config, previous.container.wecom, createLogger('silent'), { queuePrefix: prefix, defaultMetrics: false, now });
    running.push({ container, worker: startWorker(container, { sweepEveryMs: 60_000, modules: workerModules(container) }) });
    return container;
  }

  const alertSends = () => calls.filter((c) => (c.api === 'message/send' && JSON.stringify(c.body).includes('王老板')) || c.api === 'webhook/send');

  it('a 删人提醒 held at 23:00 moves to 06:00 under 21:00-06:00, and goes at once, once, under CRM_QUIET_HOURS=off', async () => {
    const harness = await startWebhookHarness(
      'quiet-restart',
      { CRM_QUIET_HOURS: '21:00-08:00', CRM_TIMEZONE: TZ, CRM_TEAMS_FILE: TEAMS },
      () => new Date(clock),
    );
    prefix = harness.container.queues.prefix;
    // the worker's start-up syncs the teams file into the staff rows the set-up below writes too
    await harness.worker.ready;
    running.push({ container: harness.container, worker: harness.worker });
    const db = harness.container.dataSource;
    await syncTeams(db, parseTeamsFile(TEAMS_JSON));
    const customer = await db.getRepository(Customer).save({ name: '王老板', externalUserid: 'wmBoss' });
    await db.getRepository(CustomerRelation).save({ customerId: customer.id, staffUserid: 'zhangsan', addedAt: new Date('2026-10-01T02:00:00Z') });
    await db.getRepository(Staff).update({ userid: 'zhangsan' }, { name: '张三销售' });

    await harness.post(
      externalContactXml({
        corpId: harness.container.wecom.corpId,
        changeType: 'del_follow_user',
        userId: 'ZhangSan',
        externalUserId: 'wmBoss',
        createTime: Math.floor(clock / 1000),
      }),
    );
    const held = await waitFor(
      () => db.getRepository(OutboundMessage).find({ order: { id: 'ASC' } }),
      (rows) => rows.length === 2,
      15_000,
      'the alert to the salesperson and to the team group',
    );
    for (const row of held) expect(row).toMatchObject({ status: 'queued', heldFor: 'quiet_hours', notBefore: sh('2026-12-03 08:00') });
    expect(alertSends()).toEqual([]);

    // Restarted with quiet hours ending at 06:00: the hold follows, nothing is sent at 23:00.
    const shorter = await restartWith({ start: '21:00', end: '06:00' });
    const moved = await waitFor(
      () => shorter.dataSource.getRepository(OutboundMessage).find({ order: { id: 'ASC' } }),
      (rows) => rows.every((r) => r.notBefore?.getTime() === sh('2026-12-03 06:00').getTime()),
      15_000,
      'the holds moved to 06:00',
    );
    for (const row of moved) {
      expect(row).toMatchObject({ status: 'queued', heldFor: 'quiet_hours' });
      // its job now wakes at 06:00 (7 h on the clock), not 08:00
      const job = await waitFor(
        () => shorter.queues.get('outbound').getJob(outboundJobId(row.id)),
        (j) => j !== null && Math.abs(Number(j.opts.delay) - 7 * 3600_000) < 2000,
        10_000,
        'the job moved',
      );
      expect(await job!.isDelayed()).toBe(true);
    }
    expect(alertSends()).toEqual([]);

    // Restarted with CRM_QUIET_HOURS=off: what was held goes now, once each.
    const off = await restartWith(undefined);
    const sent = await waitFor(
      () => off.dataSource.getRepository(OutboundMessage).find({ order: { id: 'ASC' } }),
      (rows) => rows.every((r) => r.status === 'sent'),
      15_000,
      'the held alerts sent',
    );
    for (const row of sent) expect(row).toMatchObject({ heldFor: null, notBefore: null, sentAt: new Date(clock) });
    await waitForQuiet(off); // a second send would be a job still running or due
    expect(
      alertSends()
        .map((c) => c.api)
        .sort(),
    ).toEqual(['message/send', 'webhook/send']);
  });
});
