import Redis from 'ioredis';
import { Customer, CustomerRelation, Reminder } from '../../entities';
import { createContainer, type Container } from '../../src/container';
import { createLogger } from '../../src/platform/logger';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { fakeWecom, messageText } from '../helpers/fake-wecom';
import { waitForQuiet } from '../helpers/quiet';
import { createTestContainer, deleteRedisPrefix, TEST_REDIS_URL, waitFor } from '../helpers/test-env';

/** Reminders are never lost: they fire late when no worker ran at the due time, even if Redis lost the job. */
describe('reminders across worker restarts', () => {
  const open: Container[] = [];
  const workers: WorkerHandle[] = [];

  afterAll(async () => {
    for (const w of workers) w.stop();
    for (const c of open) await c.close().catch(() => undefined);
    for (const prefix of new Set(open.map((c) => c.queues.prefix))) await deleteRedisPrefix(prefix);
  });

  async function seedReminder(container: Container, dueInMs: number): Promise<Reminder> {
    const customer = await container.dataSource.getRepository(Customer).save({ name: '赵六', externalUserid: `wmZhao${Date.now()}` });
    await container.dataSource.getRepository(CustomerRelation).save({ customerId: customer.id, staffUserid: 'zhangsan' });
    const { reminder } = await container.services.reminders.create({
      staffUserid: 'zhangsan',
      customerId: customer.id,
      content: '回访赵六',
      dueAt: new Date(Date.now() + dueInMs),
      sourceKey: `test:${Date.now()}:${dueInMs}`,
    });
    await container.services.reminders.scheduleJob(reminder);
    return reminder;
  }

  async function restartedWorker(of: Container): Promise<Container> {
    const next = await createContainer(of.config, of.wecom, createLogger('silent'), { queuePrefix: of.queues.prefix, defaultMetrics: false });
    open.push(next);
    workers.push(startWorker(next, { sweepEveryMs: 60_000 }));
    return next;
  }

  it('a reminder that came due while no worker ran is sent when a worker starts', async () => {
    const calls = fakeWecom();
    const first = await createTestContainer('reminder-restart', { CRM_QUIET_HOURS: 'off' });
    open.push(first);
    const reminder = await seedReminder(first, 800);
    await first.close(); // no worker anywhere while it comes due
    await waitFor(
      async () => Date.now(),
      (now) => now > reminder.dueAt.getTime(),
      5_000,
      'the due time passed',
    );

    const second = await restartedWorker(first);
    const sent = await waitFor(
      async () => calls.filter((c) => c.api === 'message/send'),
      (s) => s.length === 1,
      15_000,
      'the late reminder card',
    );
    expect(sent[0]!.body.touser).toBe('zhangsan');
    expect(messageText(sent[0]!.body)).toContain('该联系 赵六 了');
    // the card is sent from the reminder job, which then marks the reminder fired
    const row = await waitFor(
      () => second.dataSource.getRepository(Reminder).findOneByOrFail({ id: reminder.id }),
      (r) => r.status === 'sent',
      5_000,
      'the reminder marked sent',
    );
    expect(row.firedAt).toBeInstanceOf(Date);
  });

  it('a reminder whose job Redis lost is still sent, once', async () => {
    const calls = fakeWecom();
    // a running worker of this test's own, which held the job before Redis lost it
    const current = await createTestContainer('reminder-lost', { CRM_QUIET_HOURS: 'off' });
    open.push(current);
    workers.push(startWorker(current, { sweepEveryMs: 60_000 }));
    const reminder = await seedReminder(current, 60_000);
    // Redis restarted without persistence: the delayed job is gone. Make it due.
    const redis = new Redis(TEST_REDIS_URL);
    await redis.del(...(await redis.keys(`${current.queues.keyPrefix}:reminders:reminder-${reminder.id}*`)));
    await redis.zrem(`${current.queues.keyPrefix}:reminders:delayed`, `reminder-${reminder.id}`);
    redis.disconnect();
    await current.dataSource.getRepository(Reminder).update({ id: reminder.id }, { dueAt: new Date(Date.now() - 1000) });

    await restartedWorker(current);
    await waitFor(
      async () => calls.filter((c) => c.api === 'message/send').length,
      (n) => n >= 1,
      15_000,
      'the recovered reminder',
    );
    await waitForQuiet(current);
    expect(calls.filter((c) => c.api === 'message/send')).toHaveLength(1);
    expect((await current.dataSource.getRepository(Reminder).findOneByOrFail({ id: reminder.id })).status).toBe('sent');
  });
});
