import { AuditLog, OutboundMessage, type OutboundStatus } from '../../entities';
import type { Container } from '../../src/container';
import { pruneAuditEntries } from '../../src/platform/db/audit-retention';
import { pruneOutboundBodies } from '../../src/platform/outbound/outbound-retention';
import { bindWork } from '../../src/platform/queue/job-registry';
import { RETENTION_JOB, retentionModule } from '../../src/platform/retention/retention.job';
import { createTestContainer, deleteRedisPrefix, testDatabaseKind, waitFor } from '../helpers/test-env';

const DAY = 86_400_000;

/**
 * Finished outbound messages lose their body after OUTBOUND_BODY_RETENTION_DAYS and keep status,
 * recipient and times; audit entries go after AUDIT_RETENTION_DAYS. The daily retention job applies
 * both beside the callback payloads' prune (inbound-retention.test.ts). MariaDB and SQLite alike.
 */
describe(`retention of message bodies and audit entries on ${testDatabaseKind()}`, () => {
  let container: Container;

  beforeAll(async () => {
    container = await createTestContainer('retention-all', { INBOUND_PRUNE_CRON: '15 4 * * *' });
  });

  afterAll(async () => {
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  const outbound = () => container.dataSource.getRepository(OutboundMessage);
  const audits = () => container.dataSource.getRepository(AuditLog);
  /** a message to 张三's salesperson naming his phone, created `daysAgo` days ago */
  async function message(key: string, status: OutboundStatus, daysAgo: number): Promise<number> {
    const row = await outbound().save({
      idempotencyKey: key,
      channel: 'user',
      recipient: 'zhangsan',
      kind: 'text',
      payload: { body: { msgtype: 'text', text: { content: '张三 13812345678' } } },
      status,
      sentAt: status === 'sent' ? new Date(Date.now() - daysAgo * DAY) : null,
    });
    await outbound().update({ id: row.id }, { createdAt: new Date(Date.now() - daysAgo * DAY) });
    return row.id;
  }
  async function entry(daysAgo: number): Promise<number> {
    const row = await audits().save({ actor: 'zhangsan', action: 'stage.change', targetType: 'customer', targetId: '1', detail: { from: 'lead', to: 'deal' } });
    await audits().update({ id: row.id }, { createdAt: new Date(Date.now() - daysAgo * DAY) });
    return row.id;
  }

  it('empties the bodies of finished messages past the retention, in batches; keeps status, recipient, times, and the bodies still to send', async () => {
    const old = [
      await message('r-1', 'sent', 31),
      await message('r-2', 'failed', 40),
      await message('r-3', 'duplicate', 50),
      await message('r-4', 'unknown', 60),
    ];
    const recent = await message('r-5', 'sent', 29);
    const waiting = [await message('r-6', 'queued', 40), await message('r-7', 'sending', 40)];

    expect(await pruneOutboundBodies(container.dataSource, { createdBefore: new Date(Date.now() - 30 * DAY), batchSize: 3 })).toBe(4);
    for (const id of old) {
      const row = await outbound().findOneByOrFail({ id });
      expect(row.payload).toEqual({});
      expect(row.payloadPrunedAt).toBeInstanceOf(Date);
      expect(row).toMatchObject({ recipient: 'zhangsan', channel: 'user', kind: 'text' });
      expect(row.createdAt).toBeInstanceOf(Date);
    }
    expect((await outbound().findOneByOrFail({ id: old[0]! })).sentAt).toBeInstanceOf(Date);
    expect((await outbound().findOneByOrFail({ id: old[1]! })).status).toBe('failed');
    for (const id of [recent, ...waiting]) expect(JSON.stringify((await outbound().findOneByOrFail({ id })).payload)).toContain('13812345678');
    expect(await pruneOutboundBodies(container.dataSource, { createdBefore: new Date(Date.now() - 30 * DAY) })).toBe(0);
  });

  it('deletes audit entries older than the retention, in batches, and keeps the newer', async () => {
    const old = [await entry(1100), await entry(1200), await entry(2000)];
    const kept = await entry(1000);
    expect(await pruneAuditEntries(container.dataSource, { createdBefore: new Date(Date.now() - 1095 * DAY), batchSize: 2 })).toBe(3);
    expect(await audits().countBy(old.map((id) => ({ id })))).toBe(0);
    expect(await audits().existsBy({ id: kept })).toBe(true);
  });

  it('one daily job applies every period, with the config defaults of 30, 30 and 1095 days', async () => {
    expect(container.config.retention).toEqual({ outboundBodyDays: 30, auditDays: 1095 });
    const maintenance = container.queues.get('maintenance');
    // an older worker's schedule of the payload prune alone is replaced, not left to fire with no processor
    await maintenance.add('prune-inbound-payloads', {}, { repeat: { cron: '15 4 * * *', tz: 'Asia/Shanghai' } });
    const module = retentionModule({
      dataSource: container.dataSource,
      logger: container.logger,
      metrics: container.metrics,
      periods: { inboundPayloadDays: 30, outboundBodyDays: container.config.retention.outboundBodyDays, auditDays: container.config.retention.auditDays },
      cron: container.config.inboundRetention.cron,
      timezone: container.config.timezone,
    });
    await bindWork(container, [module]).start();
    expect((await maintenance.getRepeatableJobs()).map((j) => j.name)).toEqual([RETENTION_JOB]);

    const body = await message('r-job', 'sent', 31);
    const audit = await entry(1096);
    await maintenance.add(RETENTION_JOB, {}, { removeOnComplete: true });
    await waitFor(
      () => outbound().findOneByOrFail({ id: body }),
      (row) => row.payloadPrunedAt !== null,
      10_000,
      'the retention job to run',
    );
    await waitFor(
      () => audits().existsBy({ id: audit }),
      (exists) => !exists,
      10_000,
      'the old audit entry to go',
    );
  });
});
