import type { Container } from '../../src/container';
import { DIGEST_JOBS, scheduleDigests } from '../../src/modules/digests/digest.jobs';
import { scheduleReconciliation } from '../../src/modules/capture/reconcile.job';
import { scheduledTime, syncRepeatableJob } from '../../src/platform/queue/repeatable';
import { createTestContainer, deleteRedisPrefix, waitFor } from '../helpers/test-env';

/** The digest schedules live in Redis as Bull repeatable jobs and must follow the config across restarts. */
describe('digest schedules', () => {
  let container: Container;

  beforeAll(async () => {
    container = await createTestContainer('digest-schedule', { CRM_DIGEST_TIME: '18:00', CRM_TEAM_DIGEST_TIME: '18:30', CRM_WEEKLY_DIGEST: 'MON 09:00' });
  });

  afterAll(async () => {
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  const schedule = async () =>
    (await container.queues.get('maintenance').getRepeatableJobs()).map((j) => [j.name, j.cron, j.tz]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));

  it('a worker start puts the three schedules in the CRM time zone; a second start adds nothing; other features’ schedules are left alone', async () => {
    const queue = container.queues.get('maintenance');
    await scheduleReconciliation(queue, '30 3 * * *', 'Asia/Shanghai');
    await scheduleDigests(queue, container.config.digests, container.config.timezone);
    await scheduleDigests(queue, container.config.digests, container.config.timezone); // a second worker start
    await scheduleReconciliation(queue, '30 3 * * *', 'Asia/Shanghai'); // the reconciliation re-syncing must keep the digests
    expect(await schedule()).toEqual([
      [DIGEST_JOBS.daily, '0 18 * * 1-5', 'Asia/Shanghai'],
      [DIGEST_JOBS.team, '30 18 * * 1-5', 'Asia/Shanghai'],
      [DIGEST_JOBS.weekly, '0 9 * * 1', 'Asia/Shanghai'],
      ['reconcile', '30 3 * * *', 'Asia/Shanghai'],
    ]);

    // a new time replaces the old schedule; off removes it
    await syncRepeatableJob(queue, DIGEST_JOBS.daily, '0 19 * * 1-5', 'Asia/Shanghai');
    await syncRepeatableJob(queue, DIGEST_JOBS.weekly, undefined, 'Asia/Shanghai');
    expect(await schedule()).toEqual([
      [DIGEST_JOBS.daily, '0 19 * * 1-5', 'Asia/Shanghai'],
      [DIGEST_JOBS.team, '30 18 * * 1-5', 'Asia/Shanghai'],
      ['reconcile', '30 3 * * *', 'Asia/Shanghai'],
    ]);
  });

  it('a repeatable job knows the time it was due, so a run picked up late still covers its own day', async () => {
    const queue = container.queues.get('maintenance');
    const seen: Array<{ due: number; ranAt: number }> = [];
    void queue.process('probe', 1, async (job) => void seen.push({ due: scheduledTime(job).getTime(), ranAt: Date.now() }));
    await queue.add('probe', {}, { repeat: { every: 400 }, removeOnComplete: true });
    await waitFor(
      async () => seen.length,
      (n) => n >= 2,
      10_000,
      'two runs',
    );
    for (const run of seen) {
      expect(run.due % 400).toBe(0); // Bull's slot, not the moment the worker took it
      expect(run.ranAt).toBeGreaterThanOrEqual(run.due);
    }
    for (const job of await queue.getRepeatableJobs()) if (job.name === 'probe') await queue.removeRepeatableByKey(job.key);
  });
});
