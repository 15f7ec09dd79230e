import request from 'supertest';
import { InboundEvent } from '../../entities';
import { inboundJobId } from '../../src/platform/events/inbound.producer';
import { createWebApp } from '../../src/web';
import { waitFor } from '../helpers/test-env';
import { startWebhookHarness, type WebhookHarness } from '../helpers/webhook-harness';

const STALLING_KIND = 'test_stalling_event';

/**
 * No stored event is left unfinished: a job Bull gave up on by itself ("job stalled more than
 * allowable limit", after the worker running it crashed more often than maxStalledCount allows)
 * leaves its row `processing` with no error, and Bull keeps the failed job. The sweeper must not
 * take that job for one that will run: the event is run again, or, once it has used its attempts,
 * failed with the reason on its row, a metric, and its failure notice (a salesperson's command is
 * answered: bot-failure.test.ts).
 */
describe('events whose job Bull gave up on', () => {
  let harness: WebhookHarness;
  let hangs = 0;
  const hung: Array<() => void> = [];
  const told: Array<{ eventId: number; cause: string; reason: string }> = [];

  beforeAll(async () => {
    harness = await startWebhookHarness('stranded', { INBOUND_MAX_ATTEMPTS: '3', STALE_EVENT_AFTER_MS: '1000' });
    // An event whose first runs hang, as in a worker that dies mid-job and never returns.
    harness.container.handlers
      .register(STALLING_KIND, async () => {
        if (hangs > 0) {
          hangs -= 1;
          await new Promise<void>((resolve) => hung.push(resolve));
        }
      })
      .onFailure(STALLING_KIND, async (event, failure) => void told.push({ eventId: event.id, ...failure }));
  });
  afterAll(async () => {
    for (const release of hung) release();
    await harness.close();
  });

  const events = () => harness.container.dataSource.getRepository(InboundEvent);
  const post = async () => {
    const corpId = harness.container.wecom.corpId;
    const nonce = Math.random().toString(36).slice(2);
    await harness.post(
      `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${STALLING_KIND}]]></Event><Nonce>${nonce}</Nonce></xml>`,
    );
    return waitFor(
      () => events().findOne({ where: { kind: STALLING_KIND }, order: { id: 'DESC' } }),
      (e) => e?.status === 'processing',
      10_000,
      'the event taken',
    ) as Promise<InboundEvent>;
  };
  /**
   * What becomes of a job whose worker died more often than maxStalledCount allows: its lock
   * expires, and Bull's stalled check moves it to the failed set, without the processor.
   */
  async function workerDiesAndBullGivesUp(eventId: number): Promise<void> {
    const queue = harness.container.queues.get('inbound');
    const job = (await queue.getJob(inboundJobId(eventId)))!;
    await queue.client.del(`${queue.toKey(job.id as string)}:lock`);
    await job.discard();
    await job.moveToFailed({ message: 'job stalled more than allowable limit' }, true);
  }
  const sweepUntil = (eventId: number, status: string) =>
    waitFor(
      async () => {
        await harness.worker.sweepNow();
        return events().findOneByOrFail({ id: eventId });
      },
      (e) => e.status === status,
      15_000,
      `event ${eventId} ${status}`,
    );

  it('is run again while it has attempts left', async () => {
    hangs = 1;
    const event = await post();
    await workerDiesAndBullGivesUp(event.id);
    expect(await harness.container.producer.hasJob(event.id)).toBe(false); // kept by Bull, but it will not run
    const done = await sweepUntil(event.id, 'done');
    expect(done.attempts).toBe(2);
    expect(told).toEqual([]);
  });

  it('is failed visibly once it has used its attempts: the reason on the row, a metric, and its failure notice', async () => {
    hangs = 1;
    const event = await post();
    await events().update({ id: event.id }, { attempts: 3 }); // its earlier runs crashed their workers too
    await workerDiesAndBullGivesUp(event.id);

    const failed = await sweepUntil(event.id, 'failed');
    expect(failed.lastError).toBe('abandoned by the queue after 3 attempts: job stalled more than allowable limit');
    expect(told).toEqual([{ eventId: event.id, cause: 'abandoned', reason: failed.lastError }]);
    const metrics = await request(createWebApp(harness.container).callback()).get('/metrics');
    expect(metrics.text).toMatch(new RegExp(`wecom_events_failed_total\\{kind="${STALLING_KIND}",cause="abandoned"\\} 1`));
    // a second sweep (another worker) finds nothing left to do
    expect(await harness.worker.sweepNow()).toBe(0);
  });
});
