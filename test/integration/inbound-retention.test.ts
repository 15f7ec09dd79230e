import type Koa from 'koa';
import request from 'supertest';
import { InboundEvent, type InboundEventStatus } from '../../entities';
import type { Container } from '../../src/container';
import { pruneInboundPayloads } from '../../src/platform/events/inbound-retention';
import { bindWork } from '../../src/platform/queue/job-registry';
import { RETENTION_JOB, retentionModule } from '../../src/platform/retention/retention.job';
import { createWebApp } from '../../src/web';
import { createTestContainer, deleteRedisPrefix, testDatabaseKind, waitFor } from '../helpers/test-env';
import { signedCallback, textMessageXml } from '../helpers/wecom-callbacks';

const DAY = 86_400_000;

/**
 * Processed events lose their payload after INBOUND_PAYLOAD_RETENTION_DAYS (default 30) and keep
 * their row and dedupe key: a replay is still recognised. Unfinished and failed events keep theirs.
 * A daily repeatable job on the maintenance queue prunes in batches. MariaDB and SQLite alike (both jest projects).
 */
describe(`inbound event retention on ${testDatabaseKind()}`, () => {
  let container: Container;
  let app: Koa;

  beforeAll(async () => {
    container = await createTestContainer('retention', { INBOUND_PRUNE_CRON: '15 4 * * *' });
    app = createWebApp(container);
  });

  afterAll(async () => {
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  const repo = () => container.dataSource.getRepository(InboundEvent);
  const textXml = (msgId: string) => textMessageXml({ corpId: container.wecom.corpId, from: 'zhangsan', content: `记录跟进 张三 ${msgId}`, msgId });
  /** an event as the webhook stores it, then settled as a worker would, `daysAgo` days ago */
  async function eventProcessed(msgId: string, status: InboundEventStatus, daysAgo: number): Promise<number> {
    const req = signedCallback(container.wecom, textXml(msgId));
    expect((await request(app.callback()).post(req.path).send(req.body)).status).toBe(200);
    const row = await repo().findOneByOrFail({ dedupeKey: `msg:${msgId}` });
    const at = new Date(Date.now() - daysAgo * DAY);
    await repo().update({ id: row.id }, { status, processedAt: status === 'done' || status === 'ignored' ? at : null });
    return row.id;
  }

  it('empties the payload of done and ignored events older than the retention, in batches; keeps the rest and every dedupe key', async () => {
    const old = [await eventProcessed('8101', 'done', 31), await eventProcessed('8102', 'ignored', 45), await eventProcessed('8103', 'done', 60)];
    const recent = await eventProcessed('8104', 'done', 29);
    const failed = await eventProcessed('8105', 'failed', 40);
    const unfinished = await eventProcessed('8106', 'received', 40);

    const pruned = await pruneInboundPayloads(container.dataSource, { processedBefore: new Date(Date.now() - 30 * DAY), batchSize: 2 });
    expect(pruned).toBe(3);
    for (const id of old) {
      const row = await repo().findOneByOrFail({ id });
      expect(row.payload).toEqual({});
      expect(row.payloadPrunedAt).toBeInstanceOf(Date);
      expect(row.dedupeKey).toMatch(/^msg:810[123]$/);
    }
    for (const id of [recent, failed, unfinished]) expect((await repo().findOneByOrFail({ id })).payload).toMatchObject({ MsgType: 'text' });
    // a second run finds nothing more
    expect(await pruneInboundPayloads(container.dataSource, { processedBefore: new Date(Date.now() - 30 * DAY) })).toBe(0);

    // WeCom replaying a pruned event: recognised by its key, not stored or queued again
    await container.queues.get('inbound').empty();
    const replay = signedCallback(container.wecom, textXml('8101'));
    expect((await request(app.callback()).post(replay.path).send(replay.body)).status).toBe(200);
    expect(await repo().countBy({ dedupeKey: 'msg:8101' })).toBe(1);
    expect(await container.producer.hasJob(old[0]!)).toBe(false);
    expect(await repo().findOneByOrFail({ id: old[0]! })).toMatchObject({ status: 'done', redeliveries: 1, payload: {} });
  });

  it('runs daily as a repeatable job on the maintenance queue (schedule from the config), and a run prunes', async () => {
    const maintenance = container.queues.get('maintenance');
    const deps = {
      dataSource: container.dataSource,
      logger: container.logger,
      metrics: container.metrics,
      periods: { inboundPayloadDays: 30, outboundBodyDays: 30, auditDays: 1095 },
      cron: container.config.inboundRetention.cron,
      timezone: container.config.timezone,
    };
    await bindWork(container, [retentionModule(deps)]).start();
    expect((await maintenance.getRepeatableJobs()).map((j) => [j.name, j.cron, j.tz])).toEqual([[RETENTION_JOB, '15 4 * * *', 'Asia/Shanghai']]);

    const id = await eventProcessed('8201', 'done', 31);
    await maintenance.add(RETENTION_JOB, {}, { removeOnComplete: true });
    await waitFor(
      () => repo().findOneByOrFail({ id }),
      (row) => row.payloadPrunedAt !== null,
      10_000,
      'the prune job to run',
    );
    expect((await repo().findOneByOrFail({ id })).payload).toEqual({});
    // counted once the run is over
    await waitFor(
      () => container.metrics.registry.getSingleMetricAsString('wecom_inbound_payloads_pruned_total'),
      (text) => / [1-9]\d*$/m.test(text),
      10_000,
      'the pruned count',
    );
  });
});
