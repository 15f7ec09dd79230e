import request from 'supertest';
import { InboundEvent } from '../../entities';
import type { Container } from '../../src/container';
import { registerDomainHandlers } from '../../src/domain-handlers';
import { createWebApp } from '../../src/web';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { fakeWecom, messageText } from '../helpers/fake-wecom';
import { createTestContainer, deleteRedisPrefix, waitFor } from '../helpers/test-env';
import { signedCallback, textMessageXml } from '../helpers/wecom-callbacks';

/** A fault the bot cannot turn into a friendly reply is retried; when no retry is left, the salesperson is told. */
describe('a command that keeps failing', () => {
  let container: Container;
  let worker: WorkerHandle;
  let failures = 0;

  beforeAll(async () => {
    container = await createTestContainer('bot-failure', { INBOUND_MAX_ATTEMPTS: '2', INBOUND_RETRY_DELAY_MS: '50', CRM_QUIET_HOURS: 'off' });
    // The clock is one of the bot's dependencies: make it fail as a broken dependency would.
    registerDomainHandlers(container, () => {
      failures += 1;
      throw new Error('clock unavailable');
    });
    worker = startWorker(container, { sweepEveryMs: 60_000 });
  });

  afterAll(async () => {
    worker.stop();
    await container.close();
    await deleteRedisPrefix(container.queues.prefix);
  });

  it('is retried, then answered with an apology once, and the event is marked failed with its error', async () => {
    const calls = fakeWecom();
    const req = signedCallback(container.wecom, textMessageXml({ corpId: container.wecom.corpId, from: 'ZhangSan', content: '待办', msgId: '991' }));
    expect((await request(createWebApp(container).callback()).post(req.path).send(req.body)).status).toBe(200);

    const event = await waitFor(
      () => container.dataSource.getRepository(InboundEvent).findOneBy({ dedupeKey: 'msg:991' }),
      (e) => e?.status === 'failed',
      15_000,
      'the event to fail',
    );
    expect(event).toMatchObject({ attempts: 2, lastError: 'Error: clock unavailable' });
    expect(failures).toBe(2);
    const sends = await waitFor(async () => calls.filter((c) => c.api === 'message/send'), (s) => s.length >= 1, 15_000, 'the apology');
    await new Promise((r) => setTimeout(r, 300));
    expect(calls.filter((c) => c.api === 'message/send')).toHaveLength(1);
    expect(sends[0]!.body.touser).toBe('ZhangSan');
    expect(messageText(sends[0]!.body)).toContain('这条消息处理失败了');
  });
});
