import { createQueueSet, promoteDelayedJobs, type QueueSet } from '../../src/platform/queue/queues';
import { deleteRedisPrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/test-env';

/** The sandbox's "fire due reminders now" on a real Redis: delayed jobs run now, marked early; schedules keep their time. */
describe('promoteDelayedJobs', () => {
  const prefix = uniquePrefix('promote');
  let queues: QueueSet;
  beforeAll(() => {
    queues = createQueueSet({ redisUrl: TEST_REDIS_URL, prefix });
  });
  afterAll(async () => {
    await queues.close();
    await deleteRedisPrefix(prefix);
  });

  it('moves delayed jobs to waiting with early: true, and leaves repeatable jobs delayed', async () => {
    const queue = queues.get('reminders');
    await queue.add({ reminderId: 1 }, { jobId: 'reminder-1', delay: 86_400_000 });
    await queue.add({ reminderId: 2 }, { jobId: 'reminder-2', delay: 3_600_000 });
    await queue.add('scan', {}, { repeat: { cron: '0 9 * * *' } });

    expect(await promoteDelayedJobs(queue)).toBe(2);
    const waiting = await queue.getWaiting();
    expect(waiting.map((j) => [j.id, j.data]).sort()).toEqual([
      ['reminder-1', { reminderId: 1, early: true }],
      ['reminder-2', { reminderId: 2, early: true }],
    ]);
    const delayed = await queue.getDelayed();
    expect(delayed.map((j) => j.name)).toEqual(['scan']);
    expect(await promoteDelayedJobs(queue)).toBe(0);
  });
});
