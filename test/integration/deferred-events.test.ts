import type Koa from 'koa';
import request from 'supertest';
import { InboundEvent } from '../../entities';
import type { Container } from '../../src/container';
import { defer } from '../../src/platform/events/event-handler.registry';
import { inboundJobId } from '../../src/platform/events/inbound.producer';
import { sweepStaleEvents } from '../../src/platform/events/stale-event.sweeper';
import { createWebApp } from '../../src/web';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { waitForQuiet } from '../helpers/quiet';
import { createTestContainer, deleteRedisPrefix, resetState, waitFor } from '../helpers/test-env';
import { externalContactXml, signedCallback } from '../helpers/wecom-callbacks';

/**
 * A handler may finish the urgent part of an event and defer the rest (capture sends a welcome, then
 * records the customer later). The deferred stage runs from a low-priority job, gets what the first
 * stage handed over, survives a lost job, and is retried like any handler.
 */
describe('deferred event stages', () => {
  let container: Container;
  let app: Koa;
  let worker: WorkerHandle;
  const calls: string[] = [];
  const carried: unknown[] = [];
  let laterFailures = 0;

  beforeAll(async () => {
    // one job at a time, so the order in which jobs run is the order Bull hands them out
    container = await createTestContainer('deferred', { WORKER_CONCURRENCY: '1', INBOUND_MAX_ATTEMPTS: '3', INBOUND_RETRY_DELAY_MS: '50' });
    container.handlers.register(
      'change_external_contact',
      async (event) => {
        const external = String(event.payload.ExternalUserID);
        calls.push(`first:${external}`);
        if (external.startsWith('wmQuick')) return undefined; // nothing to defer
        return defer({ fetched: external });
      },
      async (event, _attempt, carry) => {
        const external = String(event.payload.ExternalUserID);
        calls.push(`later:${external}`);
        carried.push(carry);
        if (external === 'wmBrokenLater') {
          laterFailures += 1;
          throw new Error('customer record is corrupt');
        }
      },
    );
    app = createWebApp(container);
    worker = startWorker(container, { sweepEveryMs: 60_000 });
  });

  beforeEach(async () => {
    await resetState(container);
    await inbound().resume(true);
    calls.length = 0;
    carried.length = 0;
  });

  afterAll(async () => {
    worker.stop();
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  const inbound = () => container.queues.get('inbound');
  /** This process stops taking jobs (the worker is "down") until `resume`. */
  const stopTaking = () => inbound().pause(true);
  const resume = () => inbound().resume(true);
  const post = async (externalUserId: string) => {
    const xml = externalContactXml({
      corpId: container.wecom.corpId,
      changeType: 'add_external_contact',
      userId: 'wangwu',
      externalUserId,
      createTime: 1_763_801_000,
    });
    const req = signedCallback(container.wecom, xml);
    expect((await request(app.callback()).post(req.path).send(req.body)).status).toBe(200);
  };
  const row = (external: string) =>
    container.dataSource
      .getRepository(InboundEvent)
      .createQueryBuilder('e')
      .where('e.payload LIKE :p', { p: `%"ExternalUserID":"${external}"%` })
      .getOneOrFail();
  const settled = (external: string) =>
    waitFor(
      () => row(external),
      (e) => ['done', 'failed'].includes(e.status),
      15_000,
      `${external} settled`,
    );

  it('runs the deferred stage with what the first stage handed over, and counts one attempt', async () => {
    await post('wmCarry');
    const done = await settled('wmCarry');
    expect(done).toMatchObject({ status: 'done', attempts: 1, lastError: null });
    expect(calls).toEqual(['first:wmCarry', 'later:wmCarry']);
    expect(carried).toEqual([{ fetched: 'wmCarry' }]);
  });

  /** Stores events whose first stage has run: the rows are deferred and their later jobs queued. */
  const deferredBacklog = async (ids: string[]) => {
    await stopTaking();
    for (const id of ids) await post(id);
    await container.queues.get('inbound').empty();
    for (const r of await container.dataSource.getRepository(InboundEvent).find({ order: { id: 'ASC' } })) {
      await container.dataSource.getRepository(InboundEvent).update({ id: r.id }, { status: 'deferred' });
      await container.producer.enqueueLater(r.id, { fetched: 'earlier' });
    }
  };

  it('runs every waiting event before any deferred stage', async () => {
    // A backlog of three deferred stages, queued first; then two events arrive; one worker slot.
    await deferredBacklog(['wmD', 'wmE', 'wmF']);
    await post('wmQuick1');
    await post('wmQuick2');
    await resume();
    await waitFor(
      async () => calls.length,
      (n) => n === 5,
      10_000,
      'five handler runs',
    );
    expect(calls.slice(0, 2)).toEqual(['first:wmQuick1', 'first:wmQuick2']);
    expect(calls.slice(2).sort()).toEqual(['later:wmD', 'later:wmE', 'later:wmF']);
  });

  it('a deferred stage whose job was lost (Redis restarted) is re-queued by the sweeper and re-reads what it needs', async () => {
    // The first stage ran and the row is deferred, but Redis lost the later job.
    await stopTaking();
    await post('wmLost');
    const stored = await row('wmLost');
    await container.dataSource.getRepository(InboundEvent).update({ id: stored.id }, { status: 'deferred' });
    await container.queues.get('inbound').empty();
    expect(await container.queues.get('inbound').getJob(inboundJobId(stored.id, 'later'))).toBeNull();

    const requeued = await sweepStaleEvents(container, { staleAfterMs: 0, batchSize: 100 });
    expect(requeued).toBe(1);
    expect(await sweepStaleEvents(container, { staleAfterMs: 0, batchSize: 100 })).toBe(0);
    await resume();
    expect(await settled('wmLost')).toMatchObject({ status: 'done' });
    // the first stage is not run again (its welcome was sent); the later stage gets no carry
    expect(calls).toEqual(['later:wmLost']);
    expect(carried).toEqual([undefined]);
  });

  it('an event job re-added after its first stage ran does not run that stage again', async () => {
    await deferredBacklog(['wmTwice']);
    const stored = await row('wmTwice');
    await container.producer.enqueue(stored.id); // a sweeper race or a replayed Redis
    await resume();
    expect(await settled('wmTwice')).toMatchObject({ status: 'done' });
    await waitForQuiet(container);
    expect(calls).toEqual(['later:wmTwice']);
  });

  it('a deferred stage that keeps failing is retried, then the event is marked failed with the error', async () => {
    laterFailures = 0;
    await post('wmBrokenLater');
    const failed = await settled('wmBrokenLater');
    expect(laterFailures).toBe(3);
    expect(failed.status).toBe('failed');
    expect(failed.lastError).toContain('customer record is corrupt');
    expect(calls.filter((c) => c === 'first:wmBrokenLater')).toHaveLength(1);
  });
});
